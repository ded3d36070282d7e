package fakepds_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

const describe = "com.atproto.server.describeServer"

// rawDo sends a bodiless request on a fresh connection and returns the
// answer or the transport error.
func rawDo(s *fakepds.Server, method, nsid, token string) (*http.Response, []byte, error) {
	req, _ := http.NewRequest(method, s.URL()+"/xrpc/"+nsid, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	// A new transport each time: no reused connection, so net/http never
	// retries a request on its own.
	c := &http.Client{Transport: &http.Transport{}}
	defer c.CloseIdleConnections()
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func TestFaultStatus(t *testing.T) {
	s, _, _ := newServer(t, fakepds.Options{})
	s.Inject(describe, fakepds.Fault{Times: 2})
	s.Inject(describe, fakepds.Fault{Status: 503, RetryAfter: 1500 * time.Millisecond, Times: 1})
	for range 2 {
		call(t, s, "GET", describe, "", nil).wantError(t, 500, "InternalServerError", "Internal Server Error")
	}
	a := call(t, s, "GET", describe, "", nil)
	a.wantError(t, 503, "NotEnoughResources", "")
	if got := a.header.Get("Retry-After"); got != "2" {
		t.Errorf("Retry-After = %q", got)
	}
	call(t, s, "GET", describe, "", nil).wantOK(t)
	if n := s.Calls(describe); n != 4 {
		t.Errorf("Calls = %d (faulted requests count)", n)
	}

	// Times 0 lasts until ClearFaults; AllEndpoints covers every endpoint.
	s.Inject(fakepds.AllEndpoints, fakepds.Fault{Status: 502})
	for range 3 {
		call(t, s, "GET", describe, "", nil).wantError(t, 502, "UpstreamFailure", "")
	}
	call(t, s, "POST", "com.atproto.server.createSession", "", login{Identifier: "alice.test", Password: testPassword}).
		wantError(t, 502, "UpstreamFailure", "")
	s.ClearFaults()
	call(t, s, "GET", describe, "", nil).wantOK(t)
}

func TestFaultDelay(t *testing.T) {
	s, _, alice := newServer(t, fakepds.Options{})
	s.Inject(describe, fakepds.Fault{Kind: fakepds.FaultDelay, Delay: 100 * time.Millisecond, Times: 1})
	start := time.Now()
	call(t, s, "GET", describe, "", nil).wantOK(t)
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("answered after %v", d)
	}

	// A client that gives up leaves the request unprocessed.
	s.Inject("com.atproto.server.createSession", fakepds.Fault{Kind: fakepds.FaultDelay, Delay: time.Minute, Times: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	body := strings.NewReader(`{"identifier":"alice.test","password":"` + testPassword + `"}`)
	req, _ := http.NewRequestWithContext(ctx, "POST", s.URL()+"/xrpc/com.atproto.server.createSession", body)
	req.Header.Set("Content-Type", "application/json")
	if _, err := s.Client().Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	time.Sleep(50 * time.Millisecond)
	if n := s.ActiveSessions(alice.DID); n != 0 {
		t.Errorf("cancelled login created %d sessions", n)
	}
}

func TestFaultDelayClose(t *testing.T) {
	s := fakepds.New(fakepds.Options{})
	s.Inject(describe, fakepds.Fault{Kind: fakepds.FaultDelay, Delay: time.Hour})
	errc := make(chan error, 1)
	go func() {
		_, _, err := rawDo(s, "GET", describe, "")
		errc <- err
	}()
	for s.Calls(describe) == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	start := time.Now()
	s.Close()
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %v", d)
	}
	if err := <-errc; err == nil {
		t.Error("held request got an answer")
	}
}

func TestFaultDrop(t *testing.T) {
	s, _, alice := newServer(t, fakepds.Options{})
	sess := mustLogin(t, s, "alice.test", testPassword)
	s.Inject("com.atproto.server.refreshSession", fakepds.Fault{Kind: fakepds.FaultDrop, Times: 1})
	if _, _, err := rawDo(s, "POST", "com.atproto.server.refreshSession", sess.RefreshJwt); err == nil {
		t.Fatal("dropped request got an answer")
	}
	// Not processed: the token was not rotated, so it works without grace.
	if !s.RefreshTokenValid(sess.RefreshJwt) || s.ActiveSessions(alice.DID) != 1 {
		t.Fatal("dropped request was processed")
	}
	mustRefresh(t, s, sess.RefreshJwt)
}

func TestFaultGarbageAndHTML(t *testing.T) {
	s, _, _ := newServer(t, fakepds.Options{})
	s.Inject(describe, fakepds.Fault{Kind: fakepds.FaultGarbage, Times: 1})
	s.Inject(describe, fakepds.Fault{Kind: fakepds.FaultHTML, Times: 1})
	s.Inject(describe, fakepds.Fault{Kind: fakepds.FaultHTML, Status: 504, Times: 1})
	a := call(t, s, "GET", describe, "", nil)
	if a.status != 200 || json.Valid(a.body) {
		t.Errorf("garbage: %d %q", a.status, a.body)
	}
	a = call(t, s, "GET", describe, "", nil)
	if a.status != 502 || !strings.HasPrefix(a.header.Get("Content-Type"), "text/html") || !strings.Contains(string(a.body), "<html>") {
		t.Errorf("html: %d %v %q", a.status, a.header, a.body)
	}
	if a := call(t, s, "GET", describe, "", nil); a.status != 504 || !strings.Contains(string(a.body), "504 Gateway Timeout") {
		t.Errorf("html 504: %d %q", a.status, a.body)
	}
}

func TestFaultOversized(t *testing.T) {
	s, _, _ := newServer(t, fakepds.Options{})
	s.Inject(describe, fakepds.Fault{Kind: fakepds.FaultOversized, Times: 1})
	a := call(t, s, "GET", describe, "", nil)
	if a.status != 200 || len(a.body) != fakepds.OversizedBodySize || !json.Valid(a.body) {
		t.Errorf("oversized: %d, %d bytes", a.status, len(a.body))
	}
	// A client that stops reading early does not hold the server up.
	s.Inject(describe, fakepds.Fault{Kind: fakepds.FaultOversized, Times: 1})
	resp, err := s.Client().Get(s.URL() + "/xrpc/" + describe)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.ReadFull(resp.Body, make([]byte, 1024))
	resp.Body.Close()
	call(t, s, "GET", describe, "", nil).wantOK(t)
}

func TestFaultTruncated(t *testing.T) {
	s, _, _ := newServer(t, fakepds.Options{Grace: fakepds.NoGrace})
	sess := mustLogin(t, s, "alice.test", testPassword)
	s.Inject("com.atproto.server.refreshSession", fakepds.Fault{Kind: fakepds.FaultTruncated, Times: 1})
	resp, body, err := rawDo(s, "POST", "com.atproto.server.refreshSession", sess.RefreshJwt)
	if !errors.Is(err, io.ErrUnexpectedEOF) || resp.StatusCode != 200 || resp.ContentLength <= int64(len(body)) {
		t.Fatalf("truncated: %v, %v, %q", err, resp, body)
	}
	// The request was processed: the token rotated away.
	if s.RefreshTokenValid(sess.RefreshJwt) {
		t.Error("truncated refresh did not rotate")
	}
	// An empty answer is cut too.
	s.Inject("com.atproto.server.deleteSession", fakepds.Fault{Kind: fakepds.FaultTruncated, Times: 1})
	other := mustLogin(t, s, "alice.test", testPassword)
	if _, _, err := rawDo(s, "POST", "com.atproto.server.deleteSession", other.RefreshJwt); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("truncated empty answer: %v", err)
	}
}

func TestFaultRateLimit(t *testing.T) {
	s, clock, _ := newServer(t, fakepds.Options{})
	s.Inject(describe, fakepds.Fault{Kind: fakepds.FaultRateLimit, RetryAfter: 3 * time.Second, Times: 1})
	s.Inject(describe, fakepds.Fault{Kind: fakepds.FaultRateLimit, Times: 1})
	a := call(t, s, "GET", describe, "", nil)
	a.wantError(t, 429, "RateLimitExceeded", "Rate Limit Exceeded")
	reset := strconv.FormatInt(clock.Now().Unix()+3, 10)
	for k, want := range map[string]string{"Retry-After": "3", "RateLimit-Limit": "30", "RateLimit-Remaining": "0",
		"RateLimit-Reset": reset, "RateLimit-Policy": "30;w=300"} {
		if got := a.header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if got := call(t, s, "GET", describe, "", nil).header.Get("Retry-After"); got != "60" {
		t.Errorf("default Retry-After = %q", got)
	}
	// ResetAt: RateLimit-Reset names that time, and no Retry-After is sent.
	at := clock.Now().Add(17 * time.Minute)
	s.Inject(describe, fakepds.Fault{Kind: fakepds.FaultRateLimit, ResetAt: at, RetryAfter: time.Second, Times: 1})
	a = call(t, s, "GET", describe, "", nil)
	a.wantError(t, 429, "RateLimitExceeded", "Rate Limit Exceeded")
	if got, want := a.header.Get("RateLimit-Reset"), strconv.FormatInt(at.Unix(), 10); got != want {
		t.Errorf("RateLimit-Reset = %q, want %q", got, want)
	}
	if got, ok := a.header["Retry-After"]; ok {
		t.Errorf("Retry-After %q sent with ResetAt", got)
	}
}

func TestFaultLostResponse(t *testing.T) {
	for _, tc := range []struct {
		name     string
		grace    time.Duration
		oldWorks bool
	}{{"grace", 0, true}, {"no grace", fakepds.NoGrace, false}} {
		t.Run(tc.name, func(t *testing.T) {
			s, _, alice := newServer(t, fakepds.Options{Grace: tc.grace})
			sess := mustLogin(t, s, "alice.test", testPassword)
			s.Inject("com.atproto.server.refreshSession", fakepds.Fault{Kind: fakepds.FaultLostResponse, Times: 1})
			if _, _, err := rawDo(s, "POST", "com.atproto.server.refreshSession", sess.RefreshJwt); err == nil {
				t.Fatal("lost response arrived")
			}
			if got := s.RefreshTokenValid(sess.RefreshJwt); got != tc.oldWorks {
				t.Fatalf("old token valid = %v after a lost rotation", got)
			}
			if tc.oldWorks {
				mustRefresh(t, s, sess.RefreshJwt)
			}
			if n := s.ActiveSessions(alice.DID); n != 1 {
				t.Errorf("ActiveSessions = %d", n)
			}
		})
	}
}

func TestFaultKindString(t *testing.T) {
	if got := fakepds.FaultLostResponse.String(); got != "lost-response" {
		t.Errorf("String = %q", got)
	}
	if got := fakepds.FaultKind(99).String(); got != "FaultKind(99)" {
		t.Errorf("String = %q", got)
	}
}

// TestFaultDropGETRetry pins down what the FaultDrop documentation says:
// net/http resends a GET that got no answer on a reused connection once.
func TestFaultDropGETRetry(t *testing.T) {
	s, _, _ := newServer(t, fakepds.Options{})
	call(t, s, "GET", describe, "", nil).wantOK(t) // leaves a keep-alive connection
	s.Inject(describe, fakepds.Fault{Kind: fakepds.FaultDrop, Times: 2})
	resp, err := s.Client().Get(s.URL() + "/xrpc/" + describe)
	if err == nil {
		resp.Body.Close()
		t.Fatal("dropped GET got an answer")
	}
	if n := s.Calls(describe); n != 3 {
		t.Errorf("Calls = %d, want 3 (one automatic retry)", n)
	}
	call(t, s, "GET", describe, "", nil).wantOK(t)
}

func TestFaultQuoteCredentials(t *testing.T) {
	s, _, alice := newServer(t, fakepds.Options{})
	sess := mustLogin(t, s, "alice.test", testPassword)
	const create, refreshNSID = "com.atproto.server.createSession", "com.atproto.server.refreshSession"
	tok := sess.RefreshJwt
	sig := tok[strings.LastIndex(tok, ".")+1:]
	message := func(a answer) string {
		t.Helper()
		var e struct{ Error, Message string }
		a.decode(t, &e)
		return e.Message
	}

	// QuoteRequest, the default: the bearer token and the body, as sent.
	s.Inject(create, fakepds.Fault{Kind: fakepds.FaultQuoteCredentials, Status: 401, Name: "AuthenticationRequired", Times: 1})
	in := login{Identifier: "alice.test", Password: testPassword, AuthFactorToken: "ABCDE-FGHIJ"}
	a := call(t, s, "POST", create, "", in)
	a.wantError(t, 401, "AuthenticationRequired", "")
	body, _ := json.Marshal(in)
	if got, want := message(a), "refused:  "+string(body); got != want {
		t.Errorf("QuoteRequest of a login: %q, want %q", got, want)
	}
	s.Inject(refreshNSID, fakepds.Fault{Kind: fakepds.FaultQuoteCredentials, Name: "InvalidRequest", Times: 1})
	a = refresh(t, s, tok)
	a.wantError(t, 500, "InvalidRequest", "") // Status defaults to 500
	if got := message(a); got != "refused: "+tok+" " {
		t.Errorf("QuoteRequest of a refresh: %q", got)
	}

	// QuoteTail: the last 100 bytes, the signature whole.
	s.Inject(refreshNSID, fakepds.Fault{Kind: fakepds.FaultQuoteCredentials, Status: 503, Name: "NotEnoughResources", Quote: fakepds.QuoteTail, Times: 1})
	a = refresh(t, s, tok)
	a.wantError(t, 503, "NotEnoughResources", "refused: …"+tok[len(tok)-100:])
	if !strings.HasSuffix(message(a), "."+sig) {
		t.Error("QuoteTail lacks the signature")
	}
	// QuoteSignature: the signature alone.
	s.Inject(refreshNSID, fakepds.Fault{Kind: fakepds.FaultQuoteCredentials, Status: 400, Name: "ExpiredToken", Quote: fakepds.QuoteSignature, Times: 1})
	refresh(t, s, tok).wantError(t, 400, "ExpiredToken", "Token has been revoked (signature "+sig+")")
	// A short bearer is quoted whole; none gives an empty quote.
	s.Inject(refreshNSID, fakepds.Fault{Kind: fakepds.FaultQuoteCredentials, Name: "InvalidToken", Quote: fakepds.QuoteTail, Times: 2})
	refresh(t, s, "short").wantError(t, 500, "InvalidToken", "refused: …short")
	refresh(t, s, "").wantError(t, 500, "InvalidToken", "refused: …")

	// No Name: an HTML page holding the message, 502 by default.
	s.Inject(create, fakepds.Fault{Kind: fakepds.FaultQuoteCredentials, Times: 1})
	s.Inject(refreshNSID, fakepds.Fault{Kind: fakepds.FaultQuoteCredentials, Status: 504, Times: 1})
	a = call(t, s, "POST", create, "", in)
	if a.status != 502 || !strings.HasPrefix(a.header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(a.body), "<h1>502</h1>") || !strings.Contains(string(a.body), `"password":"`+testPassword+`"`) {
		t.Errorf("HTML page: %d %v %q", a.status, a.header, a.body)
	}
	if a = refresh(t, s, tok); a.status != 504 || !strings.Contains(string(a.body), "<pre>refused: "+tok+" </pre>") {
		t.Errorf("HTML page 504: %d %q", a.status, a.body)
	}

	// Not processed: the login made no session, the token never rotated.
	if !s.RefreshTokenValid(tok) || s.ActiveSessions(alice.DID) != 1 {
		t.Error("a quoting fault let the request through")
	}
	if got := fakepds.FaultQuoteCredentials.String(); got != "quote-credentials" {
		t.Errorf("String = %q", got)
	}
	// The requests it answered are marked; the first login is not.
	var faulted []bool
	for _, r := range s.Requests(create) {
		faulted = append(faulted, r.Faulted)
	}
	if fmt.Sprint(faulted) != "[false true true]" {
		t.Errorf("createSession requests faulted: %v", faulted)
	}
}

// The raw-answer faults: what a Go client gets back is not HTTP, and the
// error net/http makes of it quotes the credential the request carried.
func TestFaultEchoes(t *testing.T) {
	s, _, alice := newServer(t, fakepds.Options{Grace: fakepds.NoGrace})
	sess := mustLogin(t, s, "alice.test", testPassword)
	const create, refreshNSID = "com.atproto.server.createSession", "com.atproto.server.refreshSession"

	// FaultEchoRequest: the body comes back as the status line (whole, in
	// the error, when it holds no space).
	const spaceless = "no-spaces-in-this-password"
	bob := s.AddAccount(fakepds.Account{Handle: "bob.test", Password: spaceless})
	s.Inject(create, fakepds.Fault{Kind: fakepds.FaultEchoRequest, Times: 1})
	body := `{"identifier":"bob.test","password":"` + spaceless + `"}`
	resp, err := s.Client().Post(s.URL()+"/xrpc/"+create, "application/json", strings.NewReader(body))
	if err == nil {
		resp.Body.Close()
		t.Fatal("an echoed body was taken for an answer")
	}
	if !strings.Contains(err.Error(), "malformed HTTP response") || !strings.Contains(err.Error(), spaceless) {
		t.Errorf("echo-request: the error does not quote the echoed body (%d bytes)", len(err.Error()))
	}

	// FaultEchoAuthorization: the Authorization header comes back as a header line.
	s.Inject(refreshNSID, fakepds.Fault{Kind: fakepds.FaultEchoAuthorization, Times: 1})
	if _, _, err := rawDo(s, "POST", refreshNSID, sess.RefreshJwt); err == nil ||
		!strings.Contains(err.Error(), "malformed MIME header") || !strings.Contains(err.Error(), sess.RefreshJwt) {
		t.Errorf("echo-authorization: the error does not quote the token (%v)", err != nil)
	}

	// FaultEchoAuthorizationHeader: a well-formed error answer, the
	// Authorization header in one of its headers.
	s.Inject(refreshNSID, fakepds.Fault{Kind: fakepds.FaultEchoAuthorizationHeader, Status: 500, Times: 1})
	resp, data, err := rawDo(s, "POST", refreshNSID, sess.RefreshJwt)
	if err != nil {
		t.Fatalf("echo-authorization-header: %v", err)
	}
	if resp.StatusCode != 500 || resp.Header.Get("X-Echo-Authorization") != "Bearer "+sess.RefreshJwt || !strings.Contains(string(data), `"InternalServerError"`) {
		t.Errorf("echo-authorization-header: %d, token echoed %v, %s", resp.StatusCode, resp.Header.Get("X-Echo-Authorization") == "Bearer "+sess.RefreshJwt, data)
	}

	// None was processed: no session was made, the token did not rotate.
	if !s.RefreshTokenValid(sess.RefreshJwt) || s.ActiveSessions(alice.DID) != 1 || s.ActiveSessions(bob.DID) != 0 {
		t.Error("an echoing fault let the request through")
	}
	for k, want := range map[fakepds.FaultKind]string{fakepds.FaultEchoRequest: "echo-request", fakepds.FaultEchoAuthorization: "echo-authorization",
		fakepds.FaultEchoAuthorizationHeader: "echo-authorization-header"} {
		if got := k.String(); got != want {
			t.Errorf("String = %q, want %q", got, want)
		}
	}
}
