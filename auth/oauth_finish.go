package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// ErrNotCallback: a URL that is not where this sign-in's browser comes
// back to (a pasted URL from another tab, say).
var ErrNotCallback = errors.New("not the address this sign-in comes back to")

// Finish completes the sign-in with the URL the browser came back to:
// state and iss must be this sign-in's, an error there (access_denied:
// the person refused) is returned as an *OAuthError, and the code is
// exchanged (PKCE, DPoP) for the session. The account signed in must be
// the one asked for (sub), and the answer's scope must hold atproto: an
// answer failing either is refused and nothing of it is returned. The session's end is now plus
// OAuthSessionLimit.
func (p *OAuthPending) Finish(ctx context.Context, callbackURL string) (SessionData, error) {
	code, err := p.callbackCode(callbackURL)
	if err != nil {
		return SessionData{}, err
	}
	key, err := parseDPoPKey(p.key)
	if err != nil {
		return SessionData{}, err
	}
	const name = "token endpoint"
	cs := requestCredentials("", nil, code, p.verifier, p.key)
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {p.redirect},
		"code_verifier": {p.verifier}, "client_id": {p.clientID}}
	var t tokenAnswer
	op := oauthPost{name: name, endpoint: p.as.TokenEndpoint, form: form, key: key, cs: cs}
	if err := p.c.postForm(ctx, op, &t); err != nil {
		return SessionData{}, err
	}
	// No default for a scope left out: atproto's profile has the server
	// always name what it granted, and a client reject an answer without.
	cs = requestCredentials("", nil, code, p.verifier, p.key, t.AccessToken, t.RefreshToken)
	if err := t.check(name, p.who.did, cs); err != nil {
		return SessionData{}, withholdCredentials(name, err, cs)
	}
	who, err := p.subject(ctx, t.Sub)
	if err != nil {
		return SessionData{}, withholdCredentials(name, err, cs)
	}
	return p.c.oauthSession(ctx, p, who, t), nil
}

// callbackCode checks the callback and returns its code.
func (p *OAuthPending) callbackCode(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	want, _ := url.Parse(p.redirect)
	if err != nil || u.Scheme != want.Scheme || u.Host != want.Host || u.Path != want.Path {
		return "", ErrNotCallback
	}
	q := u.Query()
	switch iss, has := q.Get("iss"), q.Has("iss"); {
	case q.Get("state") != p.state:
		return "", ErrStateMismatch
	case has && iss != p.as.Issuer:
		return "", fmt.Errorf("%w (the callback's iss)", ErrIssuerMismatch)
	case !has: // every server promises it (authServer.check)
		return "", fmt.Errorf("%w: the callback names no issuer (iss)", ErrIssuerMismatch)
	}
	cs := requestCredentials("", nil, q.Get("code"), p.verifier, p.key)
	if q.Has("error") {
		code, desc := oauthErrorText(q.Get("error"), q.Get("error_description"), cs)
		return "", &OAuthError{Endpoint: "authorization", Code: code, Description: desc}
	}
	if q.Get("code") == "" {
		return "", fmt.Errorf("authorization: %w: the callback holds no code", ErrBadResponse)
	}
	return q.Get("code"), nil
}

// subject is the account the token answer names. When the sign-in named
// one, t.check has held sub to it; when the person chose it at the
// browser, its DID document must name this PDS, or a PDS whose
// authorization server this issuer is.
func (p *OAuthPending) subject(ctx context.Context, sub string) (oauthWho, error) {
	who := p.who
	if who.did != "" {
		return who, nil
	}
	doc, err := p.c.Resolver.ResolveDID(ctx, sub)
	if err != nil {
		return who, fmt.Errorf("%w: cannot check the account signed in: %w", ErrSubjectMismatch, err)
	}
	pds, err := PDSFromDoc(doc)
	if err == nil && pds != who.pds {
		var as authServer
		if as, err = p.c.authServerFor(ctx, pds); err == nil && as.Issuer != p.as.Issuer {
			err = fmt.Errorf("its PDS %s signs in elsewhere", hostOf(pds))
		}
	}
	if err != nil {
		return who, fmt.Errorf("%w: %s is not this server's: %w", ErrSubjectMismatch, sub, err)
	}
	who.did, who.doc, who.pds = sub, doc, pds
	return who, nil
}

// oauthSession is the session of a checked token answer, with what
// getSession says of the account when it answers (a sign-in does not
// fail for want of it).
func (c *Client) oauthSession(ctx context.Context, p *OAuthPending, who oauthWho, t tokenAnswer) SessionData {
	now := c.now()
	d := SessionData{DID: who.did, Handle: HandleFromDoc(who.doc), Active: true, Service: who.service, PDSURL: who.pds,
		OAuth: &OAuthData{ClientID: p.clientID, Issuer: p.as.Issuer, TokenEndpoint: p.as.TokenEndpoint,
			RevocationEndpoint: p.as.RevocationEndpoint, DPoPKey: p.key, Scope: p.scope,
			SessionEndsAt: now.Add(OAuthSessionLimit).UTC()}}
	if d.Handle == "" {
		d.Handle = "handle.invalid"
	}
	if docDID(who.doc) == who.did && !oauthCredentials(d, t.AccessToken, t.RefreshToken).quotedIn(string(who.doc)) {
		d.DIDDoc = who.doc
	}
	t.apply(&d, now)
	var w wireSession
	if err := c.do(ctx, sessionCall(http.MethodGet, "com.atproto.server.getSession", d, nil, nil), &w); err == nil && w.DID == d.DID {
		w.AccessJwt, w.RefreshJwt, w.DIDDoc = "", "", nil
		applyWire(&d, w)
	}
	return c.WithNonces(d)
}
