package accounts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
)

// The one table from error to sentence, row by row, on a surface that keeps
// whole errors and advises (as the command line does) and on one that cuts
// them and gives no advice (a switcher banner).
func TestSentence(t *testing.T) {
	const (
		create  = "com.atproto.server.createSession"
		refresh = "com.atproto.server.refreshSession"
		get     = "com.atproto.server.getSession"
	)
	now := time.Date(2030, 3, 4, 15, 0, 0, 0, time.Local)
	xrpc := func(method string, status int, name string) *auth.Error {
		return &auth.Error{Method: method, Status: status, Name: name, Message: "the server's words"}
	}
	limited := func(method string, reset time.Time) *auth.Error {
		e := xrpc(method, 429, "RateLimitExceeded")
		e.RateLimitReset = reset
		return e
	}
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	transport := func(kind auth.TransportKind, detail string, cause error) *auth.TransportError {
		return &auth.TransportError{Method: refresh, Host: "pds.example:443", Kind: kind, Detail: detail, Err: cause}
	}
	timeout := transport(auth.TransportNetwork, "context deadline exceeded", context.DeadlineExceeded)
	network := transport(auth.TransportNetwork, "dial tcp 127.0.0.1:9: connect: connection refused", refused)
	cert := transport(auth.TransportCertName, "", errors.New("x509: certificate is valid for other.example"))
	malformed := transport(auth.TransportMalformed, "", errors.New("malformed HTTP response"))
	closed := transport(auth.TransportClosed, "", io.EOF)
	noAnswer := transport(auth.TransportTimeout, "30s", context.DeadlineExceeded)
	stalled := transport(auth.TransportStalled, "under 1 KiB/s for 30s", context.DeadlineExceeded)
	fileErr := &storage.FileError{Path: "/x/accounts.json", Reason: "line 3: not JSON", Kind: storage.ErrCorrupt}
	endedLocally := fmt.Errorf("%w: the refresh token of alice.test expired 2030-06-02T15:00:00Z", ErrSessionEnded)
	lock := fmt.Errorf("%w: alice.test's lock, held by process 42", storage.ErrLockTimeout)
	badURL := fmt.Errorf("%w: ftp://x: not http or https", auth.ErrBadURL)
	plain := errors.New("the disk is full")
	otherDID := fmt.Errorf("%s: %w: the server's answer holds tokens for another account (did:plc:bob)", refresh, auth.ErrBadResponse)
	const limitedLogin = "rate limited by the server until 15:42 (in 42 minutes); " + LoginLimitHint

	full := Surface{Full: true, SignInCode: "give the code", NewCode: "ask for a new one",
		Service: "name the server", Refresh: "refresh instead", MoveAside: "move it aside"}
	short := Surface{}
	for _, tc := range []struct {
		name        string
		err         error
		full, short string
	}{
		{"taken down", xrpc(refresh, 400, "AccountTakedown"),
			"this account has been taken down by its server", "this account has been taken down by its server"},
		{"taken down, session ended", fmt.Errorf("%w: %w", ErrSessionEnded, xrpc(refresh, 400, "AccountTakedown")),
			"this account has been taken down by its server", "this account has been taken down by its server"},
		{"session ended by the server", fmt.Errorf("%w: %w", ErrSessionEnded, xrpc(refresh, 400, "ExpiredToken")),
			"the server ended the session (revoked or expired): log in again",
			"the server ended the session (revoked or expired): log in again"},
		{"session ended here", endedLocally, endedLocally.Error(), endedLocally.Error()},
		{"sign-in code wanted", xrpc(create, 401, "AuthFactorTokenRequired"),
			"the server sent a sign-in code to your email; give the code", "the server sent a sign-in code to your email"},
		{"wrong password", xrpc(create, 401, "AuthenticationRequired"),
			"wrong identifier or password", "wrong identifier or password"},
		{"authentication wanted, not at login", xrpc(get, 401, "AuthenticationRequired"),
			get + ": AuthenticationRequired: the server's words", get + ": AuthenticationRequired: the server's words"},
		{"wrong sign-in code", xrpc(create, 400, "InvalidToken"),
			"the sign-in code is wrong or has expired; ask for a new one", "the sign-in code is wrong or has expired"},
		{"expired sign-in code", xrpc(create, 400, "ExpiredToken"),
			"the sign-in code is wrong or has expired; ask for a new one", "the sign-in code is wrong or has expired"},
		{"invalid token, not at login", xrpc(refresh, 400, "InvalidToken"),
			refresh + ": InvalidToken: the server's words", refresh + ": InvalidToken: the server's words"},
		{"rate limited until", limited(refresh, now.Add(42*time.Minute)),
			"rate limited by the server until 15:42 (in 42 minutes)", "rate limited by the server until 15:42 (in 42 minutes)"},
		{"rate limited, no time said", limited(refresh, time.Time{}),
			"rate limited by the server; try again later", "rate limited by the server; try again later"},
		{"login rate limited", limited(create, now.Add(42*time.Minute)),
			limitedLogin + " (refresh instead)", limitedLogin},
		{"bad URL", badURL, badURL.Error(), badURL.Error()},
		{"no PDS for the handle", fmt.Errorf("%w: handle alice.test: no DNS record", auth.ErrResolve),
			"could not find the PDS for that handle; name the server", "could not find the PDS for that handle"},
		{"lock timeout", lock, lock.Error(), lock.Error()},
		{"accounts file unreadable", fmt.Errorf("load: %w", fileErr),
			"load: " + fileErr.Error() + "; move it aside", "load: " + fileErr.Error()},
		{"server error", xrpc(refresh, 503, "NotEnoughResources"),
			refresh + ": NotEnoughResources: the server's words", "server error 503"},
		{"client error", xrpc(get, 400, "InvalidRequest"),
			get + ": InvalidRequest: the server's words", get + ": InvalidRequest: the server's words"},
		{"request timeout answer", xrpc(get, 408, ""), get + ": HTTP 408: the server's words", get + ": HTTP 408: the server's words"},
		{"no connection", network, network.Error(), "cannot reach the server"},
		{"connection closed", closed, closed.Error(), "cannot reach the server"},
		{"no answer in time", timeout, timeout.Error(), "pds.example:443: context deadline exceeded"},
		{"no answer within the timeout", noAnswer, noAnswer.Error(), "the server at pds.example:443 did not answer within 30s"},
		{"an answer that stalled", stalled, stalled.Error(), "the server at pds.example:443 stopped sending (under 1 KiB/s for 30s)"},
		{"certificate", cert, cert.Error(), "the server's certificate is not valid for this host"},
		{"malformed answer", malformed, malformed.Error(), "the server sent a malformed answer"},
		{"transient, not from a request", fmt.Errorf("reading: %w", io.ErrUnexpectedEOF),
			"reading: unexpected EOF", "cannot reach the server"},
		{"answer for another account", otherDID, otherDID.Error(),
			"unexpected response from server: the server's answer holds tokens for another account (did:plc:bob)"},
		{"anything else", plain, plain.Error(), plain.Error()},
	} {
		if got := Sentence(tc.err, now, full); got != tc.full {
			t.Errorf("%s, whole:\n got %q\nwant %q", tc.name, got, tc.full)
		}
		if got := Sentence(tc.err, now, short); got != tc.short {
			t.Errorf("%s, cut:\n got %q\nwant %q", tc.name, got, tc.short)
		}
	}
}

// A wait that ran out is said as auth says it, host included, never as
// "cannot reach the server"; so is a cancellation.
func TestSentenceTimeoutIsNotUnreachable(t *testing.T) {
	for _, cause := range []error{context.DeadlineExceeded, &net.OpError{Op: "read", Net: "tcp", Err: timeoutErr{}}} {
		te := &auth.TransportError{Method: "m", Host: "pds.example", Kind: auth.TransportNetwork, Detail: "the wait ran out", Err: cause}
		if got := Sentence(te, time.Now(), Surface{}); got != "pds.example: the wait ran out" {
			t.Errorf("%v: %q", cause, got)
		}
	}
	cancelled := &auth.TransportError{Method: "m", Host: "pds.example", Kind: auth.TransportNetwork, Detail: "context canceled", Err: context.Canceled}
	if got := Sentence(cancelled, time.Now(), Surface{}); got != "pds.example: context canceled" {
		t.Errorf("cancelled: %q", got)
	}
}

// timeoutErr is a net.Error that timed out.
type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }
