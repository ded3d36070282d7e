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

func getJSON(t *testing.T, s *fakepds.Server, path string, v any) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL()+path, nil)
	a := do(t, s, req)
	a.wantOK(t)
	a.decode(t, v)
}

func TestOAuthMetadata(t *testing.T) {
	s, _, _ := newServer(t, fakepds.Options{})
	var pr struct {
		Resource             string   `json:"resource"`
		AuthorizationServers []string `json:"authorization_servers"`
	}
	getJSON(t, s, "/.well-known/oauth-protected-resource", &pr)
	if pr.Resource != s.URL() || !slices.Equal(pr.AuthorizationServers, []string{s.URL()}) {
		t.Fatalf("protected resource: %+v", pr)
	}
	var as map[string]any
	getJSON(t, s, "/.well-known/oauth-authorization-server", &as)
	want := map[string]any{
		"issuer":                                         s.URL(),
		"pushed_authorization_request_endpoint":          s.URL() + "/oauth/par",
		"authorization_endpoint":                         s.URL() + "/oauth/authorize",
		"token_endpoint":                                 s.URL() + "/oauth/token",
		"revocation_endpoint":                            s.URL() + "/oauth/revoke",
		"require_pushed_authorization_requests":          true,
		"authorization_response_iss_parameter_supported": true,
	}
	for k, v := range want {
		if as[k] != v {
			t.Errorf("%s = %v, want %v", k, as[k], v)
		}
	}
	for k, v := range map[string]string{"dpop_signing_alg_values_supported": "ES256",
		"code_challenge_methods_supported": "S256", "scopes_supported": "transition:generic",
		"grant_types_supported": "refresh_token", "token_endpoint_auth_methods_supported": "none"} {
		list, _ := as[k].([]any)
		if !slices.Contains(list, any(v)) {
			t.Errorf("%s = %v, want it to hold %q", k, as[k], v)
		}
	}
}

func TestOAuthPARFirstAnswersUseDPoPNonce(t *testing.T) {
	s, clock, _ := newServer(t, fakepds.Options{})
	c := newOAuthClient(t, s, clock.Now)
	a := c.post("/oauth/par", c.parForm(), c.key, "")
	a.wantOAuthError(t, http.StatusBadRequest, "use_dpop_nonce", "Authorization server requires nonce in DPoP proof")
	if c.nonce == "" || c.nonce != s.DPoPNonce() {
		t.Fatalf("DPoP-Nonce %q, want the server's %q", c.nonce, s.DPoPNonce())
	}
	a = c.post("/oauth/par", c.parForm(), c.key, c.nonce)
	if a.status != http.StatusCreated {
		t.Fatalf("PAR with the nonce: %d %s", a.status, a.body)
	}
	var out struct {
		RequestURI string `json:"request_uri"`
		ExpiresIn  int    `json:"expires_in"`
	}
	a.decode(t, &out)
	if !strings.HasPrefix(out.RequestURI, "urn:ietf:params:oauth:request_uri:req-") || out.ExpiresIn <= 0 {
		t.Fatalf("PAR answer %s", a.body)
	}
	// A wrong nonce is refused too, and a new one given.
	a = c.post("/oauth/par", c.parForm(), c.key, "not-a-nonce")
	a.wantOAuthError(t, http.StatusBadRequest, "use_dpop_nonce", `DPoP "nonce" mismatch`)
}

func TestOAuthPARRefusesWhatTheReferenceRefuses(t *testing.T) {
	s, clock, _ := newServer(t, fakepds.Options{})
	c := newOAuthClient(t, s, clock.Now)
	c.post("/oauth/par", c.parForm(), c.key, "") // get a nonce
	localhost := "http://localhost:53211/callback"
	cases := []struct {
		name, code string
		edit       func(url.Values)
	}{
		{"client_id on 127.0.0.1", "invalid_client_metadata", func(v url.Values) {
			v.Set("client_id", strings.Replace(c.clientID, "localhost", "127.0.0.1", 1))
		}},
		{"client_id with a port", "invalid_client_metadata", func(v url.Values) {
			v.Set("client_id", strings.Replace(c.clientID, "localhost", "localhost:8080", 1))
		}},
		{"client_id with a path", "invalid_client_metadata", func(v url.Values) {
			v.Set("client_id", strings.Replace(c.clientID, "localhost?", "localhost/app?", 1))
		}},
		{"client_id on https", "invalid_client_metadata", func(v url.Values) {
			v.Set("client_id", strings.Replace(c.clientID, "http:", "https:", 1))
		}},
		{"no client_id", "invalid_request", func(v url.Values) { v.Del("client_id") }},
		{"localhost redirect", "invalid_request", func(v url.Values) {
			v.Set("client_id", loopbackClientID(localhost, c.scope))
			v.Set("redirect_uri", localhost)
		}},
		{"redirect not the client's", "invalid_request", func(v url.Values) { v.Set("redirect_uri", "http://127.0.0.1:9/other") }},
		{"no PKCE", "invalid_request", func(v url.Values) { v.Del("code_challenge"); v.Del("code_challenge_method") }},
		{"plain PKCE", "invalid_request", func(v url.Values) { v.Set("code_challenge_method", "plain") }},
		{"no state", "invalid_request", func(v url.Values) { v.Del("state") }},
		{"token response type", "invalid_request", func(v url.Values) { v.Set("response_type", "token") }},
		{"scope beyond the client's", "invalid_scope", func(v url.Values) { v.Set("scope", "atproto transition:email") }},
		{"no atproto scope", "invalid_scope", func(v url.Values) { v.Set("scope", "transition:generic") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			form := c.parForm()
			tc.edit(form)
			c.post("/oauth/par", form, c.key, c.nonce).wantOAuthError(t, http.StatusBadRequest, tc.code, "")
		})
	}
	// The good form passes, so each case failed for its own reason.
	if a := c.post("/oauth/par", c.parForm(), c.key, c.nonce); a.status != http.StatusCreated {
		t.Fatalf("good PAR: %d %s", a.status, a.body)
	}
}

func TestOAuthPARChecksTheProof(t *testing.T) {
	s, clock, _ := newServer(t, fakepds.Options{})
	c := newOAuthClient(t, s, clock.Now)
	c.post("/oauth/par", c.parForm(), c.key, "")
	other := newKey(t, clock.Now)
	cases := []struct {
		name string
		edit proofEdit
	}{
		{"typ", func(h, _ map[string]any) { h["typ"] = "jwt" }},
		{"alg", func(h, _ map[string]any) { h["alg"] = "ES384" }},
		{"signed by another key", func(h, _ map[string]any) { h["jwk"] = other.jwk() }},
		{"private key in the header", func(h, _ map[string]any) {
			j := c.key.jwk()
			d, _ := c.key.k.Bytes()
			j["d"] = b64.EncodeToString(d)
			h["jwk"] = j
		}},
		{"htm", func(_, cl map[string]any) { cl["htm"] = "GET" }},
		{"htu of another path", func(_, cl map[string]any) { cl["htu"] = s.URL() + "/oauth/token" }},
		{"htu with a query", func(_, cl map[string]any) { cl["htu"] = s.URL() + "/oauth/par?x=1" }},
		{"htu of another host", func(_, cl map[string]any) {
			cl["htu"] = strings.Replace(s.URL(), "127.0.0.1", "localhost", 1) + "/oauth/par"
		}},
		{"no jti", func(_, cl map[string]any) { delete(cl, "jti") }},
		{"no iat", func(_, cl map[string]any) { delete(cl, "iat") }},
		{"iat too old", func(_, cl map[string]any) { cl["iat"] = clock.Now().Add(-4 * time.Minute).Unix() }},
		{"iat too new", func(_, cl map[string]any) { cl["iat"] = clock.Now().Add(4 * time.Minute).Unix() }},
		{"ath without a token", func(_, cl map[string]any) { cl["ath"] = "x" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := c.post("/oauth/par", c.parForm(), c.key, c.nonce, tc.edit)
			a.wantOAuthError(t, http.StatusUnauthorized, "invalid_dpop_proof", "")
			if !strings.HasPrefix(a.header.Get("WWW-Authenticate"), `DPoP algs="ES256", error="invalid_dpop_proof"`) {
				t.Fatalf("WWW-Authenticate %q", a.header.Get("WWW-Authenticate"))
			}
		})
	}
	var replay proofEdit = func(_, cl map[string]any) { cl["jti"] = "same-jti" }
	if a := c.post("/oauth/par", c.parForm(), c.key, c.nonce, replay); a.status != http.StatusCreated {
		t.Fatalf("first use of a jti: %d %s", a.status, a.body)
	}
	c.post("/oauth/par", c.parForm(), c.key, c.nonce, replay).wantOAuthError(t, http.StatusUnauthorized, "invalid_dpop_proof", "DPoP proof replayed")
	// Within the window, a skewed iat passes.
	var skew proofEdit = func(_, cl map[string]any) { cl["iat"] = clock.Now().Add(-2 * time.Minute).Unix() }
	if a := c.post("/oauth/par", c.parForm(), c.key, c.nonce, skew); a.status != http.StatusCreated {
		t.Fatalf("iat 2 minutes old: %d %s", a.status, a.body)
	}
}

func TestOAuthNoIatCheck(t *testing.T) {
	s, clock, _ := newServer(t, fakepds.Options{DPoPIatWindow: fakepds.NoIatCheck})
	c := newOAuthClient(t, s, clock.Now)
	c.key.clock = func() time.Time { return clock.Now().Add(-48 * time.Hour) }
	c.post("/oauth/par", c.parForm(), c.key, "")
	if a := c.post("/oauth/par", c.parForm(), c.key, c.nonce); a.status != http.StatusCreated {
		t.Fatalf("PAR with a proof from two days ago: %d %s", a.status, a.body)
	}
}
