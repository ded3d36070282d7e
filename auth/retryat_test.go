package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
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
		{"an OAuth endpoint's retry-after", fmt.Errorf("refresh: %w", &OAuthError{Endpoint: "token endpoint", Status: 429, RetryAfter: 2 * time.Minute}), now.Add(2 * time.Minute)},
		{"an OAuth endpoint's without", &OAuthError{Endpoint: "token endpoint", Status: 503}, time.Time{}},
	} {
		if got := RetryAt(tc.err, now); !got.Equal(tc.want) {
			t.Errorf("%s: RetryAt = %v, want %v", tc.name, got, tc.want)
		}
	}
	// The switcher's retry wait honours an OAuth endpoint's Retry-After
	// as it does an XRPC error's.
	oe := fmt.Errorf("refresh: %w", &OAuthError{Endpoint: "token endpoint", Status: 429, RetryAfter: 2 * time.Minute})
	if got := RetryDelay(oe, now); got != 2*time.Minute {
		t.Errorf("RetryDelay of an OAuth error = %v, want 2m", got)
	}
}

// Retry-After and RateLimit-Reset as servers send them, absurd ones
// included: never an overflow, never a negative wait, never more than
// MaxRetryWait; an HTTP date is honoured.
func TestRateLimitHeaders(t *testing.T) {
	now := time.Date(2030, 3, 4, 15, 0, 0, 0, time.UTC)
	date := func(d time.Duration) string { return now.Add(d).Format(http.TimeFormat) }
	for _, tc := range []struct {
		value string
		want  time.Duration
	}{
		{"30", 30 * time.Second},
		{" 7 ", 7 * time.Second},
		{"18446744074", MaxRetryWait},
		{"99999999999999", MaxRetryWait},
		{"99999999999999999999999999", MaxRetryWait},
		{"0", 0},
		{"-5", 0},
		{"-99999999999999999999999999", 0},
		{"soon", 0},
		{"", 0},
		{date(90 * time.Second), 90 * time.Second},
		{date(-time.Minute), 0},
		{now.AddDate(5000, 0, 0).Format(http.TimeFormat), MaxRetryWait},
	} {
		if got := parseRetryAfter(tc.value, now); got != tc.want {
			t.Errorf("Retry-After %q: %v, want %v", tc.value, got, tc.want)
		}
	}
	limit := now.Add(MaxRetryWait)
	for _, tc := range []struct {
		value string
		want  time.Time
	}{
		{strconv.FormatInt(now.Unix()+90, 10), now.Add(90 * time.Second)},
		{"99999999999999", limit},
		{"99999999999999999999999999", limit},
		{"0", time.Time{}},
		{"-1", time.Time{}},
		{"-99999999999999999999999999", time.Time{}},
		{"garbage", time.Time{}},
		{date(time.Minute), time.Time{}}, // a date is not unix seconds
	} {
		if got := parseRateLimitReset(tc.value, now); !got.Equal(tc.want) {
			t.Errorf("RateLimit-Reset %q: %v, want %v", tc.value, got, tc.want)
		}
	}
}

// A Retry-After given as an HTTP date reaches RetryDelay and RetryAt.
func TestRetryAfterHTTPDate(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	base := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", now.Add(2*time.Minute).UTC().Format(http.TimeFormat))
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	err := (&Client{Now: func() time.Time { return now }}).Query(context.Background(), base, "x.y.z", "", nil, nil)
	if d := RetryDelay(err, now); d != 2*time.Minute {
		t.Errorf("RetryDelay = %v, want 2m0s (err %v)", d, err)
	}
	if at := RetryAt(err, now); !at.Equal(now.Add(2 * time.Minute)) {
		t.Errorf("RetryAt = %v, want %v", at, now.Add(2*time.Minute))
	}
}
