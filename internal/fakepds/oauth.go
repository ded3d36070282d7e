package fakepds

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The server is also its own OAuth authorization server, as the reference
// PDS (@atproto/oauth-provider 0.15.15) is: the atproto profile of PAR,
// PKCE S256 and DPoP (ES256) for loopback clients
// (client_id http://localhost?redirect_uri=…&scope=…). It has no browser:
// a test or the demo approves a request with ApproveOAuth (or DenyOAuth),
// or GET /oauth/authorize approves it for SetOAuthAccount's account.

// Defaults of the OAuth lifetimes, the reference server's for a public
// client.
const (
	DefaultOAuthAccessLifetime  = 60 * time.Minute
	DefaultOAuthSessionLifetime = 14 * 24 * time.Hour
	DefaultDPoPIatWindow        = 3 * time.Minute
)

// NoIatCheck, as Options.DPoPIatWindow, accepts a DPoP proof whatever its
// iat says (for a client whose clock is not the server's).
const NoIatCheck time.Duration = -1

// OAuth lifetimes that are not options.
const (
	parLifetime  = 5 * time.Minute // a pushed request, and the code it yields
	nonceEvery   = time.Minute     // a DPoP nonce's rotation period
	requestURIPx = "urn:ietf:params:oauth:request_uri:"
)

// oauthRequest is a pushed authorization request.
type oauthRequest struct {
	clientID, redirectURI, scope, state, challenge, loginHint string
	jkt                                                       string // the PAR's DPoP key, "" if it sent none
	expires                                                   time.Time
	used                                                      bool
}

// oauthCode is an authorization code, single use.
type oauthCode struct {
	req     *oauthRequest
	did     string
	expires time.Time
	used    bool
	sess    *oauthSession // the session it made, ended if it is replayed
}

// oauthSession is a row of the reference server's token table: one
// sign-in, its current access token id and refresh token.
type oauthSession struct {
	did, clientID, jkt, scope string
	signedIn                  time.Time
	tokenID                   string // jti of the one access token that works
	refresh                   string // the one refresh token that works
	refreshes                 int
	ended                     bool
}

// oauthState is the authorization server's state. Guarded by Server.mu.
type oauthState struct {
	requests   map[string]*oauthRequest // by request_uri
	codes      map[string]*oauthCode
	sessions   []*oauthSession          // live ones, oldest first
	byRefresh  map[string]*oauthSession // every refresh token issued
	byToken    map[string]*oauthSession // every access token id issued
	challenges map[string]bool          // code challenges redeemed
	proofs     map[string]time.Time     // DPoP proof jtis seen, until when kept
	nonceEpoch int                      // bumped by RotateDPoPNonce
	refreshes  int                      // accepted refresh grants, all sessions
	account    string                   // SetOAuthAccount
}

func newOAuthState() *oauthState {
	return &oauthState{
		requests: map[string]*oauthRequest{}, codes: map[string]*oauthCode{},
		byRefresh: map[string]*oauthSession{}, byToken: map[string]*oauthSession{},
		challenges: map[string]bool{}, proofs: map[string]time.Time{},
	}
}

// OAuthIssuer is the authorization server's issuer: the server's URL.
func (s *Server) OAuthIssuer() string { return s.URL() }

// oauthError is an OAuth error answer {"error":code,"error_description":…}.
type oauthError struct {
	status int
	code   string
	desc   string
}

func invalidRequest(desc string) *oauthError {
	return &oauthError{http.StatusBadRequest, "invalid_request", desc}
}

func invalidGrant(desc string) *oauthError {
	return &oauthError{http.StatusBadRequest, "invalid_grant", desc}
}

// writeOAuthError answers an OAuth error; invalid_dpop_proof also gets a
// WWW-Authenticate header, as on the reference server.
func writeOAuthError(w http.ResponseWriter, e *oauthError) {
	if e.code == "invalid_dpop_proof" {
		w.Header().Set("WWW-Authenticate", dpopChallenge(e.code, e.desc))
	}
	writeJSON(w, e.status, struct {
		Error       string `json:"error"`
		Description string `json:"error_description,omitempty"`
	}{e.code, e.desc})
}

// serveOAuth answers the OAuth paths; it reports false for any other.
func (s *Server) serveOAuth(w http.ResponseWriter, r *http.Request, body []byte) bool {
	switch r.URL.Path {
	case "/.well-known/oauth-protected-resource":
		writeJSON(w, http.StatusOK, map[string]any{
			"resource": s.URL(), "authorization_servers": []string{s.OAuthIssuer()},
			"scopes_supported": []string{}, "bearer_methods_supported": []string{"header"},
			"resource_documentation": "https://atproto.com",
		})
	case "/.well-known/oauth-authorization-server":
		writeJSON(w, http.StatusOK, s.oauthMetadata())
	case "/oauth/authorize":
		s.serveAuthorize(w, r, nil)
	case "/oauth/par", "/oauth/token", "/oauth/revoke":
		s.serveOAuthPost(w, r, body)
	default:
		return false
	}
	return true
}

// oauthMetadata is the authorization server's metadata, as the reference
// server publishes it, less what the fake does not do (JAR, confidential
// clients, algorithms other than ES256).
func (s *Server) oauthMetadata() map[string]any {
	iss := s.OAuthIssuer()
	return map[string]any{
		"issuer":                                         iss,
		"scopes_supported":                               []string{"atproto", "transition:email", "transition:generic", "transition:chat.bsky"},
		"subject_types_supported":                        []string{"public"},
		"response_types_supported":                       []string{"code"},
		"response_modes_supported":                       []string{"query"},
		"grant_types_supported":                          []string{"authorization_code", "refresh_token"},
		"code_challenge_methods_supported":               []string{"S256"},
		"authorization_response_iss_parameter_supported": true,
		"authorization_endpoint":                         s.authorizationEndpoint(iss),
		"token_endpoint":                                 iss + "/oauth/token",
		"token_endpoint_auth_methods_supported":          []string{"none"},
		"revocation_endpoint":                            iss + "/oauth/revoke",
		"pushed_authorization_request_endpoint":          iss + "/oauth/par",
		"require_pushed_authorization_requests":          true,
		"dpop_signing_alg_values_supported":              []string{"ES256"},
		"protected_resources":                            []string{s.URL()},
		"client_id_metadata_document_supported":          true,
		"request_uri_parameter_supported":                true,
		"require_request_uri_registration":               true,
	}
}

// authorizationEndpoint is the metadata's authorization_endpoint on issuer
// iss (see Options.AuthorizationEndpoint).
func (s *Server) authorizationEndpoint(iss string) string {
	switch e := s.opts.AuthorizationEndpoint; {
	case e == "":
		return iss + "/oauth/authorize"
	case strings.HasPrefix(e, "/"):
		return iss + e
	default:
		return e
	}
}

// serveOAuthPost answers PAR, token and revoke: form posts, each answer
// carrying the current DPoP nonce.
func (s *Server) serveOAuthPost(w http.ResponseWriter, r *http.Request, body []byte) {
	w.Header().Set("DPoP-Nonce", s.DPoPNonce())
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodPost {
		writeOAuthError(w, &oauthError{http.StatusMethodNotAllowed, "invalid_request", "Method not allowed"})
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		writeOAuthError(w, invalidRequest("Invalid request payload: a form (application/x-www-form-urlencoded) is required"))
		return
	}
	var out any
	var oerr *oauthError
	status := http.StatusOK
	switch r.URL.Path {
	case "/oauth/par":
		out, oerr = s.par(r, form)
		status = http.StatusCreated
	case "/oauth/token":
		out, oerr = s.token(r, form)
	default:
		out = s.revoke(form)
	}
	if oerr != nil {
		writeOAuthError(w, oerr)
		return
	}
	writeJSON(w, status, out)
}

// quoteJSON quotes s as JSON does.
func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// hexString is n random bytes in lower-case hex.
func hexString(n int) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*n)
	for _, b := range randomBytes(n) {
		out = append(out, digits[b>>4], digits[b&15])
	}
	return string(out)
}
