package fakepds_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

func TestOAuthSignIn(t *testing.T) {
	s, clock, alice := newServer(t, fakepds.Options{})
	c := newOAuthClient(t, s, clock.Now)
	cb, err := s.ApproveOAuth(c.authorizeURL(), alice.DID)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(cb)
	q := u.Query()
	if !strings.HasPrefix(cb, testRedirect+"?") || q.Get("state") != c.state || q.Get("iss") != s.OAuthIssuer() || q.Get("code") == "" {
		t.Fatalf("callback %s", cb)
	}
	tok := mustTokens(t, c.exchange(cb))
	if tok.TokenType != "DPoP" || tok.Sub != alice.DID || tok.Scope != c.scope || tok.ExpiresIn != 3600 ||
		tok.AccessToken == "" || !strings.HasPrefix(tok.RefreshToken, "ref-") {
		t.Fatalf("token answer %+v", tok)
	}
	var sess session
	a := c.getSession(tok.AccessToken)
	a.wantOK(t)
	a.decode(t, &sess)
	if sess.DID != alice.DID || sess.Handle != "alice.test" {
		t.Fatalf("getSession %s", a.body)
	}
	rows := s.OAuthSessions(alice.DID)
	if len(rows) != 1 || rows[0].ClientID != c.clientID || rows[0].JKT != c.key.jkt() ||
		rows[0].Scope != c.scope || !rows[0].SignedInAt.Equal(clock.Now()) || rows[0].Refreshes != 0 {
		t.Fatalf("session rows %+v", rows)
	}
	secrets := s.Secrets()
	for _, v := range []string{tok.AccessToken, tok.RefreshToken, q.Get("code")} {
		if !slices.Contains(secrets, v) {
			t.Errorf("Secrets lacks %.8s…", v)
		}
	}
	// The request was settled once.
	if _, err := s.ApproveOAuth(c.authorizeURL(), alice.DID); err != nil {
		t.Fatal(err)
	}
}

func TestOAuthApproveRefusesAStaleRequest(t *testing.T) {
	s, clock, alice := newServer(t, fakepds.Options{})
	c := newOAuthClient(t, s, clock.Now)
	au := c.authorizeURL()
	if _, err := s.ApproveOAuth(au, alice.DID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApproveOAuth(au, alice.DID); err == nil {
		t.Fatal("a request approved twice")
	}
	au = c.authorizeURL()
	clock.Advance(5 * time.Minute)
	if _, err := s.ApproveOAuth(au, alice.DID); err == nil {
		t.Fatal("a request approved after it expired")
	}
	au = c.authorizeURL()
	if _, err := s.ApproveOAuth(strings.Replace(au, "client_id=", "client_id=x", 1), alice.DID); err == nil {
		t.Fatal("a request approved for another client_id")
	}
	if _, err := s.ApproveOAuth(au, "did:plc:nobody"); err == nil {
		t.Fatal("a request approved for an unknown account")
	}
}

func TestOAuthCodeExchangeChecks(t *testing.T) {
	s, clock, alice := newServer(t, fakepds.Options{})
	cases := []struct {
		name, desc string
		edit       func(c *oauthClient, form url.Values)
	}{
		{"wrong verifier", "Invalid code_verifier", func(c *oauthClient, f url.Values) { f.Set("code_verifier", "wrong") }},
		{"no verifier", "code_verifier is required", func(c *oauthClient, f url.Values) { f.Del("code_verifier") }},
		{"other redirect", "The redirect_uri parameter must match the one used in the authorization request",
			func(c *oauthClient, f url.Values) { f.Set("redirect_uri", "http://127.0.0.1:1/callback") }},
		{"other client", "Token was not issued to this client", func(c *oauthClient, f url.Values) {
			f.Set("client_id", loopbackClientID("http://127.0.0.1:1/callback", c.scope))
		}},
		{"other key than the PAR's", "DPoP proof does not match the expected JKT", func(c *oauthClient, f url.Values) {
			c.key = newKey(t, clock.Now)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newOAuthClient(t, s, clock.Now)
			cb, err := s.ApproveOAuth(c.authorizeURL(), alice.DID)
			if err != nil {
				t.Fatal(err)
			}
			code, _ := url.Parse(cb)
			form := url.Values{"grant_type": {"authorization_code"}, "code": {code.Query().Get("code")},
				"redirect_uri": {c.redirect}, "code_verifier": {c.verifier}, "client_id": {c.clientID}}
			key := c.key
			tc.edit(c, form)
			c.postRetry("/oauth/token", form).wantOAuthError(t, http.StatusBadRequest, "invalid_grant", tc.desc)
			// The code is spent by the failed exchange.
			c.key = key
			c.exchange(cb).wantOAuthError(t, http.StatusBadRequest, "invalid_grant", "Invalid code")
			if n := len(s.OAuthSessions(alice.DID)); n != 0 {
				t.Fatalf("%d sessions after a failed exchange", n)
			}
		})
	}
}

func TestOAuthCodeExpires(t *testing.T) {
	s, clock, alice := newServer(t, fakepds.Options{})
	c := newOAuthClient(t, s, clock.Now)
	c.exchange(c.redirect+"?code=cod-0").wantOAuthError(t, http.StatusBadRequest, "invalid_grant", "Invalid code")
	cb, _ := s.ApproveOAuth(c.authorizeURL(), alice.DID)
	clock.Advance(5 * time.Minute)
	c.exchange(cb).wantOAuthError(t, http.StatusBadRequest, "invalid_grant", "This code has expired")
}

func TestOAuthCodeReplayEndsTheSession(t *testing.T) {
	s, clock, alice := newServer(t, fakepds.Options{})
	c := newOAuthClient(t, s, clock.Now)
	cb, _ := s.ApproveOAuth(c.authorizeURL(), alice.DID)
	tok := mustTokens(t, c.exchange(cb))
	c.exchange(cb).wantOAuthError(t, http.StatusBadRequest, "invalid_grant", "Invalid code")
	c.getSession(tok.AccessToken).wantOAuthError(t, http.StatusUnauthorized, "invalid_token", "Invalid token")
	c.refresh(tok.RefreshToken).wantOAuthError(t, http.StatusBadRequest, "invalid_grant", "Invalid refresh token")
	if n := len(s.OAuthSessions(alice.DID)); n != 0 {
		t.Fatalf("%d sessions after a replayed code", n)
	}
}

func TestOAuthCodeChallengeOnce(t *testing.T) {
	s, clock, alice := newServer(t, fakepds.Options{})
	c := newOAuthClient(t, s, clock.Now)
	c.signIn(alice.DID)
	c.reuseVerifier = true
	cb, err := s.ApproveOAuth(c.authorizeURL(), alice.DID)
	if err != nil {
		t.Fatal(err)
	}
	c.exchange(cb).wantOAuthError(t, http.StatusBadRequest, "invalid_grant", "Code challenge already used")
}

func TestOAuthTokenNeedsAProof(t *testing.T) {
	s, clock, alice := newServer(t, fakepds.Options{})
	c := newOAuthClient(t, s, clock.Now)
	tok := c.signIn(alice.DID)
	a := c.post("/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken},
		"client_id": {c.clientID}}, nil, "")
	a.wantOAuthError(t, http.StatusUnauthorized, "invalid_dpop_proof", "DPoP proof required")
	if a.header.Get("DPoP-Nonce") == "" || !strings.Contains(a.header.Get("WWW-Authenticate"), `error="invalid_dpop_proof"`) {
		t.Fatalf("headers %v", a.header)
	}
	c.post("/oauth/token", url.Values{"grant_type": {"password"}, "client_id": {c.clientID}}, c.key, c.nonce).
		wantOAuthError(t, http.StatusBadRequest, "invalid_grant", `Grant type "password" not supported`)
	// The refresh token was not spent.
	mustTokens(t, c.refresh(tok.RefreshToken))
}
