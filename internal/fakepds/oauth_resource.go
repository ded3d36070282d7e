package fakepds

import (
	"net/http"
	"strings"
	"time"
)

// The XRPC side of OAuth: the methods that take an access token (getSession,
// uploadBlob) also take an OAuth one, sent as "Authorization: DPoP <token>"
// with a DPoP proof of the session's key. An OAuth token sent as a Bearer
// is refused (400 InvalidToken "Malformed token", as the reference PDS
// 0.4.217 answers it), and the password-only methods (refreshSession,
// deleteSession, createAppPassword, deactivateAccount) take no OAuth token.

// dpopScheme cuts the token of an "Authorization: DPoP <token>" header.
func dpopScheme(r *http.Request) (string, bool) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "DPoP ")
	return strings.TrimSpace(tok), ok
}

// requestAccount authenticates an XRPC request: a password session's
// Bearer access token of one of scopes, or an OAuth access token with its
// DPoP proof. Callers hold s.mu.
func (s *Server) requestAccount(r *http.Request, now time.Time, scopes ...string) (*account, *xrpcError) {
	if tok, ok := dpopScheme(r); ok {
		return s.oauthAccount(r, tok, now)
	}
	tok, xerr := bearer(r)
	if xerr != nil {
		return nil, xerr
	}
	a, _, xerr := s.accessAccount(tok, now, scopes...)
	return a, xerr
}

// resourceError is an OAuth error as the resource server answers it: 401
// with the OAuth error code as the XRPC error name (use_dpop_nonce too).
// writeError adds the WWW-Authenticate header.
func resourceError(e *oauthError) *xrpcError {
	return authRequired(e.code, e.desc)
}

func invalidToken(desc string) *xrpcError { return authRequired("invalid_token", desc) }

// oauthAccount checks an OAuth access token and its proof, in the
// reference server's order: the proof first (a missing or stale nonce
// before anything about the token), then the token's signature, its
// session's row (a token rotated away, revoked or of an ended session is
// "Invalid token"), its expiry, and its key binding. Callers hold s.mu.
func (s *Server) oauthAccount(r *http.Request, tok string, now time.Time) (*account, *xrpcError) {
	if tok == "" {
		return nil, badRequest("InvalidToken", "Malformed authorization header")
	}
	p, oerr := s.checkProof(r, tok, now)
	if oerr != nil {
		return nil, resourceError(oerr)
	}
	c, xerr := s.verify(tok, TypeAccess, now, true)
	switch {
	case xerr == errBadToken:
		return nil, invalidToken("signature verification failed")
	case xerr != nil:
		return nil, invalidToken("Invalid token")
	}
	// Only OAuth access tokens have an id (jti) with a session, and a cnf.
	sess := s.oauth.byToken[c.Jti]
	switch {
	case sess == nil || sess.ended || sess.tokenID != c.Jti:
		return nil, invalidToken("Invalid token")
	case now.Unix() >= c.Exp:
		return nil, invalidToken("Token expired")
	case c.Cnf.JKT != p.jkt:
		return nil, invalidToken("Invalid DPoP key binding")
	}
	a := s.accounts[c.Sub]
	if a == nil || a.takendown {
		return nil, badRequest("InvalidRequest", "Could not find user info for account: "+c.Sub)
	}
	return a, nil
}

// isDPoPError tells whether an XRPC error is an OAuth one that carries a
// WWW-Authenticate challenge.
func isDPoPError(e *xrpcError) bool {
	if e.status != http.StatusUnauthorized {
		return false
	}
	switch e.name {
	case "invalid_dpop_proof", "use_dpop_nonce", "invalid_token":
		return true
	}
	return false
}

// OAuthAccessTokenValid tells whether the resource server would take the
// OAuth access token now (with a right proof): signed by this server, not
// expired, the current token of a live session, of an account that is not
// taken down.
func (s *Server) OAuthAccessTokenValid(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	c, xerr := s.verify(tok, TypeAccess, now, false)
	if xerr != nil {
		return false
	}
	sess := s.oauth.byToken[c.Jti]
	a := s.accounts[c.Sub]
	return sess != nil && !sess.ended && sess.tokenID == c.Jti && a != nil && !a.takendown
}
