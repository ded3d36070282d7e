package auth

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/skyswitch/skyswitch/internal/sanitize"
)

// A form request to the authorization server (PAR, token, revocation),
// with a DPoP proof. The first answer may be use_dpop_nonce: it is sent
// once more with the nonce the answer gave.
type oauthPost struct {
	name     string // for errors: "token endpoint"
	endpoint string
	form     url.Values
	key      *ecdsa.PrivateKey
	nonce    string // the nonce the session kept, used when this process has none
	// cs are the credentials in flight (the form's code, verifier or
	// tokens, the session's others), which no error may quote.
	cs credentials
}

// postForm sends p and decodes a 2xx answer into out (nil discards it).
// Every answer's DPoP-Nonce is remembered. Errors are *OAuthError for an
// error answer and *TransportError for none, checked against p.cs.
func (c *Client) postForm(ctx context.Context, p oauthPost, out any) error {
	err := c.sendForm(ctx, p, out)
	return withholdCredentials(p.name, err, p.cs)
}

func (c *Client) sendForm(ctx context.Context, p oauthPost, out any) error {
	org := origin(p.endpoint)
	body := p.form.Encode()
	for attempt := 0; ; attempt++ {
		proof, err := dpopProof(p.key, http.MethodPost, p.endpoint, c.dpopNonces().get(org, p.nonce), "", c.now())
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.endpoint, strings.NewReader(body))
		if err != nil {
			return fmt.Errorf("%s: %w: %s", p.name, ErrBadURL, hostOf(p.endpoint))
		}
		req.Header.Set("User-Agent", c.userAgent())
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("DPoP", proof)
		resp, err := c.trip(p.name).do(req)
		if err != nil {
			return err
		}
		c.dpopNonces().put(org, resp.Header.Get("DPoP-Nonce"))
		data, err := readBody(resp, c.maxBytes())
		if resp.StatusCode >= 300 {
			if err != nil && !isTooLarge(err) {
				return err
			}
			oe := decodeOAuthError(p.name, resp, data, c.now(), p.cs)
			if attempt == 0 && nonceChallenge(resp, oe.Code) {
				continue
			}
			return oe
		}
		if err != nil {
			return bodyError(p.name, err)
		}
		if out != nil && json.Unmarshal(data, out) != nil {
			return fmt.Errorf("%s: %w: body is not the JSON expected", p.name, ErrBadResponse)
		}
		return nil
	}
}

// nonceChallenge reports whether an answer asks for a proof with a new
// nonce and gives it: 400 use_dpop_nonce (authorization server), or 401
// with WWW-Authenticate: DPoP error="use_dpop_nonce" (resource server).
func nonceChallenge(resp *http.Response, code string) bool {
	if resp.Header.Get("DPoP-Nonce") == "" {
		return false
	}
	switch resp.StatusCode {
	case http.StatusBadRequest:
		return code == "use_dpop_nonce"
	case http.StatusUnauthorized:
		return code == "use_dpop_nonce" || challengeSays(resp.Header, "use_dpop_nonce")
	}
	return false
}

// challengeSays reports whether any WWW-Authenticate header names error
// code: a server may send one header per scheme (Bearer, then DPoP), and
// the value may be quoted or a bare token (RFC 9110 §11.2).
func challengeSays(h http.Header, code string) bool {
	for _, v := range h.Values("WWW-Authenticate") {
		v = strings.ToLower(v)
		if strings.Contains(v, `error="`+code+`"`) || strings.Contains(v, "error="+code) {
			return true
		}
	}
	return false
}

// tokenAnswer is the token endpoint's JSON (RFC 6749 §5.1, with atproto's
// sub).
type tokenAnswer struct {
	AccessToken  string   `json:"access_token"`
	TokenType    string   `json:"token_type"`
	RefreshToken string   `json:"refresh_token"`
	ExpiresIn    lifetime `json:"expires_in"`
	Scope        string   `json:"scope"`
	Sub          string   `json:"sub"`
}

// UnmarshalJSON reads a token answer strictly in the tokens, their type
// and sub, and leniently in the rest (scope of the wrong type is left out:
// a sign-in then lacks atproto and is refused, a refresh keeps the
// session's), as wireSession does.
func (t *tokenAnswer) UnmarshalJSON(b []byte) error {
	var vital struct {
		AccessToken  string `json:"access_token"`
		TokenType    string `json:"token_type"`
		RefreshToken string `json:"refresh_token"`
		Sub          string `json:"sub"`
	}
	type plain tokenAnswer
	return decodeSparing(b, &vital, (*plain)(t))
}

// lifetime is expires_in in seconds, read leniently: a number of any form
// (3600, 3600.0, 3.6e3) or one in a string, and 0 (unknown: the PDS's 401
// will say when the token lapsed) for anything else. A refresh answer is
// never lost over it, as its refresh token was spent by asking.
type lifetime int64

// UnmarshalJSON never fails.
func (l *lifetime) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	f, err := strconv.ParseFloat(s, 64)
	*l = 0
	if err == nil && f >= 1 && f < 1<<53 {
		*l = lifetime(f)
	}
	return nil
}

// check refuses an answer that is no DPoP session for did (did "" takes
// any DID: the caller checks it), or whose scope lacks atproto.
func (t tokenAnswer) check(name, did string, cs credentials) error {
	switch {
	case t.AccessToken == "" || !strings.EqualFold(t.TokenType, "DPoP"):
		return fmt.Errorf("%s: %w: no DPoP access token in the answer", name, ErrBadResponse)
	case !ValidDID(t.Sub):
		return fmt.Errorf("%s: %w: the answer names no account (sub)", name, ErrBadResponse)
	case did != "" && t.Sub != did:
		return fmt.Errorf("%s: %w (%s, not %s)", name, ErrSubjectMismatch, shownDID(t.Sub, cs), did)
	case !hasScope(t.Scope, "atproto"):
		return fmt.Errorf("%s: %w: the server did not grant the atproto scope", name, ErrInvalidScope)
	}
	return nil
}

func hasScope(scope, want string) bool {
	for _, s := range strings.Fields(scope) {
		if s == want {
			return true
		}
	}
	return false
}

// apply puts the answer's tokens and lifetimes into d (whose OAuth it
// copies: SessionData values share it), at now.
func (t tokenAnswer) apply(d *SessionData, now time.Time) {
	o := *d.OAuth
	d.AccessJwt = t.AccessToken
	if t.RefreshToken != "" {
		d.RefreshJwt = t.RefreshToken
	}
	if t.Scope != "" {
		o.Scope = clip(sanitize.Line(t.Scope), 1024)
	}
	o.AccessExpiresAt = time.Time{}
	if t.ExpiresIn > 0 && t.ExpiresIn < lifetime(MaxRetryWait/time.Second) {
		o.AccessExpiresAt = now.Add(time.Duration(t.ExpiresIn) * time.Second).UTC()
	}
	d.OAuth = &o
	d.RefreshedAt = now.UTC()
}

// oauthCredentials are an OAuth session's secrets, which no error may
// quote, with any more in flight.
func oauthCredentials(d SessionData, more ...string) credentials {
	all := append([]string{d.AccessJwt, d.RefreshJwt}, more...)
	if d.OAuth != nil {
		all = append(all, d.OAuth.DPoPKey)
	}
	return requestCredentials("", nil, all...)
}

// refreshOAuth spends d's refresh token at the token endpoint and returns
// d with the new pair (the old refresh token is spent, whatever happens to
// the answer). invalid_grant ends the session (EndsSession).
func (c *Client) refreshOAuth(ctx context.Context, d SessionData) (SessionData, error) {
	const name = "token endpoint"
	key, err := c.oauthSessionKey(name, d, d.OAuth.TokenEndpoint)
	if err != nil {
		return d, err
	}
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {d.RefreshJwt}, "client_id": {d.OAuth.ClientID}}
	var t tokenAnswer
	p := oauthPost{name: name, endpoint: d.OAuth.TokenEndpoint, form: form, key: key, nonce: d.OAuth.AuthServerNonce, cs: oauthCredentials(d)}
	if err := c.postForm(ctx, p, &t); err != nil {
		return d, err
	}
	// The answer is a rotation of this session's tokens: what it leaves
	// out is as before (RFC 6749 §5.1), rather than the answer (and the
	// spent token) lost.
	t.Sub = orDefault(t.Sub, d.DID)
	t.Scope = orDefault(t.Scope, d.OAuth.Scope)
	cs := oauthCredentials(d, t.AccessToken, t.RefreshToken)
	if err := t.check(name, d.DID, cs); err != nil {
		return d, withholdCredentials(name, err, cs)
	}
	out := c.WithNonces(d)
	t.apply(&out, c.now())
	return out, nil
}

// revokeOAuth revokes d's session at the revocation endpoint (RFC 7009)
// with its refresh token, which ends the whole session on the server. A
// session whose server named no revocation endpoint cannot be revoked:
// nil, it ends by itself.
func (c *Client) revokeOAuth(ctx context.Context, d SessionData) error {
	const name = "revocation endpoint"
	tok := d.RefreshJwt
	if tok == "" {
		tok = d.AccessJwt
	}
	if d.OAuth.RevocationEndpoint == "" || tok == "" {
		return nil
	}
	key, err := c.oauthSessionKey(name, d, d.OAuth.RevocationEndpoint)
	if err != nil {
		return err
	}
	form := url.Values{"token": {tok}, "client_id": {d.OAuth.ClientID}}
	p := oauthPost{name: name, endpoint: d.OAuth.RevocationEndpoint, form: form, key: key, nonce: d.OAuth.AuthServerNonce, cs: oauthCredentials(d)}
	err = c.postForm(ctx, p, nil)
	if EndsSession(err) {
		return nil // already over
	}
	return err
}

// oauthSessionKey checks, before any byte is sent, the stored URLs a
// session's secrets go to (as credentialURLCheck does for XRPC), and reads
// its key.
func (c *Client) oauthSessionKey(name string, d SessionData, endpoint string) (*ecdsa.PrivateKey, error) {
	err := checkIssuer(d.OAuth.Issuer, d.Endpoint())
	if err == nil {
		err = checkEndpoint(endpoint, d.OAuth.Issuer)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: refusing to send credentials: %w", name, err)
	}
	return parseDPoPKey(d.OAuth.DPoPKey)
}

// isTooLarge reports whether a body was refused for its size (readCapped).
func isTooLarge(err error) bool { return errors.Is(err, errTooLarge) }
