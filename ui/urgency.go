package ui

import "time"

// Urgency is how soon an access token runs out, graded as the switcher
// colours its countdown: the command line's prompt segment colours by the
// same rule, so the two never disagree.
type Urgency int

// The grades of Urgency, in the README's colours.
const (
	Calm    Urgency = iota // green: time enough
	Warning                // amber: under 15 minutes
	Alarm                  // red: under 2 minutes, or expired
)

// UrgencyOf grades an access token's time left, given its lifetime (zero
// when unknown), as the switcher's countdown is coloured.
func UrgencyOf(left, life time.Duration) Urgency {
	switch urgencyOf(left, life) {
	case alarm:
		return Alarm
	case warning:
		return Warning
	}
	return Calm
}
