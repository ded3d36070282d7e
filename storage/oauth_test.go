package storage

import (
	"context"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/auth"
)

// oauthState is a valid state holding OAuth sessions: account 0 signed in
// with OAuth (active), account 1 with a password, and account 2's OAuth
// session queued for logout.
func oauthState() *State {
	st := NewState()
	st.Upsert(oauthAccount(0))
	st.Upsert(account(1))
	st.Active = st.Accounts[0].DID
	st.QueueLogout(oauthSession(2, t0), t0)
	return st
}

// TestOAuthRoundTrip: an OAuth session, saved or queued for logout, is
// written as version 5 and read back whole, by Load and by LoadAccount; a
// file without one keeps the version it had.
func TestOAuthRoundTrip(t *testing.T) {
	s := newStore(t)
	want := oauthState()
	mustUpdate(t, s, replaceWith(oauthState()))
	text := fileText(t, s)
	if !strings.Contains(text, `"version": 5`) || strings.Count(text, `"oauth": {`) != 2 {
		t.Fatalf("a file holding OAuth sessions is not version 5 with both:\n%s", text)
	}
	if info, err := os.Stat(s.Path()); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("the file holding DPoP keys: %v, %v", info.Mode(), err)
	}
	st, err := s.Load()
	want.Version = 5
	if err != nil || !sameState(st, want) {
		t.Fatalf("read back as (err %v)\n%+v\nwant\n%+v", err, st, want)
	}
	if st.Accounts[0].Kind() != auth.KindOAuth || st.Accounts[1].Kind() != auth.KindPassword {
		t.Fatal("kinds read back wrong")
	}
	a, ok, err := s.LoadAccount(context.Background(), "")
	if err != nil || !ok || !sameState(&State{Accounts: []Account{*a}}, &State{Accounts: want.Accounts[:1]}) {
		t.Fatalf("LoadAccount: %+v, %v, %v", a, ok, err)
	}

	// Either one alone makes it version 5.
	for name, change := range map[string]func(*State) error{
		"account only": func(st *State) error { st.PendingLogouts = nil; return nil },
		"queued only":  func(st *State) error { st.Remove(st.Accounts[0].DID); return nil },
	} {
		s := newStore(t)
		mustUpdate(t, s, replaceWith(oauthState()))
		mustUpdate(t, s, change)
		if text := fileText(t, s); !strings.Contains(text, `"version": 5`) {
			t.Errorf("%s: not version 5:\n%.100s", name, text)
		}
	}
	// Without one, the file is what it was.
	mustUpdate(t, s, func(st *State) error {
		st.Remove(st.Accounts[0].DID)
		st.PendingLogouts = nil
		return nil
	})
	if text := fileText(t, s); !strings.Contains(text, `"version": 1`) || strings.Contains(text, "oauth") {
		t.Errorf("a file without OAuth sessions is not version 1:\n%.100s", text)
	}
}

// validOAuthDoc is oauthState as written.
func validOAuthDoc(t *testing.T) string {
	t.Helper()
	st := oauthState()
	st.Version = st.formatVersion()
	data, err := encode(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestBadOAuthIsRefused: every OAuth member is checked on reading, by Load,
// Update and LoadAccount alike, with an error naming the member and never
// quoting it (nor a key, nor a token); the file is left as it was.
func TestBadOAuthIsRefused(t *testing.T) {
	valid := validOAuthDoc(t)
	key := oauthAccount(0).OAuth.DPoPKey
	field := func(name, value string) string { return `"` + name + `": "` + value + `"` }
	tests := []struct {
		name, old, new, reason string
		last                   bool // change the queued logout's, not the account's
	}{
		{"version 4", `"version": 5`, `"version": 4`, "format version 4 cannot hold oauth", false},
		{"not an object", `"oauth": {`, `"oauth": "` + key + `", "x": {`, "accounts[0].oauth: want an object, got a string", false},
		{"unknown member", `"oauth": {`, `"oauth": {"` + "privateKey" + `": "` + key + `",`, "accounts[0].oauth.privateKey: unknown field", false},
		{"client_id missing", field("clientId", loopbackClientID), field("clientId", ""), "accounts[0].oauth.clientId: missing", false},
		{"client_id not a URL", field("clientId", loopbackClientID), field("clientId", key), "oauth.clientId: not an absolute URL", false},
		{"client_id over http", field("clientId", loopbackClientID), field("clientId", "http://client.example/meta.json"), "oauth.clientId: not an https URL", false},
		{"issuer over http", field("issuer", "https://bsky.social"), field("issuer", "http://bsky.social"), "accounts[0].oauth.issuer: not an https URL (plain http only on this machine)", false},
		{"issuer with a query", field("issuer", "https://bsky.social"), field("issuer", "https://bsky.social?k="+key), "oauth.issuer: holds a query", false},
		{"issuer with a user", field("issuer", "https://bsky.social"), field("issuer", "https://"+key+"@bsky.social"), "oauth.issuer: holds a user name", false},
		{"issuer without a host", field("issuer", "https://bsky.social"), field("issuer", "https:///x"), "oauth.issuer: no host", false},
		{"token endpoint with a fragment", field("tokenEndpoint", "https://bsky.social/oauth/token"), field("tokenEndpoint", "https://bsky.social/oauth/token#"+key), "oauth.tokenEndpoint: holds a fragment", false},
		{"token endpoint with a space", field("tokenEndpoint", "https://bsky.social/oauth/token"), field("tokenEndpoint", "https://bsky.social/oauth/ token"), "oauth.tokenEndpoint: holds a character no URL has", false},
		{"token endpoint with an escape", field("tokenEndpoint", "https://bsky.social/oauth/token"), field("tokenEndpoint", `https://bsky.social/\u001b[2J`), "oauth.tokenEndpoint: holds a character no URL has", false},
		{"token endpoint too long", field("tokenEndpoint", "https://bsky.social/oauth/token"), field("tokenEndpoint", "https://bsky.social/"+strings.Repeat("a", maxOAuthURL)), "oauth.tokenEndpoint: longer than 2048 bytes", false},
		{"token endpoint missing", field("tokenEndpoint", "https://bsky.social/oauth/token"), field("tokenEndpoint", ""), "oauth.tokenEndpoint: missing", false},
		{"revocation endpoint over ftp", field("revocationEndpoint", "https://bsky.social/oauth/revoke"), field("revocationEndpoint", "ftp://bsky.social/revoke"), "oauth.revocationEndpoint: not an https URL", false},
		{"key not base64url", field("dpopKey", key), field("dpopKey", key+"!"), "accounts[0].oauth.dpopKey: not a base64url PKCS #8 P-256 key", false},
		{"key not DER", field("dpopKey", key), field("dpopKey", "A"+key[1:]), "oauth.dpopKey: not a base64url PKCS #8 P-256 key", false},
		{"key too long", field("dpopKey", key), field("dpopKey", key+strings.Repeat(key[8:], 8)), "oauth.dpopKey: not a base64url PKCS #8 P-256 key", false},
		{"key of Ed25519", field("dpopKey", key), field("dpopKey", otherKey(t, "ed25519")), "accounts[0].oauth.dpopKey: not a base64url PKCS #8 P-256 key", false},
		{"key of P-384", field("dpopKey", key), field("dpopKey", otherKey(t, "p384")), "accounts[0].oauth.dpopKey: not a base64url PKCS #8 P-256 key", false},
		{"key of X25519", field("dpopKey", key), field("dpopKey", otherKey(t, "x25519")), "accounts[0].oauth.dpopKey: not a base64url PKCS #8 P-256 key", false},
		{"key cut short", field("dpopKey", key), field("dpopKey", key[:60]), "accounts[0].oauth.dpopKey: not a base64url PKCS #8 P-256 key", false},
		{"queued: key of P-384", field("dpopKey", oauthSession(2, t0).OAuth.DPoPKey), field("dpopKey", otherKey(t, "p384")), "pending logout 0: oauth.dpopKey: not a base64url PKCS #8 P-256 key", true},
		{"key missing", field("dpopKey", key), field("dpopKey", ""), "accounts[0].oauth.dpopKey: missing beside the refresh token", false},
		{"key without tokens", `"refreshJwt": "` + oauthAccount(0).RefreshJwt + `"`, `"refreshJwt": ""`, "accounts[0].oauth.dpopKey: held without the refresh token", false},
		{"scope empty", field("scope", "atproto transition:generic"), field("scope", ""), "oauth.scope: want space-separated scope tokens", false},
		{"scope with a quote", field("scope", "atproto transition:generic"), field("scope", `atproto \"x`), "oauth.scope: want space-separated scope tokens", false},
		{"scope with two spaces", field("scope", "atproto transition:generic"), field("scope", "atproto  transition:generic"), "oauth.scope: want space-separated", false},
		{"session end missing", `"sessionEndsAt": "2025-06-15T12:00:00Z"`, `"sessionEndsAt": null`, "accounts[0].oauth.sessionEndsAt: missing", false},
		{"session end not a time", `"sessionEndsAt": "2025-06-15T12:00:00Z"`, `"sessionEndsAt": "` + key + `"`, "accounts[0].oauth.sessionEndsAt: want an RFC 3339 timestamp", false},
		{"nonce with a space", field("pdsNonce", "pds-nonce-0"), field("pdsNonce", "pds nonce"), "accounts[0].oauth.pdsNonce: want a DPoP nonce", false},
		{"nonce too long", field("authServerNonce", "as-nonce-0"), field("authServerNonce", strings.Repeat("n", maxNonce+1)), "oauth.authServerNonce: want a DPoP nonce, at most 1024 bytes", false},
		{"queued: endpoint over http", field("tokenEndpoint", "https://bsky.social/oauth/token"), field("tokenEndpoint", "http://bsky.social/oauth/token"), "pending logout 0: oauth.tokenEndpoint: not an https URL", true},
		{"queued: key missing", field("dpopKey", oauthSession(2, t0).OAuth.DPoPKey), field("dpopKey", ""), "pending logout 0: oauth.dpopKey: missing", true},
		{"queued: key not base64url", field("dpopKey", oauthSession(2, t0).OAuth.DPoPKey), field("dpopKey", "eyJ.x"), "pending logout 0: oauth.dpopKey: not a base64url", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i := strings.Index(valid, tt.old)
			if tt.last {
				i = strings.LastIndex(valid, tt.old)
			}
			if i < 0 {
				t.Fatalf("%q is not in the document", tt.old)
			}
			bad := valid[:i] + tt.new + valid[i+len(tt.old):]
			s := newStore(t)
			os.MkdirAll(filepath.Dir(s.Path()), 0o700)
			if err := os.WriteFile(s.Path(), []byte(bad), 0o600); err != nil {
				t.Fatal(err)
			}
			checkRefused(t, s, ErrCorrupt, tt.reason)
			_, err := decode(s.Path(), []byte(bad))
			_, _, _, errOne := decodeOne(s.Path(), []byte(bad), "")
			if errOne == nil || errOne.Error() != err.Error() {
				t.Errorf("LoadAccount's reader: %v\nLoad's: %v", errOne, err)
			}
			if err != nil && strings.Contains(err.Error(), key) {
				t.Errorf("the error quotes the key")
			}
		})
	}
	// The valid document itself loads.
	if _, err := decode("valid", []byte(valid)); err != nil {
		t.Fatal(err)
	}
}

// TestBadOAuthIsNotWritten: a state holding a malformed OAuth session is
// not written (ErrInvalidState, the member named, nothing quoted), and a
// loopback issuer or endpoint over http is fine.
func TestBadOAuthIsNotWritten(t *testing.T) {
	for _, tt := range []struct {
		name, want string
		change     func(*auth.SessionData)
	}{
		{"issuer over http", "account 0: oauth.issuer: not an https URL", func(d *auth.SessionData) { d.OAuth.Issuer = "http://bsky.social" }},
		{"no key", "account 0: oauth.dpopKey: missing beside the refresh token", func(d *auth.SessionData) { d.OAuth.DPoPKey = "" }},
		{"key mangled", "account 0: oauth.dpopKey: not a base64url PKCS #8 P-256 key", func(d *auth.SessionData) { d.OAuth.DPoPKey += "=" }},
		{"no session end", "account 0: oauth.sessionEndsAt: missing", func(d *auth.SessionData) { d.OAuth.SessionEndsAt = time.Time{} }},
	} {
		s := newStore(t)
		mustUpdate(t, s, replaceWith(oauthState()))
		before := fileText(t, s)
		err := s.Update(func(st *State) error { tt.change(&st.Accounts[0].SessionData); return nil })
		if !errors.Is(err, ErrInvalidState) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want ErrInvalidState saying %q", tt.name, err, tt.want)
		}
		if err != nil && (holdsSecret(err.Error(), oauthAccount(0).SessionData) || strings.Contains(err.Error(), keyStart)) {
			t.Errorf("%s: the error quotes a secret", tt.name)
		}
		if fileText(t, s) != before {
			t.Errorf("%s: the file changed", tt.name)
		}
	}
	// A PDS under development: http on this machine.
	s := newStore(t)
	local := oauthState()
	o := local.Accounts[0].OAuth
	o.Issuer, o.TokenEndpoint, o.RevocationEndpoint = "http://localhost:2583", "http://127.0.0.1:2583/oauth/token", "http://[::1]:2583/oauth/revoke"
	mustUpdate(t, s, replaceWith(local))
	if st, err := s.Load(); err != nil || st.Accounts[0].OAuth.RevocationEndpoint != o.RevocationEndpoint {
		t.Fatalf("loopback endpoints: %v", err)
	}
}

// otherKey is a PKCS #8 private key, base64url, of another kind than a
// DPoP key (P-256): "ed25519", "p384" or "x25519". Each is a DER sequence,
// as a P-256 key is.
func otherKey(t *testing.T, kind string) string {
	t.Helper()
	var k any
	var err error
	switch kind {
	case "ed25519":
		_, k, err = ed25519.GenerateKey(rand.Reader)
	case "p384":
		k, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "x25519":
		k, err = ecdh.X25519().GenerateKey(rand.Reader)
	}
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(der)
}
