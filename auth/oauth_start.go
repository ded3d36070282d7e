package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// DefaultOAuthScope is the scope a sign-in asks for when given none: about
// what an app password grants.
const DefaultOAuthScope = "atproto transition:generic"

// OAuthSessionLimit is how long the reference server lets a public
// client's session live, however often it is refreshed. The server never
// says it: a session's end is its sign-in time plus this.
const OAuthSessionLimit = 14 * 24 * time.Hour

// OAuthRequest is what starts a sign-in through the browser.
type OAuthRequest struct {
	// Service is the PDS (or the entryway that is its authorization
	// server); "" means: find the PDS from Identifier.
	Service string
	// Identifier is a handle (with or without "@") or a DID; "" means the
	// person chooses the account at the browser (Service is then needed).
	Identifier string
	// Scope is what to ask for; "" means DefaultOAuthScope. It must hold
	// atproto.
	Scope string
	// RedirectURI is where the browser comes back: a loopback listener's
	// (CallbackListener.RedirectURI), http://127.0.0.1:<port>/callback.
	RedirectURI string
}

// OAuthPending is a sign-in waiting for the person at the browser: open
// AuthorizeURL, then give Finish the URL the browser came back to. It
// holds secrets (the PKCE verifier, the DPoP key) and is never saved.
type OAuthPending struct {
	c                  *Client
	who                oauthWho
	as                 authServer
	clientID, redirect string
	scope, state       string
	verifier, key      string
	authorize          string
}

// AuthorizeURL is the page to open in the browser.
func (p *OAuthPending) AuthorizeURL() string { return p.authorize }

// RedirectURI is where the browser will come back to.
func (p *OAuthPending) RedirectURI() string { return p.redirect }

// State is the sign-in's state, which its callback carries: a listener
// takes only the callback with this state.
func (p *OAuthPending) State() string { return p.state }

// DID is the account asked for, "" when the person chooses it.
func (p *OAuthPending) DID() string { return p.who.did }

// Issuer is the authorization server the sign-in goes through.
func (p *OAuthPending) Issuer() string { return p.as.Issuer }

// ErrBadRedirect: a redirect URI a loopback client may not use.
var ErrBadRedirect = errors.New("the redirect must be http://127.0.0.1:<port>/… or http://[::1]:<port>/…")

// StartOAuth resolves the account to its PDS and authorization server,
// pushes the authorization request (PAR, with PKCE S256, state and a DPoP
// proof from a new key) and returns the sign-in to finish.
func (c *Client) StartOAuth(ctx context.Context, in OAuthRequest) (*OAuthPending, error) {
	scope := strings.Join(strings.Fields(orDefault(in.Scope, DefaultOAuthScope)), " ")
	if !hasScope(scope, "atproto") {
		return nil, fmt.Errorf("%w: the scope must hold atproto", ErrInvalidScope)
	}
	if err := checkRedirect(in.RedirectURI); err != nil {
		return nil, err
	}
	who, err := c.oauthIdentity(ctx, in)
	if err != nil {
		return nil, err
	}
	as, err := c.authServerFor(ctx, who.pds)
	if err != nil {
		return nil, err
	}
	if who.service != who.pds && who.service != as.Issuer {
		return nil, fmt.Errorf("%w: the DID document of %s names another PDS (%s) than %s", ErrResolve, who.did, hostOf(who.pds), hostOf(who.service))
	}
	p := &OAuthPending{c: c, who: who, as: as, redirect: in.RedirectURI, scope: scope,
		clientID: LoopbackClientID(in.RedirectURI, scope), state: randomText(24), verifier: randomText(32)}
	if p.key, err = NewDPoPKey(); err != nil {
		return nil, err
	}
	if err := c.pushRequest(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// pushRequest sends the authorization request (RFC 9126) and sets the
// page to open.
func (c *Client) pushRequest(ctx context.Context, p *OAuthPending) error {
	key, err := parseDPoPKey(p.key)
	if err != nil {
		return err
	}
	form := url.Values{
		"client_id": {p.clientID}, "response_type": {"code"}, "redirect_uri": {p.redirect}, "scope": {p.scope},
		"state": {p.state}, "code_challenge": {pkceChallenge(p.verifier)}, "code_challenge_method": {"S256"},
	}
	if p.who.hint != "" {
		form.Set("login_hint", p.who.hint)
	}
	var ans struct {
		RequestURI string `json:"request_uri"`
	}
	op := oauthPost{name: "pushed authorization request", endpoint: p.as.PAREndpoint, form: form, key: key,
		cs: requestCredentials("", nil, p.verifier, p.key)}
	if err := c.postForm(ctx, op, &ans); err != nil {
		return err
	}
	if ans.RequestURI == "" {
		return fmt.Errorf("pushed authorization request: %w: no request_uri in the answer", ErrBadResponse)
	}
	q := url.Values{"client_id": {p.clientID}, "request_uri": {ans.RequestURI}}
	p.authorize = p.as.AuthorizationEndpoint + "?" + q.Encode()
	return nil
}

// LoopbackClientID is the client_id of a loopback client (atproto OAuth):
// exactly http://localhost?redirect_uri=…&scope=…, no port, no path. A
// session must present it byte for byte at every refresh.
func LoopbackClientID(redirectURI, scope string) string {
	return "http://localhost?" + url.Values{"redirect_uri": {redirectURI}, "scope": {scope}}.Encode()
}

// checkRedirect holds a redirect URI to what a loopback client may use:
// http to 127.0.0.1 or [::1] with a port (a localhost redirect is
// refused by the server), no user, query or fragment.
func checkRedirect(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Port() == "" {
		return ErrBadRedirect
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() || !ip.Equal(net.IPv4(127, 0, 0, 1)) && !ip.Equal(net.IPv6loopback) {
		return ErrBadRedirect
	}
	return nil
}

// pkceChallenge is the S256 code challenge of a verifier (RFC 7636 §4.2).
func pkceChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return b64.EncodeToString(sum[:])
}

// randomText is n random bytes, base64url: a PKCE verifier (32 bytes, 43
// characters) or a state.
func randomText(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return b64.EncodeToString(b)
}

// oauthWho is the account a sign-in is for, and where it lives.
type oauthWho struct {
	hint    string // login_hint: the handle or DID given, "" for none
	did     string // "" when only a service was given
	doc     json.RawMessage
	service string // as given (normalized), or the PDS
	pds     string
}

// oauthIdentity resolves the request's account: handle → DID → DID
// document → PDS. With a Service and a handle, the handle is resolved
// through that server (com.atproto.identity.resolveHandle), and the DID
// document must name it (or a PDS it is the authorization server of).
func (c *Client) oauthIdentity(ctx context.Context, in OAuthRequest) (oauthWho, error) {
	var who oauthWho
	if strings.TrimSpace(in.Service) != "" {
		s, err := NormalizeServiceURL(in.Service)
		if err != nil {
			return who, err
		}
		who.service = s
	}
	if strings.TrimSpace(in.Identifier) == "" {
		if who.service == "" {
			return who, errors.New("give the account (a handle or a DID) or its server")
		}
		who.pds = who.service
		return who, nil
	}
	ident, kind, err := ParseIdentifier(in.Identifier)
	if err != nil {
		return who, err
	}
	who.hint, who.did = ident, ident
	switch {
	case kind == IdentEmail:
		return who, errors.New("to sign in through the browser, give a handle or a DID, not an email address")
	case kind == IdentHandle && who.service != "":
		who.did, err = c.handleAt(ctx, who.service, ident)
	case kind == IdentHandle:
		who.did, err = c.Resolver.ResolveHandle(ctx, ident)
	}
	if err != nil {
		return who, err
	}
	if who.doc, err = c.Resolver.ResolveDID(ctx, who.did); err != nil {
		return who, err
	}
	if who.pds, err = PDSFromDoc(who.doc); err != nil {
		return who, err
	}
	if who.service == "" {
		who.service = who.pds
	}
	if IsLoopbackHost(urlHost(who.pds)) && !IsLoopbackHost(urlHost(who.service)) {
		return who, fmt.Errorf("%w: the DID document of %s names a PDS on this machine", ErrResolve, who.did)
	}
	return who, nil
}

// handleAt resolves handle through the server at service.
func (c *Client) handleAt(ctx context.Context, service, handle string) (string, error) {
	var ans struct {
		DID string `json:"did"`
	}
	const nsid = "com.atproto.identity.resolveHandle"
	if err := c.Query(ctx, service, nsid, "", url.Values{"handle": {handle}}, &ans); err != nil {
		return "", fmt.Errorf("%w: handle %s: %w", ErrResolve, handle, err)
	}
	if !ValidDID(ans.DID) {
		return "", fmt.Errorf("%w: handle %s: %s answered no DID", ErrResolve, handle, hostOf(service))
	}
	return ans.DID, nil
}
