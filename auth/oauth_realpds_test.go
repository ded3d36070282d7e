package auth_test

// OAuth sign-in and sessions against the real reference PDS, the person
// at the browser played headless by internal/oauthtest.

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/oauthtest"
)

// authRecorder records every request's Authorization scheme, and fails
// the test on a Bearer: an OAuth session must never send one.
type authRecorder struct {
	t       *testing.T
	mu      sync.Mutex
	schemes []string
	proofs  int
}

func (a *authRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	scheme, _, _ := strings.Cut(req.Header.Get("Authorization"), " ")
	a.mu.Lock()
	a.schemes = append(a.schemes, scheme)
	if req.Header.Get("DPoP") != "" {
		a.proofs++
	}
	a.mu.Unlock()
	if strings.EqualFold(scheme, "Bearer") {
		a.t.Errorf("a plain Bearer went to %s", req.URL.Path)
	}
	return http.DefaultTransport.RoundTrip(req)
}

// oauthClient is r's client with every request recorded.
func (r *realPDS) oauthClient(t *testing.T) (*auth.Client, *authRecorder) {
	rec := &authRecorder{t: t}
	c := &auth.Client{Timeout: 20 * time.Second, Resolver: &auth.Resolver{PLCURL: r.plc}, HTTP: &http.Client{Transport: rec}}
	return c, rec
}

// startOAuth starts a sign-in for a at a loopback listener.
func startOAuth(t *testing.T, c *auth.Client, service, ident, scope string) (*auth.OAuthPending, *auth.CallbackListener) {
	t.Helper()
	l, err := auth.ListenCallback()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	p, err := c.StartOAuth(context.Background(), auth.OAuthRequest{Service: service, Identifier: ident, Scope: scope, RedirectURI: l.RedirectURI()})
	if err != nil {
		t.Fatalf("StartOAuth: %v", err)
	}
	return p, l
}

// browse has the browser come back to the listener with callback, and
// returns what the listener handed over. The listener expects the state
// first, as login --oauth has it do before the browser opens: a callback
// that came before Wait had the state was answered "not awaited" (it
// failed this test once, in CI's race run).
func browse(t *testing.T, p *auth.OAuthPending, l *auth.CallbackListener, callback string) string {
	t.Helper()
	l.Expect(p.State())
	resp, err := http.Get(callback)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the listener answered HTTP %d", resp.StatusCode)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	u, err := l.Wait(ctx, p.State())
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	return u
}

// oauthSignIn signs a in through the browser, headless.
func (r *realPDS) oauthSignIn(t *testing.T, c *auth.Client, a realAccount, scope string) auth.SessionData {
	t.Helper()
	p, l := startOAuth(t, c, r.url, a.handle, scope)
	cb, err := oauthtest.Approve(context.Background(), p.AuthorizeURL(), a.handle, a.password)
	if err != nil {
		t.Fatalf("approve: %v", err)
	}
	d, err := p.Finish(context.Background(), browse(t, p, l, cb))
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	return d
}

// status is the HTTP status of getSession with d's tokens, through
// RawSession (DPoP).
func status(t *testing.T, c *auth.Client, d auth.SessionData) int {
	t.Helper()
	code, err := oauthtest.SessionStatus(context.Background(), c, d)
	if err != nil {
		t.Fatalf("getSession: %v", err)
	}
	return code
}

func TestRealPDSOAuthSession(t *testing.T) {
	r := needRealPDS(t)
	a := r.newAccount(t)
	c, rec := r.oauthClient(t)
	before := time.Now()
	d := r.oauthSignIn(t, c, a, "")
	want := a.session.Data()
	if d.DID != want.DID || d.Handle != a.handle || d.Kind() != auth.KindOAuth || d.PDSURL != r.url {
		t.Fatalf("signed in as %s %s (%s) at %s", d.DID, d.Handle, d.Kind(), d.PDSURL)
	}
	o := d.OAuth
	if !strings.HasPrefix(o.ClientID, "http://localhost?redirect_uri=http%3A%2F%2F127.0.0.1%3A") || o.Issuer != r.url ||
		o.Scope != auth.DefaultOAuthScope || o.DPoPKey == "" || o.RevocationEndpoint == "" {
		t.Fatalf("oauth data: client %s issuer %s scope %q", o.ClientID, o.Issuer, o.Scope)
	}
	if end := before.Add(auth.OAuthSessionLimit); o.SessionEndsAt.Before(end) || o.SessionEndsAt.After(end.Add(time.Minute)) {
		t.Fatalf("session ends at %v", o.SessionEndsAt)
	}
	if life := time.Until(o.AccessExpiresAt); life < 30*time.Minute || life > 2*time.Hour {
		t.Fatalf("access token lives %v", life)
	}

	s := c.NewSession(d, auth.SessionOptions{})
	if got, err := s.GetSession(context.Background()); err != nil || got.Handle != a.handle {
		t.Fatalf("getSession: %v (%s)", err, got.Handle)
	}
	post := map[string]any{"repo": d.DID, "collection": "app.bsky.feed.post",
		"record": map[string]any{"$type": "app.bsky.feed.post", "text": "signed with DPoP", "createdAt": time.Now().UTC().Format(time.RFC3339)}}
	var created struct{ URI string }
	if err := s.Procedure(context.Background(), "com.atproto.repo.createRecord", post, &created); err != nil || created.URI == "" {
		t.Fatalf("createRecord: %v", err)
	}

	old := s.Data()
	if err := s.Refresh(context.Background()); err != nil {
		t.Fatalf("refresh: %v", err)
	}
	fresh := s.Data()
	if fresh.AccessJwt == old.AccessJwt || fresh.RefreshJwt == old.RefreshJwt || fresh.OAuth.ClientID != o.ClientID {
		t.Fatal("the refresh did not rotate both tokens, or changed the client_id")
	}
	if got := status(t, c, old); got != http.StatusUnauthorized {
		t.Fatalf("the access token before the refresh: HTTP %d, want 401", got)
	}
	if got := status(t, c, fresh); got != http.StatusOK {
		t.Fatalf("the new access token: HTTP %d", got)
	}

	if err := s.Logout(context.Background()); err != nil {
		t.Fatalf("logout: %v", err)
	}
	if got := status(t, c, fresh); got != http.StatusUnauthorized {
		t.Fatalf("the access token after the revocation: HTTP %d, want 401", got)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.proofs < 8 || !contains(rec.schemes, "DPoP") {
		t.Fatalf("%d proofs, schemes %v", rec.proofs, rec.schemes)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestRealPDSOAuthRejected(t *testing.T) {
	r := needRealPDS(t)
	a := r.newAccount(t)
	c, _ := r.oauthClient(t)
	p, l := startOAuth(t, c, r.url, a.handle, "")
	cb, err := oauthtest.Reject(context.Background(), p.AuthorizeURL())
	if err != nil {
		t.Fatalf("reject: %v", err)
	}
	d, err := p.Finish(context.Background(), browse(t, p, l, cb))
	if !errors.Is(err, auth.ErrAccessDenied) || d.AccessJwt != "" || d.OAuth != nil {
		t.Fatalf("Finish after a refusal: %v", err)
	}
	if !strings.Contains(err.Error(), "refused at the browser") {
		t.Fatalf("unclear error: %v", err)
	}
}

// A refresh token spent twice is invalid_grant, which ends the session as
// a password session's end does; on the reference server it ends the
// whole session, even the newest access token.
func TestRealPDSOAuthReplayEndsSession(t *testing.T) {
	r := needRealPDS(t)
	a := r.newAccount(t)
	c, _ := r.oauthClient(t)
	d := r.oauthSignIn(t, c, a, "")
	fresh, err := c.RefreshSession(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	var events []auth.Event
	s := c.NewSession(d, auth.SessionOptions{OnEvent: func(e auth.Event) { events = append(events, e) }})
	err = s.Refresh(context.Background())
	if !errors.Is(err, auth.ErrInvalidGrant) || !auth.EndsSession(err) || s.Err() == nil {
		t.Fatalf("replayed refresh: %v (session err %v)", err, s.Err())
	}
	if len(events) != 1 || events[0].Kind != auth.EventDeleted {
		t.Fatalf("events %v", events)
	}
	for _, tok := range []string{d.RefreshJwt, fresh.RefreshJwt, fresh.AccessJwt} {
		if strings.Contains(err.Error(), tok) {
			t.Fatal("the error quotes a token")
		}
	}
	if got := status(t, c, fresh); got != http.StatusUnauthorized {
		t.Fatalf("the newest access token after a replay: HTTP %d, want 401", got)
	}
}
