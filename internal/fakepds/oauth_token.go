package fakepds

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// tokenAnswer is the token endpoint's answer.
type tokenAnswer struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int64  `json:"expires_in"`
	Scope        string `json:"scope"`
	Sub          string `json:"sub"`
}

// token answers the token endpoint: authorization_code and refresh_token
// grants, both DPoP-bound. Every grant error is invalid_grant, as on the
// reference server.
func (s *Server) token(r *http.Request, form url.Values) (any, *oauthError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	p, oerr := s.checkProof(r, "", now)
	if oerr != nil {
		return nil, oerr
	}
	if _, oerr := parseClientID(form.Get("client_id")); oerr != nil {
		return nil, oerr
	}
	switch g := form.Get("grant_type"); g {
	case "authorization_code":
		return s.codeGrant(form, p, now)
	case "refresh_token":
		return s.refreshGrant(form, p, now)
	default:
		return nil, invalidGrant(`Grant type "` + g + `" not supported`)
	}
}

// codeGrant redeems an authorization code. The code is spent even when
// the exchange fails; a code presented again ends the session it made.
// Callers hold s.mu.
func (s *Server) codeGrant(form url.Values, p proof, now time.Time) (any, *oauthError) {
	c := s.oauth.codes[form.Get("code")]
	switch {
	case c == nil:
		return nil, invalidGrant("Invalid code")
	case c.used:
		if c.sess != nil {
			s.endOAuthSession(c.sess)
		}
		return nil, invalidGrant("Invalid code")
	}
	c.used = true
	req := c.req
	verifier := form.Get("code_verifier")
	sum := sha256.Sum256([]byte(verifier))
	switch {
	case !now.Before(c.expires):
		return nil, invalidGrant("This code has expired")
	case form.Get("client_id") != req.clientID:
		return nil, invalidGrant("Token was not issued to this client")
	case form.Get("redirect_uri") != req.redirectURI:
		return nil, invalidGrant("The redirect_uri parameter must match the one used in the authorization request")
	case verifier == "":
		return nil, invalidGrant("code_verifier is required")
	case subtle.ConstantTimeCompare([]byte(b64.EncodeToString(sum[:])), []byte(req.challenge)) != 1:
		return nil, invalidGrant("Invalid code_verifier")
	case req.jkt != "" && req.jkt != p.jkt:
		return nil, invalidGrant("DPoP proof does not match the expected JKT")
	case s.oauth.challenges[req.challenge]:
		return nil, invalidGrant("Code challenge already used")
	}
	s.oauth.challenges[req.challenge] = true
	sess := &oauthSession{did: c.did, clientID: req.clientID, jkt: p.jkt, scope: req.scope, signedIn: now}
	s.oauth.sessions = append(s.oauth.sessions, sess)
	c.sess = sess
	return s.issueOAuth(sess, now), nil
}

// refreshGrant rotates a session's tokens. As on the reference server the
// refresh token is consumed first, and any failure after that ends the
// whole session: a replayed (already rotated) token, another client_id,
// another DPoP key, or a session past its lifetime. Callers hold s.mu.
func (s *Server) refreshGrant(form url.Values, p proof, now time.Time) (any, *oauthError) {
	tok := form.Get("refresh_token")
	sess := s.oauth.byRefresh[tok]
	if sess == nil || sess.ended {
		return nil, invalidGrant("Invalid refresh token")
	}
	fail := func(desc string) (any, *oauthError) {
		s.endOAuthSession(sess)
		return nil, invalidGrant(desc)
	}
	switch {
	case subtle.ConstantTimeCompare([]byte(tok), []byte(sess.refresh)) != 1:
		return fail("Refresh token replayed")
	case form.Get("client_id") != sess.clientID:
		return fail("Token was not issued to this client")
	case p.jkt != sess.jkt:
		return fail("DPoP proof does not match the expected JKT")
	case now.Sub(sess.signedIn) > s.opts.OAuthSessionLifetime:
		return fail("Session expired")
	}
	sess.refreshes++
	s.oauth.refreshes++
	return s.issueOAuth(sess, now), nil
}

// issueOAuth gives a session a new access token and refresh token; the
// previous ones stop working at once. Callers hold s.mu.
func (s *Server) issueOAuth(sess *oauthSession, now time.Time) tokenAnswer {
	sess.tokenID = "tok-" + hexString(16)
	sess.refresh = "ref-" + hexString(32)
	s.oauth.byToken[sess.tokenID] = sess
	s.oauth.byRefresh[sess.refresh] = sess
	iat := now.Unix()
	exp := iat + seconds(s.opts.OAuthAccessLifetime)
	access := s.sign(TypeAccess, tokenClaims{
		Jti: sess.tokenID, Sub: sess.did, Aud: s.ServiceDID(), Iat: iat, Exp: exp,
		Cnf: &confirmation{JKT: sess.jkt}, ClientID: sess.clientID, Iss: s.OAuthIssuer(),
	})
	s.remember(access, sess.refresh)
	return tokenAnswer{
		AccessToken: access, TokenType: "DPoP", RefreshToken: sess.refresh,
		ExpiresIn: exp - iat, Scope: sess.scope, Sub: sess.did,
	}
}

// endOAuthSession deletes a session's row: its tokens stop working.
// Callers hold s.mu.
func (s *Server) endOAuthSession(sess *oauthSession) {
	sess.ended = true
	s.oauth.sessions = slices.DeleteFunc(s.oauth.sessions, func(o *oauthSession) bool { return o == sess })
}

// revoke ends the session of a refresh or access token issued to the
// client_id presented. Like the reference server it answers 200 {}
// whatever it revoked, nothing included.
func (s *Server) revoke(form url.Values) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := form.Get("token")
	sess := s.oauth.byRefresh[tok]
	if sess == nil {
		if c, xerr := s.verify(tok, TypeAccess, s.now(), true); xerr == nil {
			sess = s.oauth.byToken[c.Jti]
		}
	}
	if sess != nil && sess.clientID == form.Get("client_id") {
		s.endOAuthSession(sess)
	}
	return struct{}{}
}
