package accounts

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/skyswitch/skyswitch/auth"
)

// LoginLimitHint is said when a login (createSession) is rate limited:
// servers limit logins much harder than refreshes, and skyswitch never
// logs in again by itself, so the way out is to keep the sessions.
const LoginLimitHint = "the bsky.social entryway allows far fewer logins a day than token refreshes, " +
	"so keep saved sessions and refresh them rather than logging in again"

// LoginRateLimited reports whether err is a rate limit on logging in.
func LoginRateLimited(err error) bool {
	var xe *auth.Error
	return errors.Is(err, auth.ErrRateLimited) && errors.As(err, &xe) && strings.Contains(xe.Method, "createSession")
}

// RetryAtText says when a rate-limited request may be made again, from the
// server's RateLimit-Reset (or Retry-After): "17:42 (in 12 minutes)", the
// time as ClockText says it (rounded up to the minute, so that trying again
// at the minute it names is never too early). It is "" when the server did
// not say. A wait over two days is said in days, and one of
// auth.MaxRetryWait or more (however absurd the header) as "a year or more".
func RetryAtText(err error, now time.Time) string {
	at := auth.RetryAt(err, now)
	if at.IsZero() {
		return ""
	}
	if limit := now.Add(auth.MaxRetryWait); at.After(limit) {
		at = limit
	}
	return ClockText(at, now) + " (in " + inText(at.Sub(now)) + ")"
}

// inText is a wait, rounded up: "42 seconds", "12 minutes", "3h05m" (up to
// two days), "3 days", "a year or more".
func inText(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d >= auth.MaxRetryWait:
		return "a year or more"
	case d > 2*day:
		return fmt.Sprintf("%d days", int((d+day-1)/day))
	case d >= time.Hour:
		m := int((d + time.Minute - 1) / time.Minute)
		return fmt.Sprintf("%dh%02dm", m/60, m%60)
	case d > time.Minute:
		n := int((d + time.Minute - 1) / time.Minute)
		return fmt.Sprintf("%d minutes", n)
	case d == time.Minute:
		return "1 minute"
	}
	n := int((d + time.Second - 1) / time.Second)
	if n == 1 {
		return "1 second"
	}
	return fmt.Sprintf("%d seconds", n)
}
