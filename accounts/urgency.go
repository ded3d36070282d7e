package accounts

import "time"

// Urgency grades how soon a token runs out, by the time it has left and
// nothing else: the same for every token, however long its life, and on
// every surface (the switcher's countdowns and inspector, the prompt
// segment). A token with 1:30 left fails a script in 1:30 whether it was
// issued for two hours or for 80 seconds.
type Urgency int

const (
	// Calm is WarnUnder or more left.
	Calm Urgency = iota
	// Warning (amber) is under WarnUnder left.
	Warning
	// Alarm (red) is under AlarmUnder left, or expired.
	Alarm
)

// The thresholds of Urgency: amber under 15 minutes, red under 2.
const (
	WarnUnder  = 15 * time.Minute
	AlarmUnder = 2 * time.Minute
)

// UrgencyOf grades left, the time until a token expires (zero or less:
// expired).
func UrgencyOf(left time.Duration) Urgency {
	switch {
	case left < AlarmUnder:
		return Alarm
	case left < WarnUnder:
		return Warning
	}
	return Calm
}

// String is the grade's name: calm, warning or alarm.
func (u Urgency) String() string {
	switch u {
	case Warning:
		return "warning"
	case Alarm:
		return "alarm"
	}
	return "calm"
}
