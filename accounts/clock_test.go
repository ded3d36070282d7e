package accounts

import (
	"testing"
	"time"
)

// One clock for every surface: 24-hour, local, rounded up to the minute,
// with the date when not today and the year when not this year.
func TestClockText(t *testing.T) {
	now := time.Date(2030, 3, 4, 15, 0, 0, 0, time.Local)
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{now, "15:00"},
		{now.Add(time.Second), "15:01"}, // never earlier than it is
		{now.Add(2*time.Hour + 7*time.Minute), "17:07"},
		{now.Add(2*time.Hour + 7*time.Minute + 30*time.Second), "17:08"},
		{now.Add(-14 * time.Hour), "01:00"},
		{now.Add(8*time.Hour + 59*time.Minute + 30*time.Second), "Mar 5 00:00"}, // past midnight
		{now.Add(-16 * time.Hour), "Mar 3 23:00"},
		{time.Date(2031, 1, 2, 9, 5, 0, 0, time.Local), "Jan 2 2031 09:05"},
	} {
		if got := ClockText(tc.at, now); got != tc.want {
			t.Errorf("ClockText(%v) = %q, want %q", tc.at, got, tc.want)
		}
	}
}
