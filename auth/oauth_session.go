package auth

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"net/http"
	"time"
)

// An OAuth session's requests to its PDS carry the access token as
// "Authorization: DPoP <token>" with a fresh proof naming the request and
// the token's hash (ath). A plain Bearer never goes out for one: the
// server refuses it, and it would make the token a bearer credential.

// dpopAuth signs an OAuth session's calls.
type dpopAuth struct {
	key   string // OAuthData.DPoPKey
	nonce string // OAuthData.PDSNonce, used until this process has one
	k     *ecdsa.PrivateKey
}

// dpopFor is the signer of d's calls, nil for a password session.
func dpopFor(d SessionData) *dpopAuth {
	if d.OAuth == nil {
		return nil
	}
	return &dpopAuth{key: d.OAuth.DPoPKey, nonce: d.OAuth.PDSNonce}
}

// sign sets req's Authorization and DPoP headers for token.
func (a *dpopAuth) sign(c *Client, req *http.Request, token string) error {
	if a.k == nil {
		k, err := parseDPoPKey(a.key)
		if err != nil {
			return err
		}
		a.k = k
	}
	u := req.URL.String()
	proof, err := dpopProof(a.k, req.Method, u, c.dpopNonces().get(origin(u), a.nonce), token, c.now())
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "DPoP "+token)
	req.Header.Set("DPoP", proof)
	return nil
}

// retry remembers the answer's DPoP-Nonce and reports whether the request
// must go once more: its first answer asked for a proof with that nonce.
// data is the answer's body, read whole (for an error answer).
func (a *dpopAuth) retry(c *Client, resp *http.Response, data []byte, attempt int) bool {
	if a == nil || resp.Request == nil {
		return false
	}
	c.dpopNonces().put(origin(resp.Request.URL.String()), resp.Header.Get("DPoP-Nonce"))
	if attempt > 0 || resp.StatusCode < 400 {
		return false
	}
	var body struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(data, &body)
	return nonceChallenge(resp, body.Error)
}

// RawSession is Raw with d's access token, sent to d's PDS as its kind
// wants: a Bearer for a password session; for an OAuth session
// "Authorization: DPoP" and a fresh proof, sent once more when the PDS
// asks for a new nonce. It neither refreshes nor retries on a token
// refused: the caller does, under its lock (accounts.Call).
func (c *Client) RawSession(ctx context.Context, d SessionData, r RawRequest) (*RawResponse, error) {
	if d.OAuth == nil {
		return c.Raw(ctx, d.Endpoint(), d.AccessJwt, r)
	}
	return c.raw(ctx, call{base: d.Endpoint(), bearer: d.AccessJwt, also: []string{d.RefreshJwt, d.OAuth.DPoPKey}, dpop: dpopFor(d)}, r)
}

// NeedsRefresh reports whether d's access token should be renewed at now,
// as RefreshDue says; for an OAuth session (whose tokens are opaque) from
// the expiry the token answer gave, its lifetime counted from RefreshedAt.
func (d SessionData) NeedsRefresh(now time.Time, margin time.Duration) bool {
	if d.OAuth == nil {
		return RefreshDue(d.AccessJwt, now, margin)
	}
	exp := d.OAuth.AccessExpiresAt
	if exp.IsZero() {
		return false
	}
	var life time.Duration
	if !d.RefreshedAt.IsZero() {
		life = exp.Sub(d.RefreshedAt)
	}
	return !now.Before(exp.Add(-EffectiveMargin(life, margin)))
}

// keepNonces puts the nonces the Client last got into an OAuth session's
// data, with no event: the next save carries them.
func (s *Session) keepNonces() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.data.OAuth != nil {
		s.data = s.c.WithNonces(s.data)
	}
}
