package accounts

import (
	"testing"
	"time"
)

// The README's rule, at its edges, for every token whatever its lifetime:
// amber under 15 minutes, red under 2, red once expired.
func TestUrgencyOf(t *testing.T) {
	for _, c := range []struct {
		left time.Duration
		want Urgency
	}{
		{90 * 24 * time.Hour, Calm},
		{time.Hour, Calm},
		{15 * time.Minute, Calm},
		{15*time.Minute - time.Nanosecond, Warning},
		{15*time.Minute - time.Second, Warning},
		{2 * time.Minute, Warning},
		{2*time.Minute - time.Nanosecond, Alarm},
		{90 * time.Second, Alarm}, // 1:30 left: urgent, whatever the lifetime
		{80 * time.Second, Alarm}, // a fresh 80-second token lasts under 2 minutes
		{time.Second, Alarm},
		{0, Alarm},
		{-time.Hour, Alarm},
	} {
		if got := UrgencyOf(c.left); got != c.want {
			t.Errorf("UrgencyOf(%v) = %v, want %v", c.left, got, c.want)
		}
	}
	if Calm.String() != "calm" || Warning.String() != "warning" || Alarm.String() != "alarm" {
		t.Errorf("names: %v %v %v", Calm, Warning, Alarm)
	}
}
