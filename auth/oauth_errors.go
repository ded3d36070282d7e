package auth

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/skyswitch/skyswitch/internal/sanitize"
)

// Sentinel errors for OAuth answers, for errors.Is. An *OAuthError matches
// the one its error code (RFC 6749 §4.1.2.1 and §5.2, RFC 9449 §8) stands
// for.
var (
	// ErrAccessDenied: the person refused the sign-in at the browser
	// (access_denied at the callback).
	ErrAccessDenied = errors.New("the sign-in was refused at the browser")
	// ErrInvalidGrant: the authorization code or the refresh token is not
	// valid, has expired, was used already or was revoked. At a refresh it
	// ends the session (EndsSession).
	ErrInvalidGrant = errors.New("the sign-in or the session is no longer valid")
	// ErrUseDPoPNonce: the server wants a proof with its nonce (the one
	// request a client retries by itself).
	ErrUseDPoPNonce = errors.New("the server asks for a new DPoP nonce")
	// ErrInvalidDPoPProof: the server refused a DPoP proof.
	ErrInvalidDPoPProof = errors.New("the server refused the DPoP proof")
	// ErrInvalidClient: the server does not accept this client (its
	// client_id, or the way it signs in).
	ErrInvalidClient = errors.New("the server does not accept this client")
	// ErrInvalidScope: the server does not grant the scope asked for.
	ErrInvalidScope = errors.New("the server does not grant the scope asked for")
)

var oauthCodes = map[error]string{
	ErrAccessDenied:     "access_denied",
	ErrInvalidGrant:     "invalid_grant",
	ErrUseDPoPNonce:     "use_dpop_nonce",
	ErrInvalidDPoPProof: "invalid_dpop_proof",
	ErrInvalidClient:    "invalid_client",
	ErrInvalidScope:     "invalid_scope",
}

// Errors of the sign-in's own checks: each means the answer is not to be
// trusted, and nothing of it is kept.
var (
	// ErrStateMismatch: the callback is not for this sign-in (its state
	// differs): another sign-in's, or forged.
	ErrStateMismatch = errors.New("the callback is not for this sign-in (its state differs)")
	// ErrIssuerMismatch: a server other than the one the sign-in started at
	// answered (iss, or the metadata's issuer, differs).
	ErrIssuerMismatch = errors.New("the answer comes from another server than the sign-in started at")
	// ErrSubjectMismatch: the server signed in another account than the
	// one asked for (the token answer's sub).
	ErrSubjectMismatch = errors.New("the server signed in another account than the one asked for")
)

// OAuthError is an OAuth error answer: from an endpoint of the
// authorization server (Status 400 or more), or carried by the callback
// (Status 0).
type OAuthError struct {
	// Endpoint names what answered: "pushed authorization request",
	// "token endpoint", "revocation endpoint", "authorization" (the
	// callback), or "protected resource".
	Endpoint string
	Status   int
	// Code is the error code (invalid_grant, access_denied…), "" for a
	// body that had none.
	Code string
	// Description is the server's error_description, cleaned and cut;
	// withheld when it quoted a credential.
	Description string
	// RetryAfter is the Retry-After header, zero when absent.
	RetryAfter time.Duration
}

func (e *OAuthError) Error() string {
	s := e.Endpoint + ": "
	switch {
	case e.Code == "access_denied" && e.Status == 0:
		s += "the sign-in was refused at the browser (access_denied)"
	case e.Code != "":
		s += e.Code
	default:
		s += "HTTP " + strconv.Itoa(e.Status)
	}
	if e.Description != "" {
		s += ": " + e.Description
	}
	return s
}

// Is reports whether e stands for target, one of the sentinel errors
// above, or (for a 429) ErrRateLimited.
func (e *OAuthError) Is(target error) bool {
	if target == ErrRateLimited && e.Status == http.StatusTooManyRequests {
		return true
	}
	code, ok := oauthCodes[target]
	return ok && e.Code == code
}

// oauthCode keeps what an OAuth error code may hold: lowercase ASCII
// letters, digits and '_' (RFC 6749 allows a little more; no server uses
// it), at most n.
func oauthCode(s string, n int) string {
	var b strings.Builder
	for _, r := range s {
		if (r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') && b.Len() < n {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// decodeOAuthError makes an *OAuthError of an answer of status 300 or
// more, its code and description checked against cs before they are
// cleaned, as decodeError does for XRPC.
func decodeOAuthError(endpoint string, resp *http.Response, data []byte, now time.Time, cs credentials) *OAuthError {
	e := &OAuthError{Endpoint: endpoint, Status: resp.StatusCode}
	var body struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(data, &body) == nil {
		e.Code, e.Description = oauthErrorText(body.Error, body.Description, cs)
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		e.Description = "unexpected redirect (not followed)"
	}
	e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), now)
	return e
}

// oauthErrorText is an error code and description as an error may show
// them: cleaned, and withheld where they quote a credential.
func oauthErrorText(code, desc string, cs credentials) (string, string) {
	c := oauthCode(code, 64)
	if cs.quotedIn(code) || cs.quotedIn(c) {
		c = ""
	}
	d := clip(sanitize.Line(desc), maxMessageLen)
	if cs.quotedIn(desc) || cs.quotedIn(d) {
		d = withheld
	}
	return c, d
}
