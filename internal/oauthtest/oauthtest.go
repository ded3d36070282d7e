// Package oauthtest plays the person at the browser against the reference
// PDS (@atproto/oauth-provider), headless, for tests of the OAuth sign-in:
// Approve signs in and consents, Reject refuses; each gives the URL the
// browser would come back to, for OAuthPending.Finish or a listener.
// SessionStatus then tells whether a session's tokens still work there.
//
// It speaks the authorization page's private API, as the page's own
// script does: GET /oauth/authorize as a navigation (which sets the
// csrf-token and device cookies), POST ~api/sign-in {locale, username,
// password} with the same-origin headers and x-csrf-token (an
// ephemeralToken back), POST ~api/consent {sub} with that token as a
// bearer (the redirect back). The cookies are Secure, which Go's cookie
// jar will not send over http: they are kept and sent by hand. This API is
// the PDS's own, pinned by testdata/pds's lockfile: recheck it on upgrades.
package oauthtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// apiPrefix is where the authorization page's API lives on the issuer.
const apiPrefix = "/@atproto/oauth-provider/~api"

// Browser is one browser session at one authorization page: its cookies
// and the page's address.
type Browser struct {
	// HTTP makes the requests; nil means a client with a 20 s timeout
	// that follows no redirect.
	HTTP *http.Client

	page    *url.URL // the authorize URL opened
	cookies map[string]string
}

// Approve opens authorizeURL, signs in as username with password and
// consents: it returns the callback URL carrying code, state and iss.
func Approve(ctx context.Context, authorizeURL, username, password string) (string, error) {
	b := &Browser{}
	if err := b.Open(ctx, authorizeURL); err != nil {
		return "", err
	}
	sub, token, err := b.SignIn(ctx, username, password)
	if err != nil {
		return "", err
	}
	return b.Consent(ctx, sub, token)
}

// Reject opens authorizeURL and refuses: it returns the callback URL
// carrying error=access_denied.
func Reject(ctx context.Context, authorizeURL string) (string, error) {
	b := &Browser{}
	if err := b.Open(ctx, authorizeURL); err != nil {
		return "", err
	}
	return b.Reject(ctx)
}

// Open loads the authorization page, as a browser navigating to it.
func (b *Browser) Open(ctx context.Context, authorizeURL string) error {
	u, err := url.Parse(authorizeURL)
	if err != nil {
		return err
	}
	b.page, b.cookies = u, map[string]string{}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authorizeURL, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Sec-Fetch-Mode", "navigate")
	req.Header.Set("Sec-Fetch-Dest", "document")
	req.Header.Set("Sec-Fetch-Site", "none")
	req.Header.Set("Accept", "text/html")
	_, err = b.do(req)
	if err == nil && b.cookies["csrf-token"] == "" {
		err = errors.New("oauthtest: the authorization page set no csrf-token cookie")
	}
	return err
}

// SignIn signs in at the open page and returns the account's DID and the
// ephemeral token that consents for it.
func (b *Browser) SignIn(ctx context.Context, username, password string) (sub, token string, err error) {
	var ans struct {
		Account struct {
			Sub string `json:"sub"`
		} `json:"account"`
		EphemeralToken string `json:"ephemeralToken"`
	}
	in := map[string]string{"locale": "en", "username": username, "password": password}
	if err := b.api(ctx, "/sign-in", "", in, &ans); err != nil {
		return "", "", err
	}
	if ans.Account.Sub == "" || ans.EphemeralToken == "" {
		return "", "", errors.New("oauthtest: sign-in answered no account or token")
	}
	return ans.Account.Sub, ans.EphemeralToken, nil
}

// Consent approves the request for sub and returns the callback URL.
func (b *Browser) Consent(ctx context.Context, sub, token string) (string, error) {
	var ans struct {
		URL string `json:"url"`
	}
	if err := b.api(ctx, "/consent", token, map[string]string{"sub": sub}, &ans); err != nil {
		return "", err
	}
	return callback(ans.URL)
}

// Reject refuses the request and returns the callback URL.
func (b *Browser) Reject(ctx context.Context) (string, error) {
	var ans struct {
		URL string `json:"url"`
	}
	if err := b.api(ctx, "/reject", "", map[string]string{}, &ans); err != nil {
		return "", err
	}
	return callback(ans.URL)
}

// api calls the page's API as its script does, from the page.
func (b *Browser) api(ctx context.Context, endpoint, bearer string, in, out any) error {
	if b.page == nil {
		return errors.New("oauthtest: no page open")
	}
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	org := b.page.Scheme + "://" + b.page.Host
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, org+apiPrefix+endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/json")
	h.Set("Origin", org)
	h.Set("Referer", b.page.String())
	h.Set("Sec-Fetch-Mode", "same-origin")
	h.Set("Sec-Fetch-Site", "same-origin")
	h.Set("Sec-Fetch-Dest", "empty")
	h.Set("X-Csrf-Token", b.cookies["csrf-token"])
	if bearer != "" {
		h.Set("Authorization", "Bearer "+bearer)
	}
	data, err := b.do(req)
	if err != nil {
		return fmt.Errorf("oauthtest: %s: %w", endpoint, err)
	}
	return json.Unmarshal(data, out)
}

// do sends req with the cookies kept, keeps those the answer sets, and
// returns a 200 answer's body.
func (b *Browser) do(req *http.Request) ([]byte, error) {
	var parts []string
	for k, v := range b.cookies {
		parts = append(parts, k+"="+v)
	}
	if len(parts) > 0 {
		req.Header.Set("Cookie", strings.Join(parts, "; "))
	}
	c := b.HTTP
	if c == nil {
		c = &http.Client{Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	for _, ck := range resp.Cookies() {
		b.cookies[ck.Name] = ck.Value
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err == nil && resp.StatusCode != http.StatusOK {
		// The error's name and description only: never the body, which
		// may echo what was sent (a password).
		var e struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		_ = json.Unmarshal(data, &e)
		err = fmt.Errorf("HTTP %d: %.40q: %.200q", resp.StatusCode, e.Error, e.Description)
	}
	return data, err
}

// callback turns the page's redirect (/oauth/authorize/redirect?
// redirect_uri=…&code=…) into the URL the browser ends at: the redirect
// URI with the answer's parameters in its query.
func callback(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	q := u.Query()
	ru := q.Get("redirect_uri")
	if ru == "" {
		return "", fmt.Errorf("oauthtest: the redirect %q names no redirect_uri", raw)
	}
	out := url.Values{}
	for _, k := range []string{"code", "state", "iss", "error", "error_description"} {
		if q.Has(k) {
			out.Set(k, q.Get(k))
		}
	}
	return ru + "?" + out.Encode(), nil
}
