package accounts

import "time"

// ClockText is a time as skyswitch says it on every surface (the command
// line and the switcher alike): a 24-hour local clock, "17:07", with the
// date when that is not today, "Mar 5 17:07", and the year when that is
// not this year, "Jan 2 2031 17:07". It is rounded up to the minute: a
// time until which a token stays valid, or before which a retry is
// refused, is never said earlier than it is.
func ClockText(t, now time.Time) string {
	t = t.Add(time.Minute - time.Nanosecond).Truncate(time.Minute).Local()
	today := now.Local()
	layout := "15:04"
	switch y, m, d := t.Date(); {
	case y != today.Year():
		layout = "Jan 2 2006 15:04"
	case m != today.Month() || d != today.Day():
		layout = "Jan 2 15:04"
	}
	return t.Format(layout)
}
