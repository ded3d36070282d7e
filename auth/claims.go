package auth

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Scopes found in the access tokens of Bluesky's PDS. The spec asks clients to
// treat tokens as opaque: show these, never depend on them.
const (
	ScopeAccess            = "com.atproto.access"
	ScopeAppPass           = "com.atproto.appPass"
	ScopeAppPassPrivileged = "com.atproto.appPassPrivileged"
	ScopeRefresh           = "com.atproto.refresh"
)

// maxTokenLen bounds what ParseClaims reads; real tokens are under 1 KiB.
const maxTokenLen = 16 << 10

// ErrMalformedToken is wrapped by every ParseClaims error.
var ErrMalformedToken = errors.New("malformed token")

// Claims are the parts of a JWT skyswitch shows and schedules by. They are
// decoded without verifying the signature: only the server can do that.
type Claims struct {
	Type      string // header "typ": at+jwt, refresh+jwt
	Scope     string
	Audience  string
	Subject   string
	ID        string // jti
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// TokenKind tells what an access token may do, as its scope claims.
type TokenKind int

// Token kinds, from the scope claim.
const (
	KindUnknown TokenKind = iota
	KindFull
	KindAppPassword
	KindAppPasswordPrivileged
	KindRefresh
)

func (k TokenKind) String() string {
	switch k {
	case KindFull:
		return "full account access"
	case KindAppPassword:
		return "app password"
	case KindAppPasswordPrivileged:
		return "privileged app password"
	case KindRefresh:
		return "refresh token"
	}
	return "unknown"
}

// MarshalText is the kind's code in JSON (list --json's tokenKind):
// "full", "app-password", "app-password-privileged", "refresh" or
// "unknown".
func (k TokenKind) MarshalText() ([]byte, error) {
	switch k {
	case KindFull:
		return []byte("full"), nil
	case KindAppPassword:
		return []byte("app-password"), nil
	case KindAppPasswordPrivileged:
		return []byte("app-password-privileged"), nil
	case KindRefresh:
		return []byte("refresh"), nil
	}
	return []byte("unknown"), nil
}

// Kind classifies the token by its scope claim.
func (c Claims) Kind() TokenKind {
	switch c.Scope {
	case ScopeAccess:
		return KindFull
	case ScopeAppPass:
		return KindAppPassword
	case ScopeAppPassPrivileged:
		return KindAppPasswordPrivileged
	case ScopeRefresh:
		return KindRefresh
	}
	return KindUnknown
}

// Lifetime is ExpiresAt − IssuedAt, or zero when either is missing.
func (c Claims) Lifetime() time.Duration {
	if c.IssuedAt.IsZero() || c.ExpiresAt.IsZero() {
		return 0
	}
	return c.ExpiresAt.Sub(c.IssuedAt)
}

// ParseClaims decodes the header and payload of a compact JWT. It never
// panics; any malformed input gives an error wrapping ErrMalformedToken. The
// error never quotes the token.
func ParseClaims(token string) (Claims, error) {
	if len(token) > maxTokenLen {
		return Claims{}, fmt.Errorf("%w: longer than %d bytes", ErrMalformedToken, maxTokenLen)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return Claims{}, fmt.Errorf("%w: want 3 dot-separated parts, got %d", ErrMalformedToken, len(parts))
	}
	var header struct {
		Typ string `json:"typ"`
	}
	if err := decodeSegment(parts[0], &header); err != nil {
		return Claims{}, fmt.Errorf("%w: header: %v", ErrMalformedToken, err)
	}
	var payload struct {
		Scope string          `json:"scope"`
		Aud   json.RawMessage `json:"aud"`
		Sub   string          `json:"sub"`
		Jti   string          `json:"jti"`
		Iat   *json.Number    `json:"iat"`
		Exp   *json.Number    `json:"exp"`
	}
	if err := decodeSegment(parts[1], &payload); err != nil {
		return Claims{}, fmt.Errorf("%w: payload: %v", ErrMalformedToken, err)
	}
	iat, err := unixTime(payload.Iat)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: iat: %v", ErrMalformedToken, err)
	}
	exp, err := unixTime(payload.Exp)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: exp: %v", ErrMalformedToken, err)
	}
	return Claims{
		Type:      header.Typ,
		Scope:     payload.Scope,
		Audience:  audience(payload.Aud),
		Subject:   payload.Sub,
		ID:        payload.Jti,
		IssuedAt:  iat,
		ExpiresAt: exp,
	}, nil
}

func decodeSegment(seg string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return errors.New("not base64url")
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return errors.New("not a JSON object")
	}
	return nil
}

// unixTime turns a NumericDate into a time; absent gives the zero time.
func unixTime(n *json.Number) (time.Time, error) {
	if n == nil {
		return time.Time{}, nil
	}
	f, err := n.Float64()
	if err != nil || f < 0 || f > 1<<40 {
		return time.Time{}, errors.New("not a plausible unix time")
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), nil
}

// audience accepts the two JSON shapes of "aud": a string or an array.
func audience(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return strings.Join(list, " ")
	}
	return ""
}

// tokenSubject is the sub claim of a compact JWT, read on its own so that
// no other claim (an exp skyswitch cannot read, say) can hide it. ok is
// false when the token is not a JWT or names no subject: the spec has
// clients treat tokens as opaque, so such a token is taken as it is.
func tokenSubject(token string) (sub string, ok bool) {
	parts := strings.Split(token, ".")
	if len(token) > maxTokenLen || len(parts) != 3 {
		return "", false
	}
	var payload struct {
		Sub any `json:"sub"`
	}
	if decodeSegment(parts[1], &payload) != nil {
		return "", false
	}
	sub, ok = payload.Sub.(string)
	return sub, ok && sub != ""
}

// sameAccount refuses a session answer (login, refresh) for another account
// than did: one whose body names another DID, or whose tokens' sub claim
// does. Saving such tokens would make skyswitch act as someone else under
// did's name (exec's ATP_DID). cs are the credentials the refusal may not
// quote; the DID it names is shown only when it is one.
func sameAccount(nsid, did string, w wireSession, cs credentials) error {
	if w.DID != "" && w.DID != did {
		return fmt.Errorf("%s: %w: the server's answer is for another account (%s)", nsid, ErrBadResponse, shownDID(w.DID, cs))
	}
	for _, tok := range []string{w.AccessJwt, w.RefreshJwt} {
		if sub, ok := tokenSubject(tok); ok && sub != did {
			return fmt.Errorf("%s: %w: the server's answer holds tokens for another account (%s)", nsid, ErrBadResponse, shownDID(sub, cs))
		}
	}
	return nil
}

// shownDID is a DID a server sent, as an error may show it: only a valid
// DID that quotes no credential.
func shownDID(did string, cs credentials) string {
	switch {
	case !ValidDID(did):
		return "not a valid DID"
	case cs.quotedIn(did):
		return "withheld: it quoted a credential"
	}
	return did
}

// CheckSubjects says whether d's tokens are its DID's: an error wrapping
// ErrBadResponse when either one's sub claim names another DID (a token
// saved before skyswitch refused such answers, or a file edited by hand).
// A token that is not a JWT, or names no subject, passes, as at login.
func (d SessionData) CheckSubjects() error {
	return sameAccount("saved session", d.DID, wireSession{AccessJwt: d.AccessJwt, RefreshJwt: d.RefreshJwt},
		requestCredentials(d.AccessJwt, nil, d.RefreshJwt))
}
