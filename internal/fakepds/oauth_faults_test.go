package fakepds_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

func callbackQuery(t *testing.T, cb string) url.Values {
	t.Helper()
	u, err := url.Parse(cb)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func TestOAuthDenyOAuth(t *testing.T) {
	s, clock, alice := newServer(t, fakepds.Options{})
	c := newOAuthClient(t, s, clock.Now)
	au := c.authorizeURL()
	cb, err := s.DenyOAuth(au)
	if err != nil {
		t.Fatal(err)
	}
	q := callbackQuery(t, cb)
	if q.Get("error") != "access_denied" || q.Get("code") != "" || q.Get("state") != c.state || q.Get("iss") != s.OAuthIssuer() {
		t.Fatalf("callback %s", cb)
	}
	if _, err := s.ApproveOAuth(au, alice.DID); err == nil {
		t.Fatal("a denied request was approved after")
	}
}

func TestOAuthCallbackFaults(t *testing.T) {
	s, clock, alice := newServer(t, fakepds.Options{})
	cases := []struct {
		fault fakepds.Fault
		check func(c *oauthClient, q url.Values) bool
	}{
		{fakepds.Fault{Kind: fakepds.FaultWrongIssuer}, func(c *oauthClient, q url.Values) bool {
			return q.Get("iss") == "https://other-issuer.invalid" && q.Get("state") == c.state && q.Get("code") != ""
		}},
		{fakepds.Fault{Kind: fakepds.FaultWrongIssuer, Name: "http://localhost:1"}, func(c *oauthClient, q url.Values) bool {
			return q.Get("iss") == "http://localhost:1"
		}},
		{fakepds.Fault{Kind: fakepds.FaultWrongState}, func(c *oauthClient, q url.Values) bool {
			return q.Get("state") != c.state && q.Get("state") != "" && q.Get("iss") == s.OAuthIssuer() && q.Get("code") != ""
		}},
		{fakepds.Fault{Kind: fakepds.FaultWrongState, Name: "chosen"}, func(c *oauthClient, q url.Values) bool {
			return q.Get("state") == "chosen"
		}},
		{fakepds.Fault{Kind: fakepds.FaultDenyConsent}, func(c *oauthClient, q url.Values) bool {
			return q.Get("error") == "access_denied" && q.Get("code") == "" && q.Get("state") == c.state
		}},
	}
	for _, tc := range cases {
		t.Run(tc.fault.Kind.String()+"/"+tc.fault.Name, func(t *testing.T) {
			for _, how := range []string{"ApproveOAuth", "GET"} {
				c := newOAuthClient(t, s, clock.Now)
				au := c.authorizeURL()
				tc.fault.Times = 1
				s.Inject("/oauth/authorize", tc.fault)
				var cb string
				if how == "GET" {
					s.SetOAuthAccount(alice.DID)
					cb = authorizeGET(t, s, au)
				} else {
					var err error
					if cb, err = s.ApproveOAuth(au, alice.DID); err != nil {
						t.Fatal(err)
					}
				}
				if !tc.check(c, callbackQuery(t, cb)) {
					t.Fatalf("%s: callback %s", how, cb)
				}
				if r := s.LastRequest("/oauth/authorize"); !r.Faulted {
					t.Fatalf("%s: the request is not marked faulted", how)
				}
			}
		})
	}
	// Used up, the faults leave the next callback alone.
	c := newOAuthClient(t, s, clock.Now)
	cb, _ := s.ApproveOAuth(c.authorizeURL(), alice.DID)
	if q := callbackQuery(t, cb); q.Get("iss") != s.OAuthIssuer() || q.Get("state") != c.state || q.Get("code") == "" {
		t.Fatalf("callback %s", cb)
	}
}

// authorizeGET opens the authorization URL as a browser would and returns
// where it is redirected.
func authorizeGET(t *testing.T, s *fakepds.Server, au string) string {
	t.Helper()
	client := *s.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Get(au)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("GET authorize: %d", resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

func TestOAuthAuthorizeGET(t *testing.T) {
	s, clock, alice := newServer(t, fakepds.Options{})
	bob := s.AddAccount(fakepds.Account{Handle: "bob.test", Password: testPassword})
	c := newOAuthClient(t, s, clock.Now)
	// Without SetOAuthAccount the login_hint (alice.test) names the account.
	tok := mustTokens(t, c.exchange(authorizeGET(t, s, c.authorizeURL())))
	if tok.Sub != alice.DID {
		t.Fatalf("sub %s, want alice's %s", tok.Sub, alice.DID)
	}
	s.SetOAuthAccount(bob.DID)
	tok = mustTokens(t, c.exchange(authorizeGET(t, s, c.authorizeURL())))
	if tok.Sub != bob.DID {
		t.Fatalf("sub %s, want bob's %s", tok.Sub, bob.DID)
	}
	if s.Calls("/oauth/authorize") != 2 {
		t.Fatalf("%d calls to /oauth/authorize", s.Calls("/oauth/authorize"))
	}
	// An unknown request is an error page, not a redirect.
	resp, err := s.Client().Get(s.URL() + "/oauth/authorize?client_id=x&request_uri=y")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("unknown request: %d", resp.StatusCode)
	}
}

func TestOAuthTokenSubMismatch(t *testing.T) {
	s, clock, alice := newServer(t, fakepds.Options{})
	bob := s.AddAccount(fakepds.Account{Handle: "bob.test", Password: testPassword})
	c := newOAuthClient(t, s, clock.Now)
	cb, _ := s.ApproveOAuth(c.authorizeURL(), alice.DID)
	s.Inject("/oauth/token", fakepds.Fault{Kind: fakepds.FaultSubMismatch, Times: 1})
	tok := mustTokens(t, c.exchange(cb))
	if tok.Sub != bob.DID {
		t.Fatalf("sub %s, want another account's (%s)", tok.Sub, bob.DID)
	}
	// The tokens themselves are alice's session.
	var sess session
	a := c.getSession(tok.AccessToken)
	a.wantOK(t)
	a.decode(t, &sess)
	if sess.DID != alice.DID {
		t.Fatalf("getSession %s", a.body)
	}
	s.Inject("/oauth/token", fakepds.Fault{Kind: fakepds.FaultSubMismatch, DID: "did:plc:chosen", Times: 1})
	if tok = mustTokens(t, c.refresh(tok.RefreshToken)); tok.Sub != "did:plc:chosen" {
		t.Fatalf("sub %s after a refresh, want did:plc:chosen", tok.Sub)
	}
}
