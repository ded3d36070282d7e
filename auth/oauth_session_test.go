package auth

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// events records a session's events.
type events struct{ got []Event }

func (e *events) on(ev Event) { e.got = append(e.got, ev) }

func (e *events) kinds() []EventKind {
	var ks []EventKind
	for _, ev := range e.got {
		ks = append(ks, ev.Kind)
	}
	return ks
}

// A nonce the PDS rotates mid-session costs one more request, not a
// failure; the new nonce is kept in the session's data.
func TestOAuthNonceRotation(t *testing.T) {
	f := newFakeOAuth(t)
	c := f.client()
	s := c.NewSession(fakeSignIn(t, f, c), SessionOptions{})
	f.mu.Lock()
	f.nonce = "n1"
	f.mu.Unlock()
	if _, err := s.GetSession(context.Background()); err != nil {
		t.Fatalf("getSession after the nonce changed: %v", err)
	}
	if got := s.Data().OAuth.PDSNonce; got != "n1" {
		t.Fatalf("kept nonce %q", got)
	}
	// Through RawSession too, with a fresh client that only has the
	// session's old nonce.
	f.mu.Lock()
	f.nonce = "n2"
	f.mu.Unlock()
	resp, err := f.client().RawSession(context.Background(), s.Data(), RawRequest{Method: http.MethodGet, NSID: "com.atproto.server.getSession"})
	if err != nil {
		t.Fatalf("RawSession after the nonce changed: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), fakeDID) {
		t.Fatalf("body %s", b)
	}
}

// A token the PDS refuses is refreshed at the token endpoint (rotating
// both tokens, same client_id) and the call made again.
func TestOAuthRefreshOnRejectedToken(t *testing.T) {
	f := newFakeOAuth(t)
	c := f.client()
	var ev events
	d := fakeSignIn(t, f, c)
	s := c.NewSession(d, SessionOptions{OnEvent: ev.on})
	f.mu.Lock()
	f.access = map[string]string{} // the access token no longer works
	f.mu.Unlock()
	if _, err := s.GetSession(context.Background()); err != nil {
		t.Fatalf("getSession: %v", err)
	}
	n := s.Data()
	if n.AccessJwt == d.AccessJwt || n.RefreshJwt == d.RefreshJwt || n.OAuth.ClientID != d.OAuth.ClientID || n.OAuth.DPoPKey != d.OAuth.DPoPKey {
		t.Fatal("the refresh did not rotate the tokens, or changed the client or key")
	}
	if len(ev.got) == 0 || ev.got[0].Kind != EventUpdated {
		t.Fatalf("events %v", ev.kinds())
	}
}

// An access token near its end (by the expiry the token answer gave: the
// tokens are opaque) is refreshed before the call.
func TestOAuthRefreshBeforeExpiry(t *testing.T) {
	f := newFakeOAuth(t)
	c := f.client()
	d := fakeSignIn(t, f, c)
	c.Now = func() time.Time { return d.OAuth.AccessExpiresAt.Add(-time.Minute) }
	s := c.NewSession(d, SessionOptions{})
	if !d.NeedsRefresh(c.Now(), DefaultRefreshMargin) {
		t.Fatal("a token with a minute left is not due")
	}
	if _, err := s.GetSession(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s.Data().AccessJwt == d.AccessJwt {
		t.Fatal("not refreshed before the call")
	}
}

// invalid_grant ends the session as a password session's end does
// (EndsSession, EventDeleted); any other refusal keeps it.
func TestOAuthRefreshErrors(t *testing.T) {
	for _, tc := range []struct {
		code string
		ends bool
	}{{"invalid_grant", true}, {"invalid_request", false}, {"invalid_dpop_proof", false}} {
		t.Run(tc.code, func(t *testing.T) {
			f := newFakeOAuth(t)
			c := f.client()
			var ev events
			s := c.NewSession(fakeSignIn(t, f, c), SessionOptions{OnEvent: ev.on})
			f.refreshErr = tc.code
			err := s.Refresh(context.Background())
			var oe *OAuthError
			if !errors.As(err, &oe) || oe.Code != tc.code || EndsSession(err) != tc.ends || (s.Err() != nil) != tc.ends {
				t.Fatalf("got %v (ends %v, session %v)", err, EndsSession(err), s.Err())
			}
			want := EventUpdateFailed
			if tc.ends {
				want = EventDeleted
			}
			if len(ev.got) != 1 || ev.got[0].Kind != want {
				t.Fatalf("events %v", ev.kinds())
			}
		})
	}
}

// A server whose error quotes the form (the refresh token, the code and
// its verifier) does not get them into an error's text.
func TestOAuthErrorsWithholdSecrets(t *testing.T) {
	f := newFakeOAuth(t)
	c := f.client()
	d := fakeSignIn(t, f, c)
	f.echo, f.refreshErr = true, "invalid_grant"
	_, err := c.RefreshSession(context.Background(), d)
	if err == nil || strings.Contains(err.Error(), "secret-part") || !errors.Is(err, ErrInvalidGrant) {
		t.Fatalf("refresh error %q", err)
	}
	f.echo, f.refreshErr = true, ""
	p := fakeStart(t, f, c, fakeDID)
	cb := f.approve(p.AuthorizeURL(), nil)
	f.mu.Lock()
	f.codes = map[string]parReq{} // the code is refused, the answer quoting it
	f.mu.Unlock()
	_, err = p.Finish(context.Background(), cb)
	if err == nil || strings.Contains(err.Error(), "-secret") || strings.Contains(err.Error(), p.verifier[:16]) {
		t.Fatalf("exchange error %q", err)
	}
}

func TestOAuthLogoutRevokes(t *testing.T) {
	f := newFakeOAuth(t)
	c := f.client()
	var ev events
	s := c.NewSession(fakeSignIn(t, f, c), SessionOptions{OnEvent: ev.on})
	if err := s.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	if f.refresh != "" || len(f.access) != 0 {
		t.Fatal("the session was not revoked at the server")
	}
	if s.Err() == nil || len(ev.got) != 1 || ev.got[0].Kind != EventDeleted {
		t.Fatalf("events %v", ev.kinds())
	}
}

// Stored URLs are held to the sign-in's rules before a token goes out:
// an accounts file edited to send a refresh token over plain http to the
// network is refused.
func TestOAuthStoredURLsChecked(t *testing.T) {
	f := newFakeOAuth(t)
	c := f.client()
	d := fakeSignIn(t, f, c)
	o := *d.OAuth
	o.TokenEndpoint = "http://evil.example/oauth/token"
	d.OAuth = &o
	if _, err := c.RefreshSession(context.Background(), d); !errors.Is(err, ErrBadURL) {
		t.Fatalf("got %v", err)
	}
	o.DPoPKey = "garbage"
	o.TokenEndpoint = f.srv.URL + "/oauth/token"
	if _, err := c.RefreshSession(context.Background(), d); !errors.Is(err, ErrBadDPoPKey) || strings.Contains(err.Error(), "garbage") {
		t.Fatalf("got %v", err)
	}
}

// A refresh answer that leaves out sub and scope (as RFC 6749 allows) is a
// rotation all the same: refused, its new tokens would be lost and the
// spent refresh token replayed next time, ending the session.
func TestOAuthRefreshAnswerLeavesOut(t *testing.T) {
	f := newFakeOAuth(t)
	c := f.client()
	d := fakeSignIn(t, f, c)
	f.bare = true
	n, err := c.RefreshSession(context.Background(), d)
	if err != nil || n.RefreshJwt == d.RefreshJwt || n.OAuth.Scope != d.OAuth.Scope {
		t.Fatalf("got %v, scope %q", err, n.OAuth.Scope)
	}
}

// A refresh answer's expires_in written as no integer (3600.0, "3600",
// "soon") costs at most the proactive refresh, never the answer: its
// refresh token was spent by asking.
func TestOAuthRefreshExpiresInAnyForm(t *testing.T) {
	for _, c := range []struct {
		written string
		life    time.Duration // 0: unknown, the PDS's 401 will say
	}{
		{`3600.0`, time.Hour}, {`1.5e3`, 1500 * time.Second}, {`"3600"`, time.Hour},
		{`"soon"`, 0}, {`null`, 0}, {`-5`, 0}, {`{}`, 0}, {`1e300`, 0},
	} {
		f := newFakeOAuth(t)
		c0 := f.client()
		d := fakeSignIn(t, f, c0)
		f.mu.Lock()
		f.override = map[string]json.RawMessage{"expires_in": json.RawMessage(c.written)}
		f.mu.Unlock()
		n, err := c0.RefreshSession(context.Background(), d)
		if err != nil || n.RefreshJwt == d.RefreshJwt {
			t.Fatalf("expires_in %s: the rotated pair is lost: %v", c.written, err)
		}
		got := time.Duration(0)
		if !n.OAuth.AccessExpiresAt.IsZero() {
			got = n.OAuth.AccessExpiresAt.Sub(n.RefreshedAt).Round(time.Second)
		}
		if got != c.life {
			t.Errorf("expires_in %s: the access token lives %v, want %v", c.written, got, c.life)
		}
	}
}

// A refresh answer whose scope is of the wrong type keeps the session's
// scope, not losing the rotated pair; the tokens and sub must be strings.
func TestOAuthRefreshLooseScope(t *testing.T) {
	f := newFakeOAuth(t)
	c := f.client()
	d := fakeSignIn(t, f, c)
	f.mu.Lock()
	f.override = map[string]json.RawMessage{"scope": json.RawMessage(`["atproto"]`)}
	f.mu.Unlock()
	n, err := c.RefreshSession(context.Background(), d)
	if err != nil || n.RefreshJwt == d.RefreshJwt || n.OAuth.Scope != d.OAuth.Scope {
		t.Fatalf("got %v, scope %q", err, n.OAuth.Scope)
	}
	f.mu.Lock()
	f.override = map[string]json.RawMessage{"sub": json.RawMessage(`7`)}
	f.mu.Unlock()
	if _, err := c.RefreshSession(context.Background(), n); !errors.Is(err, ErrBadResponse) {
		t.Fatalf("a sub of the wrong type: %v", err)
	}
}

// A PDS that says use_dpop_nonce only in its WWW-Authenticate challenge
// is answered with one more request all the same: in a DPoP challenge
// that is not the first header (a server offering Bearer too, RFC 9449
// §7.1), or with the error as a bare token (RFC 9110 §11.2 allows both).
func TestOAuthNonceChallengeInAnyHeader(t *testing.T) {
	for _, hs := range [][]string{
		{`Bearer realm="pds"`, `DPoP algs="ES256", error="use_dpop_nonce"`},
		{`DPoP algs="ES256", error=use_dpop_nonce`},
	} {
		f := newFakeOAuth(t)
		c := f.client()
		d := fakeSignIn(t, f, c)
		f.mu.Lock()
		f.nonce, f.challenges = "n1", hs
		f.mu.Unlock()
		resp, err := f.client().RawSession(context.Background(), d, RawRequest{Method: http.MethodGet, NSID: "com.atproto.server.getSession"})
		if err != nil {
			t.Fatalf("%q: %v", hs, err)
		}
		resp.Body.Close()
	}
}
