package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/skyswitch/skyswitch/internal/sanitize"
)

// authServer is what a sign-in learns of the authorization server from
// its metadata (RFC 8414), every URL checked (checkEndpoint).
type authServer struct {
	Issuer                string   `json:"issuer"`
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	TokenEndpoint         string   `json:"token_endpoint"`
	RevocationEndpoint    string   `json:"revocation_endpoint"`
	PAREndpoint           string   `json:"pushed_authorization_request_endpoint"`
	IssParameter          bool     `json:"authorization_response_iss_parameter_supported"`
	DPoPAlgs              []string `json:"dpop_signing_alg_values_supported"`
	ChallengeMethods      []string `json:"code_challenge_methods_supported"`
}

// ErrNoOAuth: the server offers no OAuth sign-in skyswitch can use.
var ErrNoOAuth = errors.New("the server offers no OAuth sign-in")

// authServerFor finds the authorization server of the PDS at pds: its
// protected-resource metadata names it, and its own metadata must say it
// is that issuer.
func (c *Client) authServerFor(ctx context.Context, pds string) (authServer, error) {
	var pr struct {
		Resource             string   `json:"resource"`
		AuthorizationServers []string `json:"authorization_servers"`
	}
	if err := c.fetchJSON(ctx, pds+"/.well-known/oauth-protected-resource", &pr); err != nil {
		return authServer{}, fmt.Errorf("%w: %w", ErrNoOAuth, err)
	}
	if r, err := NormalizeServiceURL(pr.Resource); err != nil || r != pds {
		return authServer{}, fmt.Errorf("%w: %s: its protected-resource metadata names another resource", ErrBadResponse, hostOf(pds))
	}
	if len(pr.AuthorizationServers) == 0 {
		return authServer{}, fmt.Errorf("%w: %s names no authorization server", ErrNoOAuth, hostOf(pds))
	}
	issuer := pr.AuthorizationServers[0]
	if err := checkIssuer(issuer, pds); err != nil {
		return authServer{}, err
	}
	var as authServer
	if err := c.fetchJSON(ctx, issuer+"/.well-known/oauth-authorization-server", &as); err != nil {
		return authServer{}, fmt.Errorf("%w: %w", ErrNoOAuth, err)
	}
	if as.Issuer != issuer {
		return authServer{}, fmt.Errorf("%w: the metadata of %s names another issuer", ErrIssuerMismatch, hostOf(issuer))
	}
	return as, as.check()
}

// check refuses metadata without what the atproto profile requires, or
// with an endpoint that breaks the URL rules.
func (as authServer) check() error {
	switch {
	case as.PAREndpoint == "", as.AuthorizationEndpoint == "", as.TokenEndpoint == "":
		return fmt.Errorf("%w: %s lacks a PAR, authorization or token endpoint", ErrNoOAuth, hostOf(as.Issuer))
	case !slices.Contains(as.DPoPAlgs, "ES256"):
		return fmt.Errorf("%w: %s does not take ES256 DPoP proofs", ErrNoOAuth, hostOf(as.Issuer))
	case !slices.Contains(as.ChallengeMethods, "S256"):
		return fmt.Errorf("%w: %s does not take S256 PKCE", ErrNoOAuth, hostOf(as.Issuer))
	case !as.IssParameter:
		// RFC 9207, required by atproto's profile: without iss at the
		// callback, a mix-up of servers cannot be told.
		return fmt.Errorf("%w: %s does not name itself (iss) at the callback", ErrNoOAuth, hostOf(as.Issuer))
	}
	for _, u := range []string{as.PAREndpoint, as.AuthorizationEndpoint, as.TokenEndpoint, as.RevocationEndpoint} {
		if u == "" {
			continue // no revocation endpoint: logout cannot revoke
		}
		if err := checkEndpoint(u, as.Issuer); err != nil {
			return err
		}
	}
	return nil
}

// checkIssuer holds an issuer to the service URL rules (https, or http on
// loopback; scheme and host alone), and refuses a loopback issuer for a
// PDS that is not on loopback.
func checkIssuer(issuer, pds string) error {
	n, err := NormalizeServiceURL(issuer)
	if err == nil && n != issuer {
		err = fmt.Errorf("%w: not in the form scheme://host", ErrBadURL)
	}
	if err == nil && IsLoopbackHost(urlHost(issuer)) && !IsLoopbackHost(urlHost(pds)) {
		err = fmt.Errorf("%w: a server on the network names one on this machine", ErrBadURL)
	}
	if err != nil {
		return fmt.Errorf("authorization server %s: %w", clip(sanitize.Line(issuer), maxDetailLen), err)
	}
	return nil
}

// checkEndpoint holds an endpoint of the issuer's to the same rules: https,
// or http on loopback, only for an issuer on loopback; no user, query or
// fragment.
func checkEndpoint(raw, issuer string) error {
	u, err := url.Parse(raw)
	var why string
	switch {
	case err != nil:
		why = "cannot parse it"
	case u.Scheme != "https" && u.Scheme != "http", u.Opaque != "":
		why = "not an http(s) URL"
	case u.User != nil, u.RawQuery != "", u.Fragment != "":
		why = "it may not carry a user, a query or a fragment"
	case strings.IndexFunc(raw, func(r rune) bool { return r <= ' ' || r >= 0x7f }) >= 0:
		// Written raw, such a character (a C1 control, a bidi override)
		// would reach the browser's opener and the terminal as it is.
		why = "it holds a space or a character beyond printable ASCII, unescaped"
	case !isASCIIHost(u.Hostname()) || !validHostName(u.Hostname()) || u.Hostname() == "":
		why = "not a valid host"
	case u.Scheme == "http" && !IsLoopbackHost(u.Hostname()):
		why = "plain http is allowed only for localhost"
	case IsLoopbackHost(u.Hostname()) && !IsLoopbackHost(urlHost(issuer)):
		why = "a server on the network names one on this machine"
	}
	if why != "" {
		return fmt.Errorf("%w: endpoint %s: %w: %s", ErrNoOAuth, clip(sanitize.Line(raw), maxDetailLen), ErrBadURL, why)
	}
	return nil
}

// fetchJSON GETs u (metadata, no credential) and decodes its 200 answer.
func (c *Client) fetchJSON(ctx context.Context, u string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrBadURL, clip(sanitize.Line(u), maxDetailLen))
	}
	req.Header.Set("User-Agent", c.userAgent())
	req.Header.Set("Accept", "application/json")
	resp, err := c.trip("").do(req)
	if err != nil {
		return err
	}
	data, err := readBody(resp, maxDocBytes)
	switch {
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("%s answered HTTP %d for %s", hostOf(u), resp.StatusCode, clip(sanitize.Line(req.URL.Path), 80))
	case err != nil:
		return bodyError("", err)
	case json.Unmarshal(data, out) != nil:
		return fmt.Errorf("%w: %s: %s is not the JSON expected", ErrBadResponse, hostOf(u), clip(sanitize.Line(req.URL.Path), 80))
	}
	return nil
}

// hostOf is the host[:port] of u, cleaned, for an error.
func hostOf(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return clip(sanitize.Line(u), maxDetailLen)
	}
	return clip(sanitize.Line(strings.ToLower(p.Host)), maxDetailLen)
}
