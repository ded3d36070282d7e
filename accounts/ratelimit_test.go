package accounts

import (
	"fmt"
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
		{limited(time.Time{}), ""},
		{&auth.Error{Status: 429, RetryAfter: 90 * time.Second}, "15:02 (in 2 minutes)"},
	} {
		if got := RetryAtText(tc.err, now); got != tc.want {
			t.Errorf("RetryAtText(%v) = %q, want %q", tc.err, got, tc.want)
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
