package fakepds

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// par takes a pushed authorization request. A DPoP proof is checked when
// sent (the first one, without a nonce, gets use_dpop_nonce); like the
// reference server the fake accepts a PAR without one.
func (s *Server) par(r *http.Request, form url.Values) (any, *oauthError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	jkt := ""
	if r.Header.Get("DPoP") != "" {
		p, oerr := s.checkProof(r, "", now)
		if oerr != nil {
			return nil, oerr
		}
		jkt = p.jkt
	}
	req, oerr := checkPAR(form)
	if oerr != nil {
		return nil, oerr
	}
	req.jkt, req.expires = jkt, now.Add(parLifetime)
	uri := requestURIPx + "req-" + hexString(16)
	s.oauth.requests[uri] = req
	return map[string]any{"request_uri": uri, "expires_in": int64(parLifetime/time.Second) - 1}, nil
}

// checkPAR checks a pushed request's parameters against its client.
func checkPAR(form url.Values) (*oauthRequest, *oauthError) {
	c, oerr := parseClientID(form.Get("client_id"))
	if oerr != nil {
		return nil, oerr
	}
	req := &oauthRequest{
		clientID: form.Get("client_id"), redirectURI: form.Get("redirect_uri"), scope: form.Get("scope"),
		state: form.Get("state"), challenge: form.Get("code_challenge"), loginHint: form.Get("login_hint"),
	}
	switch {
	case form.Get("response_type") != "code":
		return nil, invalidRequest(`Invalid authorization request: response_type must be "code"`)
	case req.redirectURI == "":
		return nil, invalidRequest("Invalid authorization request: redirect_uri is required")
	case !slices.Contains(c.redirects, req.redirectURI):
		return nil, invalidRequest("Invalid redirect_uri " + req.redirectURI)
	case req.challenge == "":
		return nil, invalidRequest("Use of PKCE is required")
	case form.Get("code_challenge_method") != "S256":
		return nil, invalidRequest(`atproto requires use of "S256" code_challenge_method`)
	case req.state == "":
		// Stricter than the reference server, which makes state optional.
		return nil, invalidRequest("Invalid authorization request: state is required")
	}
	if req.scope == "" {
		req.scope = c.scope
	}
	scopes := strings.Fields(req.scope)
	for _, sc := range scopes {
		if !slices.Contains(strings.Fields(c.scope), sc) {
			return nil, &oauthError{http.StatusBadRequest, "invalid_scope", `Scope "` + sc + `" is not declared in the client metadata`}
		}
	}
	if !slices.Contains(scopes, "atproto") {
		return nil, &oauthError{http.StatusBadRequest, "invalid_scope", `The "atproto" scope is required`}
	}
	return req, nil
}

// loopbackClient is what a loopback client_id declares.
type loopbackClient struct {
	redirects []string
	scope     string
}

// parseClientID checks a loopback client_id: exactly http://localhost with
// no port and no path, its redirect_uri values on 127.0.0.1 or [::1] (a
// localhost redirect is refused, RFC 8252), its scope "atproto" by default.
func parseClientID(id string) (loopbackClient, *oauthError) {
	bad := &oauthError{http.StatusBadRequest, "invalid_client_metadata", "Invalid client ID " + quoteJSON(id)}
	u, err := url.Parse(id)
	if id == "" {
		return loopbackClient{}, &oauthError{http.StatusBadRequest, "invalid_request", "client_id is required"}
	}
	if err != nil || u.Scheme != "http" || u.Host != "localhost" || u.Path != "" || u.Fragment != "" || u.User != nil {
		return loopbackClient{}, bad
	}
	q := u.Query()
	c := loopbackClient{redirects: q["redirect_uri"], scope: q.Get("scope")}
	if c.scope == "" {
		c.scope = "atproto"
	}
	if len(c.redirects) == 0 {
		c.redirects = []string{"http://127.0.0.1/", "http://[::1]/"}
	}
	for _, r := range c.redirects {
		ru, err := url.Parse(r)
		switch {
		case err != nil || ru.Scheme != "http":
			return loopbackClient{}, bad
		case ru.Hostname() == "localhost":
			return loopbackClient{}, invalidRequest(`Invalid authorization request: Use of "localhost" hostname is not allowed (RFC 8252), use a loopback IP such as "127.0.0.1" instead at body.redirect_uri`)
		case ru.Hostname() != "127.0.0.1" && ru.Hostname() != "::1":
			return loopbackClient{}, bad
		}
	}
	return c, nil
}
