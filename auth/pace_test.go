package auth

import (
	"testing"
	"time"
)

// feed plays a body into m: every step, a Read that waited step and gave
// n bytes, until the body has run for d (in waited time) or m says it
// failed. It returns the waited time at which it failed, or 0.
func feed(m *meter, step time.Duration, n int, d time.Duration) time.Duration {
	for end := m.used + d; m.used < end; {
		if at := m.stallAt(); at <= m.used+step {
			return at
		}
		m.add(m.used+step, n)
	}
	return 0
}

// The stall rule at its real scale, in waited time: a body that trickles
// fails within 45 s of the request, whenever its headers came within 30 s;
// a body that keeps moving faster than 1 KiB/s over every 30 s never does.
// (Bytes come at the end of a Read: 1 KiB at the end of each second puts
// only 29 KiB in the 30 s before the 30th.)
func TestStallRule(t *testing.T) {
	const s = time.Second
	p := pace{}
	for _, tc := range []struct {
		name       string
		head, step time.Duration
		n          int
		run        time.Duration
		want       time.Duration // 0: never fails
	}{
		{"prompt headers, a byte a second", 0, s, 1, 10 * time.Minute, 30 * s},
		{"headers after 29 s, a byte a second", 29 * s, s, 1, time.Minute, 44 * s},
		{"headers after 30 s, a byte a second", 30 * s, s, 1, time.Minute, 45 * s},
		{"prompt headers, nothing", 0, s, 0, time.Minute, 30 * s},
		{"1.1 KiB every second for an hour", 0, s, 1126, time.Hour, 0},
		{"45 KiB every 15 s for an hour", 0, 15 * s, 45 << 10, time.Hour, 0},
		{"31 KiB at the end of each 30 s: none within the first", 0, 30 * s, 31 << 10, time.Hour, 30 * s},
		{"headers after 29 s, then 2 KiB/s", 29 * s, s, 2 << 10, time.Hour, 0},
		{"just under 1 KiB/s", 0, s, 1023, time.Hour, 30 * s},
		{"2 bytes a millisecond for 5 s", 0, time.Millisecond, 2, 5 * s, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMeter(p, tc.head)
			if got := feed(m, tc.step, tc.n, tc.run); got != tc.want {
				t.Errorf("failed at %v, want %v (0: never)", got, tc.want)
			}
			if len(m.marks) > 40 {
				t.Errorf("%d marks kept", len(m.marks))
			}
		})
	}
}

// A burst, then silence: the body fails when the burst leaves the window.
func TestStallRuleAfterABurst(t *testing.T) {
	m := newMeter(pace{}, 0)
	m.add(time.Second, 10<<20)
	if got := m.stallAt(); got != 31*time.Second {
		t.Errorf("failed at %v, want 31s", got)
	}
}

func TestPaceSaysItsRule(t *testing.T) {
	for p, want := range map[pace]string{
		{}: "under 1 KiB/s for 30s",
		{window: 200 * time.Millisecond, rate: 100}: "under 100 bytes/s for 200ms",
	} {
		if got := p.orDefault().String(); got != want {
			t.Errorf("%+v: %q, want %q", p, got, want)
		}
	}
}
