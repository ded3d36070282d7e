package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Sentinel errors for errors.Is. An *Error matches the one its XRPC error
// name (or, for ErrRateLimited, its HTTP status) stands for.
var (
	ErrAuthenticationRequired  = errors.New("authentication required")
	ErrAuthFactorTokenRequired = errors.New("sign-in code required")
	ErrAccountTakedown         = errors.New("account taken down")
	ErrExpiredToken            = errors.New("token expired or revoked")
	ErrInvalidToken            = errors.New("token invalid")
	ErrRateLimited             = errors.New("rate limited")

	// ErrBadResponse is wrapped when a server answers with something that is
	// not a valid XRPC answer: HTML, garbage, a cut or oversized body.
	ErrBadResponse = errors.New("unexpected response from server")
	// ErrLoggedOut is returned by a Session after Logout or after the server
	// ended the session.
	ErrLoggedOut = errors.New("logged out")
)

var errorNames = map[error]string{
	ErrAuthenticationRequired:  "AuthenticationRequired",
	ErrAuthFactorTokenRequired: "AuthFactorTokenRequired",
	ErrAccountTakedown:         "AccountTakedown",
	ErrExpiredToken:            "ExpiredToken",
	ErrInvalidToken:            "InvalidToken",
	ErrRateLimited:             "RateLimitExceeded",
}

// Error is an XRPC error answer: an HTTP status of 400 or more, with the
// "error" and "message" fields of its JSON body when it had them.
type Error struct {
	Method  string // NSID of the call
	Status  int
	Name    string // XRPC error name, e.g. ExpiredToken; "" for a non-JSON body
	Message string // the server's message, cut to a sane length

	// RetryAfter is the Retry-After header (seconds or HTTP date), zero when absent.
	RetryAfter time.Duration
	// RateLimitReset is the RateLimit-Reset header (unix seconds), zero when absent.
	RateLimitReset time.Time

	// Header is the answer's headers, those quoting a credential of the
	// request withheld, for `skyswitch api -i`. Only Client.Raw keeps them:
	// nil for every other call.
	Header http.Header
}

func (e *Error) Error() string {
	name := e.Name
	if name == "" {
		name = "HTTP " + strconv.Itoa(e.Status)
	}
	s := fmt.Sprintf("%s: %s", e.Method, name)
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Is reports whether e stands for target, one of the sentinel errors above.
func (e *Error) Is(target error) bool {
	if target == ErrRateLimited && e.Status == 429 {
		return true
	}
	name, ok := errorNames[target]
	return ok && e.Name == name
}

// IsTransient reports whether err may go away by itself: no answer arrived
// (network error, timeout, dropped connection), the answer was unreadable,
// the server failed (5xx), timed out (408) or asked to slow down (429). Everything else — an
// answer the server meant, such as ExpiredToken — is permanent. A cancelled
// context is neither: the caller gave up, and IsTransient says false.
func IsTransient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var xe *Error
	if errors.As(err, &xe) {
		return xe.Status >= 500 || xe.Status == 429 || xe.Status == 408
	}
	var oe *OAuthError
	if errors.As(err, &oe) {
		return oe.Status >= 500 || oe.Status == 429 || oe.Status == 408
	}
	var ne net.Error
	return errors.As(err, &ne) ||
		errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, io.EOF) ||
		errors.Is(err, ErrBadResponse)
}

// EndsSession reports whether err, answered to a refresh, means the session is
// over: the refresh token expired or was revoked, is not valid, or the account
// was taken down; for an OAuth session, the token endpoint's invalid_grant.
// Nothing else may end a session (network errors in particular must not:
// LESSONS.md, "random logouts").
func EndsSession(err error) bool {
	return errors.Is(err, ErrExpiredToken) ||
		errors.Is(err, ErrInvalidToken) ||
		errors.Is(err, ErrAccountTakedown) ||
		errors.Is(err, ErrInvalidGrant)
}

// RetryDelay is how long the server asked the client to wait, from
// Retry-After or RateLimit-Reset (an OAuth endpoint's: Retry-After), or
// zero when it did not say.
func RetryDelay(err error, now time.Time) time.Duration {
	var oe *OAuthError
	if errors.As(err, &oe) {
		return oe.RetryAfter
	}
	var xe *Error
	if !errors.As(err, &xe) {
		return 0
	}
	if xe.RetryAfter > 0 {
		return xe.RetryAfter
	}
	if !xe.RateLimitReset.IsZero() && xe.RateLimitReset.After(now) {
		return xe.RateLimitReset.Sub(now)
	}
	return 0
}

// RetryAt is when the server said the client may try again: the later of
// RateLimit-Reset and now plus Retry-After, or the zero time when it said
// neither (or only a time already past).
func RetryAt(err error, now time.Time) time.Time {
	var oe *OAuthError
	if errors.As(err, &oe) {
		if oe.RetryAfter > 0 {
			return now.Add(oe.RetryAfter)
		}
		return time.Time{}
	}
	var xe *Error
	if !errors.As(err, &xe) {
		return time.Time{}
	}
	var at time.Time
	if xe.RateLimitReset.After(now) {
		at = xe.RateLimitReset
	}
	if xe.RetryAfter > 0 {
		if t := now.Add(xe.RetryAfter); t.After(at) {
			at = t
		}
	}
	return at
}
