package storage

import (
	"crypto/ecdh"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/auth"
)

// t0 is the fixed clock of the tests.
var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// jwt builds an unsigned token shaped like a Bluesky PDS's: real size,
// real claims, a fake ES256K signature.
func jwt(typ, scope, sub, jti string, iat time.Time, life time.Duration) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	payload := map[string]any{
		"scope": scope, "sub": sub, "aud": "did:web:bsky.social",
		"iat": iat.Unix(), "exp": iat.Add(life).Unix(),
	}
	if jti != "" {
		payload["jti"] = jti
	}
	sig := base64.RawURLEncoding.EncodeToString(make([]byte, 64))
	return enc(map[string]string{"typ": typ, "alg": "ES256K"}) + "." + enc(payload) + "." + sig
}

// session returns a realistic session for account n, its tokens issued at iat.
func session(n int, iat time.Time) auth.SessionData {
	did := fmt.Sprintf("did:plc:%024d", n)
	handle := fmt.Sprintf("user%d.bsky.social", n)
	doc := fmt.Sprintf(`{"@context":["https://www.w3.org/ns/did/v1","https://w3id.org/security/multikey/v1","https://w3id.org/security/suites/secp256k1-2019/v1"],"id":%q,"alsoKnownAs":["at://%s"],"verificationMethod":[{"id":"%s#atproto","type":"Multikey","controller":%q,"publicKeyMultibase":"zQ3shXjHeiBuRCKmM36cuYnm7YEMzhGnCmCyW92sRJ9pribSF"}],"service":[{"id":"#atproto_pds","type":"AtprotoPersonalDataServer","serviceEndpoint":"https://morel.us-east.host.bsky.network"}]}`, did, handle, did, did)
	return auth.SessionData{
		AccessJwt:      jwt("at+jwt", auth.ScopeAccess, did, "", iat, 2*time.Hour),
		RefreshJwt:     jwt("refresh+jwt", auth.ScopeRefresh, did, fmt.Sprintf("jti-%d-%d", n, iat.UnixNano()), iat, 90*24*time.Hour),
		DID:            did,
		Handle:         handle,
		Email:          fmt.Sprintf("user%d@example.com", n),
		EmailConfirmed: true,
		Active:         true,
		DIDDoc:         json.RawMessage(doc),
		Service:        "https://bsky.social",
		PDSURL:         "https://morel.us-east.host.bsky.network",
		RefreshedAt:    iat,
	}
}

// dpopKey is a real ES256 private key made from seed, as OAuthData holds
// it: base64url (no padding) of its PKCS #8.
func dpopKey(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	k, err := ecdh.P256().NewPrivateKey(sum[:])
	if err != nil {
		panic(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(der)
}

// loopbackClientID is a loopback client's client_id, as sent at sign-in.
const loopbackClientID = "http://localhost?redirect_uri=http%3A%2F%2F127.0.0.1%3A49152%2Fcallback&scope=atproto+transition%3Ageneric"

// oauthSession returns session n as an OAuth session signed in at iat: a
// JWT access token, an opaque refresh token (as the reference PDS gives),
// and a DPoP key of its own.
func oauthSession(n int, iat time.Time) auth.SessionData {
	d := session(n, iat)
	d.AccessJwt = jwt("at+jwt", "atproto transition:generic", d.DID, fmt.Sprintf("at-%d-%d", n, iat.UnixNano()), iat, time.Hour)
	sum := sha256.Sum256([]byte(fmt.Sprintf("refresh %d %d", n, iat.UnixNano())))
	d.RefreshJwt = "ref-" + fmt.Sprintf("%x", sum)
	d.OAuth = &auth.OAuthData{
		ClientID:           loopbackClientID,
		Issuer:             "https://bsky.social",
		TokenEndpoint:      "https://bsky.social/oauth/token",
		RevocationEndpoint: "https://bsky.social/oauth/revoke",
		DPoPKey:            dpopKey(fmt.Sprintf("key %d %d", n, iat.UnixNano())),
		Scope:              "atproto transition:generic",
		AccessExpiresAt:    iat.Add(time.Hour),
		SessionEndsAt:      iat.Add(14 * 24 * time.Hour),
		AuthServerNonce:    fmt.Sprintf("as-nonce-%d", n),
		PDSNonce:           fmt.Sprintf("pds-nonce-%d", n),
	}
	return d
}

// oauthAccount is oauthSession n, signed in at t0, as a saved account.
func oauthAccount(n int) Account {
	return Account{SessionData: oauthSession(n, t0), AddedAt: t0, LastUsedAt: t0}
}

// secretsIn are the secrets of d: its tokens and its DPoP key, if any.
func secretsIn(d auth.SessionData) []string {
	s := []string{d.AccessJwt, d.RefreshJwt}
	if d.OAuth != nil {
		s = append(s, d.OAuth.DPoPKey)
	}
	return s
}

// holdsSecret tells whether text holds any of d's secrets.
func holdsSecret(text string, d auth.SessionData) bool {
	for _, v := range secretsIn(d) {
		if v != "" && strings.Contains(text, v) {
			return true
		}
	}
	return false
}

// account is session n as a saved account.
func account(n int) Account {
	return Account{SessionData: session(n, t0), AddedAt: t0, LastUsedAt: t0}
}

// stateWith returns a valid state of n accounts, the first active.
func stateWith(n int) *State {
	st := NewState()
	for i := range n {
		st.Upsert(account(i))
	}
	if n > 0 {
		st.Active = st.Accounts[0].DID
	}
	return st
}

// newStore is a store in a fresh temporary folder (which does not exist yet).
func newStore(t testing.TB) *Store {
	t.Helper()
	return Open(filepath.Join(t.TempDir(), "skyswitch", "accounts.json"))
}

// mustUpdate runs Update and fails the test on error.
func mustUpdate(t testing.TB, s *Store, fn func(*State) error) {
	t.Helper()
	if err := s.Update(fn); err != nil {
		t.Fatalf("update: %v", err)
	}
}

// replaceWith is an Update callback that makes the state a copy of st.
func replaceWith(st *State) func(*State) error {
	return func(cur *State) error { *cur = *st; return nil }
}
