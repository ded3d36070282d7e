package accounts

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/auth"
)

func TestRetryAtText(t *testing.T) {
	now := time.Date(2030, 3, 4, 15, 0, 0, 0, time.Local) // printed in local time
	limited := func(reset time.Time) error {
		return fmt.Errorf("refresh: %w", &auth.Error{Method: "com.atproto.server.refreshSession", Status: 429, RateLimitReset: reset})
	}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{limited(now.Add(12*time.Minute + 10*time.Second)), "15:13 (in 13 minutes)"},
		{limited(now.Add(42 * time.Second)), "15:01 (in 42 seconds)"},
		{limited(now.Add(time.Second)), "15:01 (in 1 second)"},
		{limited(now.Add(time.Minute)), "15:01 (in 1 minute)"},
		{limited(now.Add(2*time.Hour + 5*time.Minute)), "17:05 (in 2h05m)"},
		{limited(now.Add(24 * time.Hour)), "Mar 5 15:00 (in 24h00m)"},
		{limited(now.Add(24*time.Hour + time.Second)), "Mar 5 15:01 (in 24h01m)"},
		{limited(now.Add(48 * time.Hour)), "Mar 6 15:00 (in 48h00m)"},
		{limited(now.Add(48*time.Hour + time.Second)), "Mar 6 15:01 (in 3 days)"},
		{limited(now.Add(300 * 24 * time.Hour)), "Dec 29 15:00 (in 300 days)"},
		{limited(time.Unix(99999999999999, 0)), now.Add(auth.MaxRetryWait).Format("Jan 2 2006 15:04") + " (in a year or more)"},
		{&auth.Error{Status: 429, RetryAfter: 1<<63 - 1}, now.Add(auth.MaxRetryWait).Format("Jan 2 2006 15:04") + " (in a year or more)"},
		{limited(time.Time{}), ""},
		{&auth.Error{Status: 429, RetryAfter: 90 * time.Second}, "15:02 (in 2 minutes)"},
	} {
		if got := RetryAtText(tc.err, now); got != tc.want {
			t.Errorf("RetryAtText(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// The headers as a server sends them, absurd ones included, through auth:
// no overflow ("in -2562047h-46m", "in 1 second"), a plain text for resets
// far away, nothing for what is not a wait.
func TestRetryAtTextFromHeaders(t *testing.T) {
	now := time.Date(2030, 3, 4, 15, 0, 0, 0, time.Local)
	far := now.Add(auth.MaxRetryWait).Format("Jan 2 2006 15:04") + " (in a year or more)"
	unix := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
	for _, tc := range []struct {
		header, value, want string
	}{
		{"RateLimit-Reset", "99999999999999", far},
		{"Retry-After", "18446744074", far},
		{"Retry-After", "99999999999999999999999999", far},
		{"RateLimit-Reset", unix(3 * 24 * time.Hour), "Mar 7 15:00 (in 3 days)"},
		{"RateLimit-Reset", unix(12 * time.Minute), "15:12 (in 12 minutes)"},
		{"Retry-After", "90", "15:02 (in 2 minutes)"},
		{"Retry-After", now.Add(90 * time.Second).UTC().Format(http.TimeFormat), "15:02 (in 2 minutes)"},
		{"Retry-After", now.AddDate(3000, 0, 0).UTC().Format(http.TimeFormat), far},
		{"Retry-After", "0", ""},
		{"Retry-After", "-5", ""},
		{"Retry-After", "soon", ""},
		{"RateLimit-Reset", "0", ""},
		{"RateLimit-Reset", "-1", ""},
		{"RateLimit-Reset", "-99999999999999999999999", ""},
		{"RateLimit-Reset", "tomorrow", ""},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set(tc.header, tc.value)
			w.WriteHeader(http.StatusTooManyRequests)
		}))
		c := &auth.Client{Now: func() time.Time { return now }}
		err := c.Query(context.Background(), srv.URL, "com.atproto.server.refreshSession", "", nil, nil)
		srv.Close()
		if got := RetryAtText(err, now); got != tc.want || strings.Contains(got, "-") {
			t.Errorf("%s: %s: RetryAtText = %q, want %q", tc.header, tc.value, got, tc.want)
		}
	}
}

func TestLoginRateLimited(t *testing.T) {
	login := &auth.Error{Method: "com.atproto.server.createSession", Status: 429, Name: "RateLimitExceeded"}
	refresh := &auth.Error{Method: "com.atproto.server.refreshSession", Status: 429, Name: "RateLimitExceeded"}
	wrongPassword := &auth.Error{Method: "com.atproto.server.createSession", Status: 401, Name: "AuthenticationRequired"}
	if !LoginRateLimited(fmt.Errorf("login: %w", login)) || LoginRateLimited(refresh) || LoginRateLimited(wrongPassword) {
		t.Error("LoginRateLimited tells a rate-limited login from the rest wrongly")
	}
}
