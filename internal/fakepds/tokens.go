package fakepds

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
)

// Token types (the JWT header "typ") and scopes, as the reference PDS uses.
const (
	TypeAccess  = "at+jwt"
	TypeRefresh = "refresh+jwt"

	ScopeAccess            = "com.atproto.access"
	ScopeAppPass           = "com.atproto.appPass"
	ScopeAppPassPrivileged = "com.atproto.appPassPrivileged"
	ScopeRefresh           = "com.atproto.refresh"
)

// family is one login: the chain of refresh tokens that rotation produces.
// Revoking it (deleteSession) revokes every token of the chain.
type family struct {
	did         string
	scope       string // of the access tokens
	appPassword string // name of the app password logged in with, if any
	revoked     bool
}

// refreshRecord is the server-side state of one refresh token id (jti), like
// a row of the reference PDS's refresh_token table.
type refreshRecord struct {
	fam     *family
	next    string    // jti of the successor once rotated, else ""
	expires time.Time // shortened to the end of the grace period on rotation
}

type tokenClaims struct {
	Scope string `json:"scope,omitempty"` // none in an OAuth access token
	Sub   string `json:"sub"`
	Aud   string `json:"aud"`
	Jti   string `json:"jti,omitempty"`
	Iat   int64  `json:"iat"`
	Exp   int64  `json:"exp"`
	// An OAuth access token's key binding, client and issuer.
	Cnf      *confirmation `json:"cnf,omitempty"`
	ClientID string        `json:"client_id,omitempty"`
	Iss      string        `json:"iss,omitempty"`
}

// confirmation is an OAuth access token's cnf claim: the thumbprint of the
// DPoP key it is bound to.
type confirmation struct {
	JKT string `json:"jkt"`
}

type tokenHeader struct {
	Typ string `json:"typ"`
	Alg string `json:"alg"`
}

var b64 = base64.RawURLEncoding

// sign makes an HS256 JWT.
func (s *Server) sign(typ string, c tokenClaims) string {
	h, _ := json.Marshal(tokenHeader{Typ: typ, Alg: "HS256"})
	p, _ := json.Marshal(c)
	unsigned := b64.EncodeToString(h) + "." + b64.EncodeToString(p)
	mac := hmac.New(sha256.New, s.key)
	mac.Write([]byte(unsigned))
	return unsigned + "." + b64.EncodeToString(mac.Sum(nil))
}

// verify checks a token's signature, expiry (unless allowExpired) and type,
// in that order, and answers with the reference PDS's errors.
func (s *Server) verify(tok, wantType string, now time.Time, allowExpired bool) (tokenClaims, *xrpcError) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return tokenClaims{}, errBadToken
	}
	mac := hmac.New(sha256.New, s.key)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	sig, err := b64.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, mac.Sum(nil)) {
		return tokenClaims{}, errBadToken
	}
	var h tokenHeader
	var c tokenClaims
	if decodePart(parts[0], &h) != nil || decodePart(parts[1], &c) != nil || h.Alg != "HS256" {
		return tokenClaims{}, errBadToken
	}
	if !allowExpired && now.Unix() >= c.Exp {
		return tokenClaims{}, errTokenExpired
	}
	if h.Typ != wantType {
		return tokenClaims{}, errWrongTokenType
	}
	if !strings.HasPrefix(c.Sub, "did:") {
		return tokenClaims{}, errMalformedToken
	}
	return c, nil
}

func decodePart(part string, v any) error {
	raw, err := b64.DecodeString(part)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// seconds is a lifetime in whole seconds, at least 1.
func seconds(d time.Duration) int64 {
	return max(int64(d/time.Second), 1)
}

// newSession starts a family for a login and issues its first pair.
// Callers hold s.mu.
func (s *Server) newSession(did, scope, appPassword string, now time.Time) (access, refresh string) {
	fam := &family{did: did, scope: scope, appPassword: appPassword}
	jti := newJTI()
	iat := now.Unix()
	s.refresh[jti] = &refreshRecord{fam: fam, expires: time.Unix(iat+seconds(s.opts.RefreshLifetime), 0)}
	return s.issue(fam, jti, now)
}

// issue signs an access token for fam and a refresh token with id jti.
// Callers hold s.mu.
func (s *Server) issue(fam *family, jti string, now time.Time) (access, refresh string) {
	iat := now.Unix()
	access = s.sign(TypeAccess, tokenClaims{
		Scope: fam.scope, Sub: fam.did, Aud: s.ServiceDID(),
		Iat: iat, Exp: iat + seconds(s.opts.AccessLifetime),
	})
	refresh = s.sign(TypeRefresh, tokenClaims{
		Scope: ScopeRefresh, Sub: fam.did, Aud: s.ServiceDID(), Jti: jti,
		Iat: iat, Exp: iat + seconds(s.opts.RefreshLifetime),
	})
	s.remember(access, refresh)
	return access, refresh
}

func newJTI() string { return b64.EncodeToString(randomBytes(24)) }

// usable returns the record of a refresh token id that still works.
// Callers hold s.mu.
func (s *Server) usable(jti string, now time.Time) *refreshRecord {
	rec := s.refresh[jti]
	if rec == nil || rec.fam.revoked || !now.Before(rec.expires) {
		return nil
	}
	return rec
}

// rotate uses refresh token jti, as the reference PDS's rotateRefreshToken
// does: the first use picks a successor id and cuts the token's life down to
// the grace period; a reuse within grace yields the same successor id again.
// It returns the family and the id to issue, or nil if the token is revoked.
// Callers hold s.mu.
func (s *Server) rotate(jti string, now time.Time) (*family, string) {
	rec := s.usable(jti, now)
	if rec == nil {
		return nil, ""
	}
	if rec.next == "" {
		rec.next = newJTI()
		if end := now.Add(s.opts.Grace); end.Before(rec.expires) {
			rec.expires = end
		}
	}
	expires := time.Unix(now.Unix()+seconds(s.opts.RefreshLifetime), 0)
	switch succ := s.refresh[rec.next]; {
	case succ == nil:
		s.refresh[rec.next] = &refreshRecord{fam: rec.fam, expires: expires}
	case succ.next == "":
		succ.expires = expires // matches the exp of the token issued now
	}
	return rec.fam, rec.next
}

// accessAccount checks an access token as getSession does and returns its
// account and claims. A taken-down account's token is refused with 400
// InvalidRequest "Could not find user info for account: <did>", as the
// reference PDS does. Callers hold s.mu.
func (s *Server) accessAccount(tok string, now time.Time, scopes ...string) (*account, tokenClaims, *xrpcError) {
	c, xerr := s.verify(tok, TypeAccess, now, false)
	if xerr != nil {
		return nil, c, xerr
	}
	if c.Scope == "" { // an OAuth token sent as a Bearer, as the reference PDS 0.4.217 answers it
		return nil, c, errMalformedToken
	}
	ok := false
	for _, sc := range scopes {
		ok = ok || c.Scope == sc
	}
	if !ok {
		return nil, c, errBadScope
	}
	// The reference PDS looks the account up leaving out taken-down ones.
	a := s.accounts[c.Sub]
	if a == nil || a.takendown {
		return nil, c, badRequest("InvalidRequest", "Could not find user info for account: "+c.Sub)
	}
	return a, c, nil
}

var anyAccessScope = []string{ScopeAccess, ScopeAppPass, ScopeAppPassPrivileged}

// AccessTokenValid tells whether getSession would accept the token now:
// signed by this server, an access token, not expired, of an account that
// is not taken down. Revoking a session does not affect its access tokens.
func (s *Server) AccessTokenValid(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _, xerr := s.accessAccount(tok, s.now(), anyAccessScope...)
	return xerr == nil
}

// RefreshTokenValid tells whether refreshSession would accept the token now:
// signed by this server, a refresh token, not expired, not revoked, not
// rotated away more than the grace period ago, of an account that is not
// taken down.
func (s *Server) RefreshTokenValid(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	c, xerr := s.verify(tok, TypeRefresh, now, false)
	if xerr != nil {
		return false
	}
	a := s.accounts[c.Sub]
	return a != nil && !a.takendown && s.usable(c.Jti, now) != nil
}

// ActiveSessions counts the account's logins whose refresh token chain has
// not been revoked and still holds a usable token.
func (s *Server) ActiveSessions(did string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	seen := map[*family]bool{}
	for jti, rec := range s.refresh {
		if rec.fam.did == did && !seen[rec.fam] && s.usable(jti, now) != nil {
			seen[rec.fam] = true
		}
	}
	return len(seen)
}
