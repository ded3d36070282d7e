package fakepds

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// choice is what the person at the fake's browser does with a request,
// and the callback fault injected for it, if any.
type choice struct {
	did   string
	deny  bool
	fault *Fault
}

// ApproveOAuth plays the person who signs in as did and consents, for the
// authorization URL a client would open (<issuer>/oauth/authorize?
// client_id=…&request_uri=…). It returns the URL the browser would then be
// sent to: the request's redirect_uri with code, state and iss. It counts
// as a request to "/oauth/authorize" (Calls, Requests) and uses up a fault
// injected there; FaultWrongIssuer, FaultWrongState and FaultDenyConsent
// change the callback, other kinds are ignored. A request is approved or
// denied once; an unknown, used or expired one is an error.
func (s *Server) ApproveOAuth(authorizeURL, did string) (string, error) {
	return s.decide(authorizeURL, choice{did: did})
}

// DenyOAuth plays the person who refuses consent: the callback carries
// error=access_denied (with state and iss) and no code. Otherwise as
// ApproveOAuth.
func (s *Server) DenyOAuth(authorizeURL string) (string, error) {
	return s.decide(authorizeURL, choice{deny: true})
}

// SetOAuthAccount names the account that GET /oauth/authorize signs in and
// approves at once, redirecting (302) to the client's callback, so that a
// client's "open the browser" can be played by a plain GET. Without one
// (or with ""), the request's login_hint (a handle or DID of this server)
// names the account.
func (s *Server) SetOAuthAccount(did string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oauth.account = did
}

func (s *Server) decide(authorizeURL string, c choice) (string, error) {
	u, err := url.Parse(authorizeURL)
	if err != nil || u.Path != "/oauth/authorize" {
		return "", errors.New("fakepds: not an authorization URL of this server")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[u.Path]++
	f, faulted := s.takeFault(u.Path)
	s.requests[u.Path] = append(s.requests[u.Path], Recorded{
		Method: http.MethodGet, Path: u.Path, Query: u.Query(), Host: u.Host, Header: http.Header{}, Faulted: faulted,
	})
	if faulted {
		c.fault = &f
	}
	cb, oerr := s.authorize(u.Query(), c, s.now())
	if oerr != nil {
		return "", fmt.Errorf("fakepds: %s: %s", oerr.code, oerr.desc)
	}
	return cb, nil
}

// serveAuthorize answers GET /oauth/authorize: it approves the request
// for SetOAuthAccount's account (else the login_hint's) and redirects to
// the client's callback. f is the callback fault injected, if any.
func (s *Server) serveAuthorize(w http.ResponseWriter, r *http.Request, f *Fault) {
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodGet {
		writeOAuthError(w, &oauthError{http.StatusMethodNotAllowed, "invalid_request", "Method not allowed"})
		return
	}
	s.mu.Lock()
	c := choice{did: s.oauth.account, fault: f}
	if req := s.oauth.requests[r.URL.Query().Get("request_uri")]; c.did == "" && req != nil {
		if a := s.lookup(req.loginHint); a != nil {
			c.did = a.DID
		}
	}
	cb, oerr := s.authorize(r.URL.Query(), c, s.now())
	s.mu.Unlock()
	if oerr != nil {
		writeOAuthError(w, oerr)
		return
	}
	http.Redirect(w, r, cb, http.StatusFound)
}

// authorize settles a pushed request as c says and builds the callback
// URL. Callers hold s.mu.
func (s *Server) authorize(q url.Values, c choice, now time.Time) (string, *oauthError) {
	req := s.oauth.requests[q.Get("request_uri")]
	switch {
	case req == nil || req.used:
		return "", invalidRequest("Unknown request_uri")
	case q.Get("client_id") != req.clientID:
		return "", &oauthError{http.StatusBadRequest, "invalid_request", "This request was initiated for another client"}
	case !now.Before(req.expires):
		return "", invalidRequest("This request has expired")
	}
	a := s.accounts[c.did]
	if !c.deny && (a == nil || a.takendown) {
		return "", &oauthError{http.StatusBadRequest, "invalid_request", "No account to sign in as"}
	}
	req.used = true
	kind := FaultKind(-1)
	if c.fault != nil {
		kind = c.fault.Kind
	}
	params := url.Values{"iss": {s.OAuthIssuer()}, "state": {req.state}}
	switch kind {
	case FaultWrongIssuer:
		params.Set("iss", cmp.Or(c.fault.Name, "https://other-issuer.invalid"))
	case FaultWrongState:
		params.Set("state", cmp.Or(c.fault.Name, "forged-"+hexString(8)))
	}
	if c.deny || kind == FaultDenyConsent {
		params.Set("error", "access_denied")
		params.Set("error_description", "Access denied")
	} else {
		code := "cod-" + hexString(32)
		s.oauth.codes[code] = &oauthCode{req: req, did: a.DID, expires: now.Add(parLifetime)}
		s.remember(code)
		params.Set("code", code)
	}
	sep := "?"
	if strings.Contains(req.redirectURI, "?") {
		sep = "&"
	}
	return req.redirectURI + sep + params.Encode(), nil
}
