package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
)

// countdown is the time left, compact: 1h59m12s, then 4m07s, then 0:42.
func countdown(d time.Duration) string {
	if d <= 0 {
		return "expired"
	}
	d = d.Truncate(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%dd", h/24)
	case h > 0:
		return fmt.Sprintf("%dh%02dm%02ds", h, m, s)
	case m > 0:
		return fmt.Sprintf("%dm%02ds", m, s)
	}
	return fmt.Sprintf("0:%02d", s)
}

// days is a refresh token's remaining life (or an OAuth session's) in
// whole days: 89d; under two days in whole hours, 47h; under an hour a
// countdown, 59m12s. Each fits the REFRESH column (colRefresh).
func days(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	case d >= time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return countdown(d)
}

// forUrgency is the style of a countdown with urgency u (accounts.UrgencyOf).
func (s styles) forUrgency(u accounts.Urgency) func(...string) string {
	switch u {
	case accounts.Alarm:
		return s.alarm.Render
	case accounts.Warning:
		return s.warn.Render
	}
	return s.calm.Render
}

// shortDID keeps a DID recognisable in a narrow column. It cuts between
// runes: a DID from the file may hold any.
func shortDID(did string, width int) string {
	r := []rune(did)
	if len(r) <= width || width < 8 {
		return did
	}
	keep := width - 1
	return string(r[:keep/2+keep%2]) + "…" + string(r[len(r)-keep/2:])
}

// backoff is the delay before retry n (1-based) of a failed refresh:
// exponential from 1 s up to 5 min, with up to 20 % jitter from j in [0,1).
func backoff(n int, j float64) time.Duration {
	d := time.Second << min(max(n-1, 0), 9)
	d = min(d, 5*time.Minute)
	return d + time.Duration(float64(d)*0.2*j)
}

// capitalize makes s's first letter a capital (ASCII).
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// indent puts prefix before every line of s.
func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}
