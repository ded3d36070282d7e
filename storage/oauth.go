package storage

// What the file may hold of an OAuth session (auth.OAuthData): each field
// is checked on every read and write, as strictly as the auth package
// would have made it, and no error quotes the content: the DPoP key is a
// secret like the tokens.

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/skyswitch/skyswitch/auth"
)

// Limits of what an OAuth session's fields may take, in bytes.
const (
	maxOAuthURL = 2048 // a client_id, issuer or endpoint
	maxDPoPKey  = 1024 // base64url; an ES256 key's PKCS #8 takes 184
	maxScope    = 1024
	maxNonce    = 1024
)

// keyStart opens the base64url PKCS #8 of every P-256 private key (its
// fixed header): like "eyJ" for a token, a string holding it is never
// quoted in an error.
const keyStart = "MIGHAgEA"

// checkOAuth checks what a session holds of OAuth; refreshHeld tells
// whether its refresh token is held beside (the key moves with the tokens:
// both are in this place, or neither). The error names the member, as
// "oauth.tokenEndpoint: …", never its value.
func checkOAuth(o *auth.OAuthData, refreshHeld bool) error {
	if err := checkOAuthURLs(o); err != nil {
		return err
	}
	switch {
	case o.DPoPKey == "" && refreshHeld:
		return errors.New("oauth.dpopKey: missing beside the refresh token")
	case o.DPoPKey != "" && !refreshHeld:
		return errors.New("oauth.dpopKey: held without the refresh token")
	case o.DPoPKey != "" && !validKey(o.DPoPKey):
		return errors.New("oauth.dpopKey: not a base64url PKCS #8 P-256 key")
	case o.Scope == "" || len(o.Scope) > maxScope || !scopeChars(o.Scope):
		return fmt.Errorf("oauth.scope: want space-separated scope tokens, at most %d bytes", maxScope)
	case o.SessionEndsAt.IsZero():
		return errors.New("oauth.sessionEndsAt: missing")
	}
	for _, n := range []struct{ name, v string }{{"authServerNonce", o.AuthServerNonce}, {"pdsNonce", o.PDSNonce}} {
		if len(n.v) > maxNonce || !nonceChars(n.v) {
			return fmt.Errorf("oauth.%s: want a DPoP nonce, at most %d bytes", n.name, maxNonce)
		}
	}
	return nil
}

func checkOAuthURLs(o *auth.OAuthData) error {
	for _, u := range []struct {
		name, v         string
		query, optional bool
	}{
		{"clientId", o.ClientID, true, false},
		{"issuer", o.Issuer, false, false},
		{"tokenEndpoint", o.TokenEndpoint, true, false},
		{"revocationEndpoint", o.RevocationEndpoint, true, true},
	} {
		if u.optional && u.v == "" {
			continue
		}
		if why := badURL(u.v, u.query); why != "" {
			return fmt.Errorf("oauth.%s: %s", u.name, why)
		}
	}
	return nil
}

// badURL says what is wrong with s as an OAuth URL, or "": an absolute
// https URL, or http on this machine (a loopback client_id, a PDS under
// development), with no user, no fragment, and a query only if query.
func badURL(s string, query bool) string {
	switch {
	case s == "":
		return "missing"
	case len(s) > maxOAuthURL:
		return fmt.Sprintf("longer than %d bytes", maxOAuthURL)
	}
	for i := range len(s) {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return "holds a character no URL has (a space, a control or non-ASCII character)"
		}
	}
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Opaque != "" || !u.IsAbs():
		return "not an absolute URL"
	case u.Scheme != "https" && (u.Scheme != "http" || !auth.IsLoopbackHost(u.Hostname())):
		return "not an https URL (plain http only on this machine)"
	case u.Hostname() == "":
		return "no host"
	case u.User != nil:
		return "holds a user name"
	case strings.Contains(s, "#"):
		return "holds a fragment"
	case !query && strings.Contains(s, "?"):
		return "holds a query"
	}
	return ""
}

// validKey tells whether k is shaped like a P-256 private key in PKCS #8,
// base64url without padding, as auth.NewDPoPKey writes it: a DER sequence
// of the length it says, opening with version 0 and the algorithm
// identifier of an EC key on P-256 (p256Head). Another kind of key (an
// Ed25519, P-384 or X25519 one: DER sequences all) would sign nothing the
// server takes. It is not parsed: that costs a scalar multiplication, on
// every read of every account; auth.parseDPoPKey does, before each use.
func validKey(k string) bool {
	if len(k) > maxDPoPKey || len(k) < 16 {
		return false
	}
	der, err := base64.RawURLEncoding.DecodeString(k)
	if err != nil || len(der) < 2 || der[0] != 0x30 {
		return false
	}
	body := der[2:]
	switch n := int(der[1]); {
	case n < 0x80:
		return n == len(body) && bytes.HasPrefix(body, p256Head)
	case n == 0x81 && len(body) > 0:
		return int(body[0]) == len(body)-1 && bytes.HasPrefix(body[1:], p256Head)
	case n == 0x82 && len(body) > 1:
		return int(body[0])<<8|int(body[1]) == len(body)-2 && bytes.HasPrefix(body[2:], p256Head)
	}
	return false
}

// p256Head opens the content of every PKCS #8 P-256 private key: version
// 0, then the AlgorithmIdentifier id-ecPublicKey with the named curve
// prime256v1 (RFC 5480), then the OCTET STRING's tag.
var p256Head = []byte{
	0x02, 0x01, 0x00,
	0x30, 0x13,
	0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
	0x04,
}

// scopeChars tells whether s is scope tokens (RFC 6749 §3.3: printable
// ASCII but '"' and '\'), separated by single spaces.
func scopeChars(s string) bool {
	for _, tok := range strings.Split(s, " ") {
		if tok == "" || !nonceChars(tok) {
			return false
		}
	}
	return true
}

// nonceChars tells whether s is printable ASCII without a space, '"' or
// '\' (RFC 9449's NQCHAR, which scope tokens share).
func nonceChars(s string) bool {
	for i := range len(s) {
		if c := s[i]; c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// oauthFrom is the version of the format that first holds OAuth sessions.
const oauthFrom = 5

// checkOAuthVersion refuses OAuth in a file of a version before oauthFrom:
// builds that know only those would refuse its field as unknown.
func checkOAuthVersion(version int) error {
	if version < oauthFrom {
		return fmt.Errorf("format version %d cannot hold oauth", version)
	}
	return nil
}
