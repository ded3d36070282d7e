package fakepds_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

func TestOAuthRefreshRotatesAndVoidsTheOldAccessToken(t *testing.T) {
	s, clock, alice := newServer(t, fakepds.Options{})
	c := newOAuthClient(t, s, clock.Now)
	first := c.signIn(alice.DID)
	clock.Advance(10 * time.Minute)
	second := mustTokens(t, c.refresh(first.RefreshToken))
	if second.AccessToken == first.AccessToken || second.RefreshToken == first.RefreshToken ||
		second.Sub != alice.DID || second.TokenType != "DPoP" || second.Scope != c.scope || second.ExpiresIn != 3600 {
		t.Fatalf("refresh answer %+v", second)
	}
	if s.OAuthAccessTokenValid(first.AccessToken) || !s.OAuthAccessTokenValid(second.AccessToken) {
		t.Fatal("rotation must void the previous access token at once and keep the new one")
	}
	c.getSession(first.AccessToken).wantOAuthError(t, http.StatusUnauthorized, "invalid_token", "Invalid token")
	c.getSession(second.AccessToken).wantOK(t)
	rows := s.OAuthSessions(alice.DID)
	if len(rows) != 1 || rows[0].Refreshes != 1 || s.OAuthRefreshes() != 1 {
		t.Fatalf("rows %+v, refreshes %d", rows, s.OAuthRefreshes())
	}
	// The session's end does not move with a refresh.
	if want := clock.Now().Add(-10 * time.Minute); !rows[0].SignedInAt.Equal(want) {
		t.Fatalf("signed in at %v, want %v", rows[0].SignedInAt, want)
	}
}

// Each of these ends the WHOLE session on the reference server: the
// newest access token stops working too.
func TestOAuthRefreshEndsTheSession(t *testing.T) {
	cases := []struct {
		name, desc string
		refresh    func(c *oauthClient, spent, current string) answer
	}{
		{"replayed refresh token", "Refresh token replayed", func(c *oauthClient, spent, _ string) answer {
			return c.refresh(spent)
		}},
		{"another DPoP key", "DPoP proof does not match the expected JKT", func(c *oauthClient, _, current string) answer {
			key := c.key
			defer func() { c.key = key }()
			c.key = newKey(c.t, key.clock)
			return c.refresh(current)
		}},
		{"a client_id differing in its port", "Token was not issued to this client", func(c *oauthClient, _, current string) answer {
			id := c.clientID
			defer func() { c.clientID = id }()
			c.clientID = loopbackClientID("http://127.0.0.1:53212/callback", c.scope)
			return c.refresh(current)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, clock, alice := newServer(t, fakepds.Options{})
			c := newOAuthClient(t, s, clock.Now)
			first := c.signIn(alice.DID)
			second := mustTokens(t, c.refresh(first.RefreshToken))
			tc.refresh(c, first.RefreshToken, second.RefreshToken).wantOAuthError(t, http.StatusBadRequest, "invalid_grant", tc.desc)
			c.getSession(second.AccessToken).wantOAuthError(t, http.StatusUnauthorized, "invalid_token", "Invalid token")
			c.refresh(second.RefreshToken).wantOAuthError(t, http.StatusBadRequest, "invalid_grant", "Invalid refresh token")
			if rows := s.OAuthSessions(alice.DID); len(rows) != 0 {
				t.Fatalf("session rows left: %+v", rows)
			}
			if s.OAuthRefreshes() != 1 {
				t.Fatalf("%d refreshes accepted, want 1", s.OAuthRefreshes())
			}
		})
	}
}

func TestOAuthSessionLifetime(t *testing.T) {
	s, clock, alice := newServer(t, fakepds.Options{})
	c := newOAuthClient(t, s, clock.Now)
	tok := c.signIn(alice.DID)
	clock.Advance(14*24*time.Hour - time.Minute)
	tok = mustTokens(t, c.refresh(tok.RefreshToken)) // a new nonce first: the clock moved
	clock.Advance(2 * time.Minute)
	c.refresh(tok.RefreshToken).wantOAuthError(t, http.StatusBadRequest, "invalid_grant", "Session expired")
	if len(s.OAuthSessions(alice.DID)) != 0 {
		t.Fatal("an expired session kept its row")
	}
}

func TestOAuthShortSessionLifetime(t *testing.T) {
	s, clock, alice := newServer(t, fakepds.Options{OAuthSessionLifetime: time.Hour})
	c := newOAuthClient(t, s, clock.Now)
	tok := c.signIn(alice.DID)
	clock.Advance(time.Hour + time.Second)
	c.refresh(tok.RefreshToken).wantOAuthError(t, http.StatusBadRequest, "invalid_grant", "Session expired")
}

func TestOAuthShortAccessLifetime(t *testing.T) {
	s, clock, alice := newServer(t, fakepds.Options{OAuthAccessLifetime: 30 * time.Second})
	c := newOAuthClient(t, s, clock.Now)
	tok := c.signIn(alice.DID)
	if tok.ExpiresIn != 30 {
		t.Fatalf("expires_in %d, want 30", tok.ExpiresIn)
	}
	c.getSession(tok.AccessToken).wantOK(t)
	clock.Advance(30 * time.Second)
	c.getSession(tok.AccessToken).wantOAuthError(t, http.StatusUnauthorized, "invalid_token", "Token expired")
	if s.OAuthAccessTokenValid(tok.AccessToken) {
		t.Fatal("an expired access token is valid")
	}
	next := mustTokens(t, c.refresh(tok.RefreshToken))
	c.getSession(next.AccessToken).wantOK(t)
}

func TestOAuthRevoke(t *testing.T) {
	s, clock, alice := newServer(t, fakepds.Options{})
	c := newOAuthClient(t, s, clock.Now)
	tok := c.signIn(alice.DID)
	revoke := func(token, clientID string) {
		t.Helper()
		a := c.post("/oauth/revoke", url.Values{"token": {token}, "client_id": {clientID}}, c.key, c.nonce)
		a.wantOK(t)
		if strings.TrimSpace(string(a.body)) != "{}" {
			t.Fatalf("revoke answered %s", a.body)
		}
	}
	revoke("nonsense", c.clientID)
	revoke(tok.RefreshToken, loopbackClientID("http://127.0.0.1:1/callback", c.scope))
	if len(s.OAuthSessions(alice.DID)) != 1 {
		t.Fatal("a revocation by another client ended the session")
	}
	revoke(tok.RefreshToken, c.clientID)
	if rows := s.OAuthSessions(alice.DID); len(rows) != 0 {
		t.Fatalf("rows after revoke: %+v", rows)
	}
	c.getSession(tok.AccessToken).wantOAuthError(t, http.StatusUnauthorized, "invalid_token", "Invalid token")
	c.refresh(tok.RefreshToken).wantOAuthError(t, http.StatusBadRequest, "invalid_grant", "Invalid refresh token")
	revoke(tok.RefreshToken, c.clientID) // again: still 200

	// An access token revokes its session too.
	tok = c.signIn(alice.DID)
	revoke(tok.AccessToken, c.clientID)
	if len(s.OAuthSessions(alice.DID)) != 0 || s.OAuthAccessTokenValid(tok.AccessToken) {
		t.Fatal("revoking by the access token left the session")
	}
}

func TestOAuthSessionsAreApart(t *testing.T) {
	s, clock, alice := newServer(t, fakepds.Options{})
	c1 := newOAuthClient(t, s, clock.Now)
	c2 := newOAuthClient(t, s, clock.Now)
	t1, t2 := c1.signIn(alice.DID), c2.signIn(alice.DID)
	c1.refresh(t2.RefreshToken).wantOAuthError(t, http.StatusBadRequest, "invalid_grant", "DPoP proof does not match the expected JKT")
	// Only the session whose token was misused ended.
	c1.getSession(t1.AccessToken).wantOK(t)
	if rows := s.OAuthSessions(alice.DID); len(rows) != 1 || rows[0].JKT != c1.key.jkt() {
		t.Fatalf("rows %+v", rows)
	}
}

// A client_id that is not a loopback client's at all is refused before the
// refresh token is looked at: the session lives on.
func TestOAuthRefreshWithAMalformedClientIDKeepsTheSession(t *testing.T) {
	s, clock, alice := newServer(t, fakepds.Options{})
	c := newOAuthClient(t, s, clock.Now)
	tok := c.signIn(alice.DID)
	id := c.clientID
	c.clientID = strings.Replace(id, "localhost", "127.0.0.1", 1)
	c.refresh(tok.RefreshToken).wantOAuthError(t, http.StatusBadRequest, "invalid_client_metadata", "")
	c.clientID = id
	mustTokens(t, c.refresh(tok.RefreshToken))
}
