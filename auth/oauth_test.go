package auth

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
)

const testRedirect = "http://127.0.0.1:7/callback"

// fakeStart starts a sign-in for fakeDID at f, and checks when the test
// ends that no plain Bearer was sent.
func fakeStart(t *testing.T, f *fakeOAuth, c *Client, ident string) *OAuthPending {
	t.Helper()
	t.Cleanup(func() {
		if f.bearers != 0 {
			t.Errorf("%d plain Bearer requests", f.bearers)
		}
	})
	p, err := c.StartOAuth(context.Background(), OAuthRequest{Service: f.srv.URL, Identifier: ident, RedirectURI: testRedirect})
	if err != nil {
		t.Fatalf("StartOAuth: %v", err)
	}
	return p
}

// fakeSignIn signs in at f and returns the session.
func fakeSignIn(t *testing.T, f *fakeOAuth, c *Client) SessionData {
	t.Helper()
	p := fakeStart(t, f, c, fakeDID)
	d, err := p.Finish(context.Background(), f.approve(p.AuthorizeURL(), nil))
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	return d
}

func TestOAuthSignIn(t *testing.T) {
	f := newFakeOAuth(t)
	c := f.client()
	d := fakeSignIn(t, f, c)
	o := d.OAuth
	switch {
	case d.DID != fakeDID || d.Handle != "alice.test" || d.PDSURL != f.srv.URL || d.Kind() != KindOAuth:
		t.Fatalf("session %s %s %s", d.DID, d.Handle, d.PDSURL)
	case o.ClientID != LoopbackClientID(testRedirect, DefaultOAuthScope) || o.Issuer != f.srv.URL:
		t.Fatalf("client %s issuer %s", o.ClientID, o.Issuer)
	case o.TokenEndpoint != f.srv.URL+"/oauth/token" || o.RevocationEndpoint != f.srv.URL+"/oauth/revoke":
		t.Fatalf("endpoints %s %s", o.TokenEndpoint, o.RevocationEndpoint)
	case o.AuthServerNonce != "n0" || o.PDSNonce != "n0":
		t.Fatalf("nonces %q %q", o.AuthServerNonce, o.PDSNonce)
	case time.Until(o.AccessExpiresAt) < 59*time.Minute || time.Until(o.SessionEndsAt) < OAuthSessionLimit-time.Minute:
		t.Fatalf("access ends %v, session %v", o.AccessExpiresAt, o.SessionEndsAt)
	case d.RefreshExpiry() != o.SessionEndsAt || d.AccessExpiry() != o.AccessExpiresAt:
		t.Fatal("the expiries are not the OAuth session's")
	}
}

func TestOAuthCallbackChecks(t *testing.T) {
	cases := []struct {
		name string
		mod  func(q url.Values)
		want error
	}{
		{"state", func(q url.Values) { q.Set("state", "another") }, ErrStateMismatch},
		{"no state", func(q url.Values) { q.Del("state") }, ErrStateMismatch},
		{"iss", func(q url.Values) { q.Set("iss", "http://127.0.0.1:1") }, ErrIssuerMismatch},
		{"no iss", func(q url.Values) { q.Del("iss") }, ErrIssuerMismatch},
		{"denied", func(q url.Values) {
			q.Del("code")
			q.Set("error", "access_denied")
			q.Set("error_description", "The user rejected the request")
		}, ErrAccessDenied},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeOAuth(t)
			p := fakeStart(t, f, f.client(), fakeDID)
			d, err := p.Finish(context.Background(), f.approve(p.AuthorizeURL(), tc.mod))
			if !errors.Is(err, tc.want) || d.AccessJwt != "" || d.OAuth != nil {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if len(f.codes) != 1 {
				t.Fatal("the code was spent on a callback that failed its checks")
			}
		})
	}
}

func TestOAuthAccessDeniedIsClear(t *testing.T) {
	f := newFakeOAuth(t)
	p := fakeStart(t, f, f.client(), fakeDID)
	cb := f.approve(p.AuthorizeURL(), func(q url.Values) {
		q.Del("code")
		q.Set("error", "access_denied")
		q.Set("error_description", "The user rejected the request\x1b[2J")
	})
	_, err := p.Finish(context.Background(), cb)
	want := "authorization: the sign-in was refused at the browser (access_denied): The user rejected the request"
	if err == nil || !strings.HasPrefix(err.Error(), want) || strings.ContainsRune(err.Error(), 0x1b) {
		t.Fatalf("got %q", err)
	}
}

func TestOAuthNotTheCallback(t *testing.T) {
	f := newFakeOAuth(t)
	p := fakeStart(t, f, f.client(), fakeDID)
	cb := f.approve(p.AuthorizeURL(), nil)
	for _, bad := range []string{strings.Replace(cb, ":7/", ":8/", 1), strings.Replace(cb, "/callback", "/other", 1), "not a url\x7f"} {
		if _, err := p.Finish(context.Background(), bad); !errors.Is(err, ErrNotCallback) {
			t.Errorf("%s: %v", bad, err)
		}
	}
	if _, err := p.Finish(context.Background(), "  "+cb+"\n"); err != nil {
		t.Fatalf("a pasted URL with spaces around: %v", err)
	}
}

// A server that answers for another account than the one asked for is
// refused, and nothing of its answer is returned.
func TestOAuthSubjectMismatch(t *testing.T) {
	f := newFakeOAuth(t)
	f.sub = "did:plc:someoneelse0000000000000"
	p := fakeStart(t, f, f.client(), fakeDID)
	d, err := p.Finish(context.Background(), f.approve(p.AuthorizeURL(), nil))
	if !errors.Is(err, ErrSubjectMismatch) || d.AccessJwt != "" || d.DID != "" {
		t.Fatalf("got %v (session for %q kept)", err, d.DID)
	}
	if !strings.Contains(err.Error(), f.sub) || strings.Contains(err.Error(), "access-token") {
		t.Fatalf("error %q", err)
	}
}

// With a server alone, the account chosen at the browser must be one
// whose DID document names that server.
func TestOAuthServerOnlyChecksSubject(t *testing.T) {
	f := newFakeOAuth(t)
	p := fakeStart(t, f, f.client(), "")
	if p.DID() != "" {
		t.Fatal("a DID without an identifier")
	}
	if d, err := p.Finish(context.Background(), f.approve(p.AuthorizeURL(), nil)); err != nil || d.DID != fakeDID {
		t.Fatalf("got %v %s", err, d.DID)
	}
	// An account with no document, and one whose PDS signs in at another
	// authorization server.
	other := newFakeOAuth(t)
	f.elsewhere = other.srv.URL
	for _, sub := range []string{"did:plc:someoneelse0000000000000", elsewhereDID} {
		f.sub = sub
		p = fakeStart(t, f, f.client(), "")
		if d, err := p.Finish(context.Background(), f.approve(p.AuthorizeURL(), nil)); !errors.Is(err, ErrSubjectMismatch) || d.DID != "" {
			t.Fatalf("%s: got %v", sub, err)
		}
	}
}

func TestOAuthMetadataIssuerMismatch(t *testing.T) {
	f := newFakeOAuth(t)
	f.issuer = "http://127.0.0.1:1"
	_, err := f.client().StartOAuth(context.Background(), OAuthRequest{Service: f.srv.URL, Identifier: fakeDID, RedirectURI: testRedirect})
	if !errors.Is(err, ErrIssuerMismatch) {
		t.Fatalf("got %v", err)
	}
}

func TestOAuthStartRefuses(t *testing.T) {
	f := newFakeOAuth(t)
	c := f.client()
	for _, in := range []OAuthRequest{
		{Service: f.srv.URL, Identifier: fakeDID, RedirectURI: "http://localhost:7/callback"},
		{Service: f.srv.URL, Identifier: fakeDID, RedirectURI: testRedirect, Scope: "transition:generic"},
		{Service: f.srv.URL, Identifier: "alice@example.com", RedirectURI: testRedirect},
		{Identifier: "", RedirectURI: testRedirect},
	} {
		if _, err := c.StartOAuth(context.Background(), in); err == nil {
			t.Errorf("%+v started", in)
		}
	}
}

// With a server given, the account's DID document must name it as the
// PDS (or the server must be that PDS's authorization server).
func TestOAuthServiceMustServeTheAccount(t *testing.T) {
	f := newFakeOAuth(t)
	other := newFakeOAuth(t)
	f.elsewhere = other.srv.URL
	_, err := f.client().StartOAuth(context.Background(), OAuthRequest{Service: f.srv.URL, Identifier: elsewhereDID, RedirectURI: testRedirect})
	if !errors.Is(err, ErrResolve) || !strings.Contains(err.Error(), "names another PDS") {
		t.Fatalf("got %v", err)
	}
}

// The sign-in's token answer must say what it granted (atproto.com
// specs/oauth: the server always returns scope; a client rejects an answer
// without it): one that leaves it out is not taken for the scope asked.
func TestOAuthSignInAnswerMustNameScope(t *testing.T) {
	f := newFakeOAuth(t)
	f.bareCode = true
	p := fakeStart(t, f, f.client(), fakeDID)
	d, err := p.Finish(context.Background(), f.approve(p.AuthorizeURL(), nil))
	if !errors.Is(err, ErrInvalidScope) || d.AccessJwt != "" || d.OAuth != nil {
		t.Fatalf("got %v (session for %q kept)", err, d.DID)
	}
	if strings.Contains(err.Error(), "secret-part") {
		t.Fatalf("error %q", err)
	}
}

// An authorization server that says its callbacks carry no iss (atproto's
// profile requires them to, RFC 9207: the defence against a mix-up of
// servers) is refused before the browser opens.
func TestOAuthMetadataMustPromiseIss(t *testing.T) {
	f := newFakeOAuth(t)
	f.noIss = true
	_, err := f.client().StartOAuth(context.Background(), OAuthRequest{Service: f.srv.URL, Identifier: fakeDID, RedirectURI: testRedirect})
	if !errors.Is(err, ErrNoOAuth) || !strings.Contains(err.Error(), "iss") {
		t.Fatalf("got %v", err)
	}
}
