package fakepds_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

const getSessionNSID = "com.atproto.server.getSession"

func TestOAuthXRPCChecksTheProof(t *testing.T) {
	s, clock, alice := newServer(t, fakepds.Options{})
	c := newOAuthClient(t, s, clock.Now)
	tok := c.signIn(alice.DID)
	c.getSession(tok.AccessToken).wantOK(t)
	other := newKey(t, clock.Now)
	cases := []struct {
		name, code, desc string
		key              *dpopKey
		edit             proofEdit
	}{
		{"ath of another token", "invalid_dpop_proof", `DPoP "ath" mismatch`, nil, func(_, cl map[string]any) { cl["ath"] = "x" }},
		{"no ath", "invalid_dpop_proof", `DPoP "ath" mismatch`, nil, func(_, cl map[string]any) { delete(cl, "ath") }},
		{"htm", "invalid_dpop_proof", `DPoP "htm" mismatch`, nil, func(_, cl map[string]any) { cl["htm"] = "POST" }},
		{"htu with the query", "invalid_dpop_proof", `DPoP "htu" mismatch`, nil, func(_, cl map[string]any) {
			cl["htu"] = s.URL() + "/xrpc/" + getSessionNSID + "?x=1"
		}},
		{"htu of another method", "invalid_dpop_proof", `DPoP "htu" mismatch`, nil, func(_, cl map[string]any) {
			cl["htu"] = s.URL() + "/xrpc/com.atproto.repo.uploadBlob"
		}},
		{"iat out of the window", "invalid_dpop_proof", "", nil, func(_, cl map[string]any) {
			cl["iat"] = clock.Now().Add(-10 * time.Minute).Unix()
		}},
		{"signature of another key", "invalid_dpop_proof", "", nil, func(h, _ map[string]any) { h["jwk"] = other.jwk() }},
		{"another key than the token's", "invalid_token", "Invalid DPoP key binding", other, nil},
		{"no nonce", "use_dpop_nonce", "Authorization server requires nonce in DPoP proof", nil, func(_, cl map[string]any) {
			delete(cl, "nonce")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key := c.key
			if tc.key != nil {
				key = tc.key
			}
			var edits []proofEdit
			if tc.edit != nil {
				edits = append(edits, tc.edit)
			}
			a := c.xrpc("GET", getSessionNSID, tok.AccessToken, key, c.nonce, edits...)
			a.wantOAuthError(t, http.StatusUnauthorized, tc.code, tc.desc)
			if w := a.header.Get("WWW-Authenticate"); !strings.HasPrefix(w, `DPoP algs="ES256", error="`+tc.code+`"`) {
				t.Fatalf("WWW-Authenticate %q", w)
			}
			if a.header.Get("DPoP-Nonce") == "" {
				t.Fatal("no DPoP-Nonce")
			}
		})
	}
	// A proof is good once.
	var same proofEdit = func(_, cl map[string]any) { cl["jti"] = "one-jti" }
	c.xrpc("GET", getSessionNSID, tok.AccessToken, c.key, c.nonce, same).wantOK(t)
	c.xrpc("GET", getSessionNSID, tok.AccessToken, c.key, c.nonce, same).
		wantOAuthError(t, http.StatusUnauthorized, "invalid_dpop_proof", "DPoP proof replayed")
	// The session outlived every bad proof.
	c.getSession(tok.AccessToken).wantOK(t)
}

func TestOAuthXRPCWithoutAProof(t *testing.T) {
	s, clock, alice := newServer(t, fakepds.Options{})
	c := newOAuthClient(t, s, clock.Now)
	tok := c.signIn(alice.DID)
	req, _ := http.NewRequest("GET", s.URL()+"/xrpc/"+getSessionNSID, nil)
	req.Header.Set("Authorization", "DPoP "+tok.AccessToken)
	a := do(t, s, req)
	a.wantOAuthError(t, http.StatusUnauthorized, "invalid_dpop_proof", "DPoP proof required")
	if w := a.header.Get("WWW-Authenticate"); w != `DPoP algs="ES256", error="invalid_dpop_proof", error_description="DPoP proof required"` {
		t.Fatalf("WWW-Authenticate %q", w)
	}
	// A tampered token with a right proof.
	bad := tok.AccessToken[:len(tok.AccessToken)-2] + "AA"
	c.xrpc("GET", getSessionNSID, bad, c.key, c.nonce).wantOAuthError(t, http.StatusUnauthorized, "invalid_token", "signature verification failed")
	// A password session's token sent with a proof.
	pw := mustLogin(t, s, "alice.test", testPassword)
	c.xrpc("GET", getSessionNSID, pw.AccessJwt, c.key, c.nonce).wantOAuthError(t, http.StatusUnauthorized, "invalid_token", "Invalid token")
}

// An OAuth access token is useless as a Bearer, as on the reference PDS
// 0.4.217 (400 InvalidToken "Malformed token"); a password session's token
// still works as before.
func TestOAuthTokenAsBearerIsRefused(t *testing.T) {
	s, clock, alice := newServer(t, fakepds.Options{})
	c := newOAuthClient(t, s, clock.Now)
	tok := c.signIn(alice.DID)
	a := call(t, s, "GET", getSessionNSID, tok.AccessToken, nil)
	a.wantError(t, http.StatusBadRequest, "InvalidToken", "Malformed token")
	if a.header.Get("DPoP-Nonce") != "" {
		t.Fatal("a Bearer request got a DPoP nonce")
	}
	call(t, s, "POST", "com.atproto.server.refreshSession", tok.RefreshToken, nil).wantError(t, http.StatusBadRequest, "InvalidToken", "")
	pw := mustLogin(t, s, "alice.test", testPassword)
	call(t, s, "GET", getSessionNSID, pw.AccessJwt, nil).wantOK(t)
}

func TestOAuthUploadBlobWithDPoP(t *testing.T) {
	s, clock, alice := newServer(t, fakepds.Options{})
	c := newOAuthClient(t, s, clock.Now)
	tok := c.signIn(alice.DID)
	u := s.URL() + "/xrpc/com.atproto.repo.uploadBlob"
	req, _ := http.NewRequest("POST", u, bytes.NewReader([]byte("hello")))
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set("Authorization", "DPoP "+tok.AccessToken)
	req.Header.Set("DPoP", c.key.proof("POST", u, c.nonce, tok.AccessToken))
	do(t, s, req).wantOK(t)
	req, _ = http.NewRequest("POST", u, bytes.NewReader([]byte("hello")))
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set("Authorization", "DPoP "+tok.AccessToken)
	req.Header.Set("DPoP", c.key.proof("GET", u, c.nonce, tok.AccessToken))
	do(t, s, req).wantOAuthError(t, http.StatusUnauthorized, "invalid_dpop_proof", `DPoP "htm" mismatch`)
}

// A nonce that rotates mid-session: the request gets 401 use_dpop_nonce
// with WWW-Authenticate and a new DPoP-Nonce, and the retry with it works.
func TestOAuthNonceRotatesMidSession(t *testing.T) {
	s, clock, alice := newServer(t, fakepds.Options{})
	c := newOAuthClient(t, s, clock.Now)
	tok := c.signIn(alice.DID)
	rotations := map[string]func(){
		"Inject":          func() { s.Inject(getSessionNSID, fakepds.Fault{Kind: fakepds.FaultRotateNonce, Times: 1}) },
		"RotateDPoPNonce": s.RotateDPoPNonce,
		"the clock":       func() { clock.Advance(2 * time.Minute) },
	}
	for name, rotate := range rotations {
		t.Run(name, func(t *testing.T) {
			old := c.nonce
			rotate()
			a := c.xrpc("GET", getSessionNSID, tok.AccessToken, c.key, old)
			a.wantOAuthError(t, http.StatusUnauthorized, "use_dpop_nonce", `DPoP "nonce" mismatch`)
			if w := a.header.Get("WWW-Authenticate"); w != `DPoP algs="ES256", error="use_dpop_nonce"` {
				t.Fatalf("WWW-Authenticate %q", w)
			}
			if c.nonce == old || c.nonce != s.DPoPNonce() {
				t.Fatalf("nonce %q after rotation, old %q, server's %q", c.nonce, old, s.DPoPNonce())
			}
			c.xrpc("GET", getSessionNSID, tok.AccessToken, c.key, c.nonce).wantOK(t)
			// The token endpoint refuses the old nonce too (400 there).
			s.RotateDPoPNonce()
			c.post("/oauth/token", nil, c.key, old).wantOAuthError(t, http.StatusBadRequest, "use_dpop_nonce", "")
		})
	}
	// Within a minute's rotation the previous nonce still works.
	prev := s.DPoPNonce()
	clock.Advance(time.Minute)
	if s.DPoPNonce() == prev {
		t.Fatal("the nonce did not rotate in a minute")
	}
	c.xrpc("GET", getSessionNSID, tok.AccessToken, c.key, prev).wantOK(t)
}
