package auth

import (
	"fmt"
	"slices"
	"time"
)

// The slowest an answer's body may come: under DefaultMinRate bytes a
// second, averaged over DefaultStallWindow, it fails. A download that
// keeps moving faster is never cut, however long it takes.
const (
	DefaultStallWindow = 30 * time.Second
	DefaultMinRate     = 1 << 10 // bytes a second
)

// pace is the stall rule of a body: under rate bytes a second, averaged
// over window, it fails. Zero fields mean the defaults.
type pace struct {
	window time.Duration
	rate   int64
}

func (p pace) orDefault() pace {
	if p.window <= 0 {
		p.window = DefaultStallWindow
	}
	if p.rate <= 0 {
		p.rate = DefaultMinRate
	}
	return p
}

// String is the rule as the end of a sentence: "under 1 KiB/s for 30s".
func (p pace) String() string {
	rate := fmt.Sprintf("%d bytes/s", p.rate)
	if p.rate%1024 == 0 {
		rate = fmt.Sprintf("%d KiB/s", p.rate/1024)
	}
	return "under " + rate + " for " + waitText(p.window)
}

// meter keeps a body's bytes against the time spent waiting for them: the
// wait for the headers, then the time spent in Read. Time the caller
// spends elsewhere (a paused pipe, a slow disk) is not the server's, and
// is not counted.
//
// The body fails at the first moment t (in waited time) at which all of
// these hold:
//   - t is at least one window: the headers and the body together had
//     their 30 s;
//   - the body has run half a window: after slow headers it still gets 15 s;
//   - since the later of the headers and t-window, it averaged under rate.
//
// So a body that keeps moving faster than rate is never cut, and an answer
// that trickles (headers, then body) fails within one and a half windows
// of being sent, whenever its headers came within one.
type meter struct {
	pace  pace
	head  time.Duration // the wait for the headers, where the body starts
	used  time.Duration // waited so far, headers included
	n     int64         // bytes so far
	marks []mark        // (waited, bytes) after Reads, thinned; marks[0] is at or before used-window
}

type mark struct {
	at time.Duration
	n  int64
}

func newMeter(p pace, head time.Duration) *meter {
	p = p.orDefault()
	return &meter{pace: p, head: head, used: head, marks: []mark{{head, 0}}}
}

// add records that a Read ending at waited time at gave n bytes.
func (m *meter) add(at time.Duration, n int) {
	m.used, m.n = at, m.n+int64(n)
	last := len(m.marks) - 1
	if last > 0 && at-m.marks[last-1].at < m.pace.window/32 {
		m.marks[last] = mark{at, m.n} // thinned: never more than ~34 marks
	} else {
		m.marks = append(m.marks, mark{at, m.n})
	}
	for len(m.marks) > 1 && m.marks[1].at <= at-m.pace.window {
		m.marks = m.marks[1:]
	}
}

// since is the start of the window that ends at t.
func (m *meter) since(t time.Duration) time.Duration { return max(m.head, t-m.pace.window) }

// bytesAt is the byte count at waited time t, as far as the marks tell:
// never more than it was, so the rule errs toward patience.
func (m *meter) bytesAt(t time.Duration) int64 {
	var n int64
	for _, k := range m.marks {
		if k.at > t {
			break
		}
		n = k.n
	}
	return n
}

// stalled reports whether the body has failed at waited time t (no later
// than the next Read's end), with no byte since the last one counted.
func (m *meter) stalled(t time.Duration) bool {
	w := m.pace.window
	if t < w || t-m.head < w/2 {
		return false
	}
	from := m.since(t)
	return float64(m.n-m.bytesAt(from)) < float64(m.pace.rate)*(t-from).Seconds()
}

// stallAt is the waited time at which the body fails if no byte comes
// before it. stalled only turns true as time passes without a byte, so
// the first moment is one of: now, the moments the rule starts to apply,
// the moment the average since the headers falls under rate, or the moment
// a mark leaves the window.
func (m *meter) stallAt() time.Duration {
	w := m.pace.window
	since := time.Duration(float64(m.n-m.bytesAt(m.head))/float64(m.pace.rate)*float64(time.Second)) + 1
	ts := []time.Duration{m.used, w, m.head + w/2, m.head + since}
	for _, k := range m.marks {
		ts = append(ts, k.at+w)
	}
	slices.Sort(ts)
	for _, t := range ts {
		if t = max(t, m.used); m.stalled(t) {
			return t
		}
	}
	return m.used + w // not reached: the last mark's window always stalls
}

// waitText is a wait as a sentence says it: "30s", "1m30s", "250ms".
func waitText(d time.Duration) string {
	if d >= time.Second {
		return d.Round(time.Second).String()
	}
	return d.Round(time.Millisecond).String()
}
