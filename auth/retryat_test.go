package auth

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestRetryAt(t *testing.T) {
	now := time.Date(2030, 3, 4, 15, 0, 0, 0, time.UTC)
	reset := now.Add(17 * time.Minute)
	for _, tc := range []struct {
		name string
		err  error
		want time.Time
	}{
		{"reset only", &Error{Status: 429, RateLimitReset: reset}, reset},
		{"retry-after only", &Error{Status: 429, RetryAfter: 90 * time.Second}, now.Add(90 * time.Second)},
		{"the later of the two", &Error{Status: 429, RetryAfter: time.Hour, RateLimitReset: reset}, now.Add(time.Hour)},
		{"reset later than retry-after", &Error{Status: 429, RetryAfter: time.Minute, RateLimitReset: reset}, reset},
		{"reset already past", &Error{Status: 429, RateLimitReset: now.Add(-time.Minute)}, time.Time{}},
		{"wrapped", fmt.Errorf("refresh: %w", &Error{Status: 429, RateLimitReset: reset}), reset},
		{"neither", &Error{Status: 429}, time.Time{}},
		{"not an XRPC error", errors.New("boom"), time.Time{}},
	} {
		if got := RetryAt(tc.err, now); !got.Equal(tc.want) {
			t.Errorf("%s: RetryAt = %v, want %v", tc.name, got, tc.want)
		}
	}
}
