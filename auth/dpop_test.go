package auth

import (
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDPoPProofVerifies(t *testing.T) {
	enc, err := NewDPoPKey()
	if err != nil {
		t.Fatal(err)
	}
	k, err := parseDPoPKey(enc)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_700_000_000, 0)
	proof, err := dpopProof(k, "POST", "https://pds.example/xrpc/com.atproto.repo.createRecord?x=1#frag", "nonce-1", "the-access-token", now)
	if err != nil {
		t.Fatal(err)
	}
	h, c, err := verifyProof(proof)
	if err != nil {
		t.Fatalf("own proof does not verify: %v", err)
	}
	sum := sha256.Sum256([]byte("the-access-token"))
	switch {
	case c["htm"] != "POST", c["htu"] != "https://pds.example/xrpc/com.atproto.repo.createRecord":
		t.Fatalf("htm %v htu %v", c["htm"], c["htu"])
	case c["nonce"] != "nonce-1", c["iat"] != float64(now.Unix()):
		t.Fatalf("nonce %v iat %v", c["nonce"], c["iat"])
	case c["ath"] != b64.EncodeToString(sum[:]):
		t.Fatalf("ath %v", c["ath"])
	case len(c["jti"].(string)) < 16:
		t.Fatalf("jti %v", c["jti"])
	}
	jwk, _ := jwkOf(k)
	if h.JWK.X != jwk.X || h.JWK.Y != jwk.Y || strings.Contains(proof, enc) {
		t.Fatal("the proof's key is not the session's public key, or it holds the private key")
	}
	// A proof without token or nonce has neither claim; every jti differs.
	p2, _ := dpopProof(k, "GET", "https://as.example/oauth/token", "", "", now)
	_, c2, err := verifyProof(p2)
	if err != nil || c2["ath"] != nil || c2["nonce"] != nil || c2["jti"] == c["jti"] {
		t.Fatalf("bare proof: %v %v", err, c2)
	}
	// A tampered proof does not verify (the check above can fail).
	if _, _, err := verifyProof(proof[:len(proof)-4] + "AAAA"); err == nil {
		t.Fatal("a tampered signature verified")
	}
}

func TestDPoPKeyRefusesGarbage(t *testing.T) {
	for _, s := range []string{"", "not base64!", b64.EncodeToString([]byte("not a key"))} {
		if _, err := parseDPoPKey(s); !errors.Is(err, ErrBadDPoPKey) {
			t.Fatalf("%q: %v", s, err)
		}
	}
}

func TestPKCE(t *testing.T) {
	// RFC 7636, appendix B.
	if got := pkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"); got != "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" {
		t.Fatalf("challenge %s", got)
	}
	if v := randomText(32); len(v) != 43 || v == randomText(32) {
		t.Fatalf("verifier %d characters", len(v))
	}
}

func TestLoopbackClientID(t *testing.T) {
	got := LoopbackClientID("http://127.0.0.1:49152/callback", "atproto transition:generic")
	want := "http://localhost?redirect_uri=http%3A%2F%2F127.0.0.1%3A49152%2Fcallback&scope=atproto+transition%3Ageneric"
	if got != want {
		t.Fatalf("client_id\n got %s\nwant %s", got, want)
	}
}

func TestCheckRedirect(t *testing.T) {
	for _, ok := range []string{"http://127.0.0.1:8080/callback", "http://[::1]:1/callback"} {
		if err := checkRedirect(ok); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"http://localhost:8080/callback", "https://127.0.0.1:8080/callback", "http://127.0.0.1/callback",
		"http://127.0.0.2:80/callback", "http://10.0.0.1:80/callback", "http://127.0.0.1:80/callback?x=1", "http://u@127.0.0.1:80/cb", ""} {
		if err := checkRedirect(bad); !errors.Is(err, ErrBadRedirect) {
			t.Errorf("%q accepted", bad)
		}
	}
}

// Plain http is allowed on loopback only, and a server on the network may
// not send a sign-in to one on this machine.
func TestOAuthURLRules(t *testing.T) {
	cases := []struct {
		issuer, pds string
		ok          bool
	}{
		{"http://localhost:2583", "http://localhost:2583", true},
		{"https://bsky.social", "https://pds.example", true},
		{"http://bsky.social", "https://pds.example", false},
		{"http://localhost:2583", "https://pds.example", false},
		{"https://bsky.social/", "https://pds.example", false},
		{"https://bsky.social/path", "https://pds.example", false},
		{"https://u@bsky.social", "https://pds.example", false},
	}
	for _, c := range cases {
		if err := checkIssuer(c.issuer, c.pds); (err == nil) != c.ok {
			t.Errorf("issuer %s for %s: %v", c.issuer, c.pds, err)
		}
	}
	ends := []struct {
		endpoint, issuer string
		ok               bool
	}{
		{"https://bsky.social/oauth/token", "https://bsky.social", true},
		{"http://localhost:2583/oauth/token", "http://localhost:2583", true},
		{"http://bsky.social/oauth/token", "https://bsky.social", false},
		{"https://127.0.0.1/oauth/token", "https://bsky.social", false},
		{"https://bsky.social/oauth/token?x=1", "https://bsky.social", false},
		{"https://bsky.social/oauth/token#f", "https://bsky.social", false},
		{"ftp://bsky.social/oauth/token", "https://bsky.social", false},
		{"https://bsky.social/oauth/\u009b2Jauthorize", "https://bsky.social", false},
		{"https://bsky.social/oauth/\u202eezirohtua", "https://bsky.social", false},
		{"https://bsky.social/oauth/aut horize", "https://bsky.social", false},
		{"https://bsky.social/oauth/%E2%80%AEauthorize", "https://bsky.social", true}, // escaped, it shows as it is
	}
	for _, e := range ends {
		if err := checkEndpoint(e.endpoint, e.issuer); (err == nil) != e.ok {
			t.Errorf("endpoint %q of %s: %v", e.endpoint, e.issuer, err)
		}
	}
}
