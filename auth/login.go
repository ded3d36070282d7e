package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/skyswitch/skyswitch/internal/sanitize"
)

// LoginInput is what a person types into a login form.
type LoginInput struct {
	// Service is the entryway or PDS URL; "" means: find the PDS from the
	// handle or DID given as Identifier.
	Service string
	// Identifier is a handle (with or without "@"), an email or a DID.
	Identifier string
	// Password is used for this one call and never kept.
	Password string
	// AuthFactorToken is the emailed sign-in code, when the server asked
	// for one (ErrAuthFactorTokenRequired).
	AuthFactorToken string
}

// wireSession is the JSON of createSession, refreshSession, getSession and
// createAccount answers.
type wireSession struct {
	AccessJwt       string          `json:"accessJwt"`
	RefreshJwt      string          `json:"refreshJwt"`
	DID             string          `json:"did"`
	Handle          string          `json:"handle"`
	Email           string          `json:"email"`
	EmailConfirmed  bool            `json:"emailConfirmed"`
	EmailAuthFactor bool            `json:"emailAuthFactor"`
	Active          *bool           `json:"active"`
	Status          string          `json:"status"`
	DIDDoc          json.RawMessage `json:"didDoc"`
}

// UnmarshalJSON reads a session answer strictly where it names the account
// and holds the tokens (did, accessJwt, refreshJwt), and leniently in the
// rest: a member of the wrong type there (a server writing "true" for
// true) is left out, so the answer, and with a refresh the rotated pair
// whose refresh token the request spent, is not lost over it.
func (w *wireSession) UnmarshalJSON(b []byte) error {
	var vital struct {
		AccessJwt  string `json:"accessJwt"`
		RefreshJwt string `json:"refreshJwt"`
		DID        string `json:"did"`
	}
	type plain wireSession
	return decodeSparing(b, &vital, (*plain)(w))
}

// decodeSparing decodes b into out (of a type with no UnmarshalJSON of its
// own), strictly in the members vital holds, which it decodes first, and
// leniently in the rest: a member of the wrong type is left out rather
// than failing the whole (encoding/json decodes the others all the same).
func decodeSparing(b []byte, vital, out any) error {
	if err := json.Unmarshal(b, vital); err != nil {
		return err
	}
	err := json.Unmarshal(b, out)
	if _, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		return nil
	}
	return err
}

// Login signs in with a password (preferably an app password) and returns a
// Session whose first event is Updated. The password is sent once and not
// kept.
func (c *Client) Login(ctx context.Context, in LoginInput, opts SessionOptions) (*Session, error) {
	ident, kind, err := ParseIdentifier(in.Identifier)
	if err != nil {
		return nil, err
	}
	if in.Password == "" {
		return nil, errors.New("a password is required")
	}
	service, err := c.loginService(ctx, in.Service, ident, kind)
	if err != nil {
		return nil, err
	}
	req := map[string]string{"identifier": ident, "password": in.Password}
	if in.AuthFactorToken != "" {
		code, err := NormalizeSignInCode(in.AuthFactorToken)
		if err != nil {
			return nil, err
		}
		req["authFactorToken"] = code
	}
	var w wireSession
	if err := c.Procedure(ctx, service, "com.atproto.server.createSession", "", req, &w); err != nil {
		return nil, err
	}
	if kind == IdentDID && w.DID != "" && w.DID != ident {
		// Logged in by DID, the answer must be that account's.
		return nil, sameAccount("com.atproto.server.createSession", ident, w, loginCredentials(w))
	}
	return c.startSession(ctx, "com.atproto.server.createSession", service, w, opts)
}

// CreateAccountInput holds the fields of com.atproto.server.createAccount.
type CreateAccountInput struct {
	Service, Handle, Email, Password, InviteCode string
}

// CreateAccount makes a new account on a PDS and returns its session.
func (c *Client) CreateAccount(ctx context.Context, in CreateAccountInput, opts SessionOptions) (*Session, error) {
	service, err := NormalizeServiceURL(in.Service)
	if err != nil {
		return nil, err
	}
	req := map[string]string{"handle": in.Handle, "email": in.Email, "password": in.Password}
	if in.InviteCode != "" {
		req["inviteCode"] = in.InviteCode
	}
	var w wireSession
	if err := c.Procedure(ctx, service, "com.atproto.server.createAccount", "", req, &w); err != nil {
		return nil, err
	}
	return c.startSession(ctx, "com.atproto.server.createAccount", service, w, opts)
}

// startSession adopts a login's answer. Tokens whose sub claim names
// another account than the answer's did are refused, and not used at all:
// not even to revoke them, which would end a session of that other
// account, whose tokens they are.
func (c *Client) startSession(ctx context.Context, nsid, service string, w wireSession, opts SessionOptions) (*Session, error) {
	if w.AccessJwt == "" || w.RefreshJwt == "" || !ValidDID(w.DID) {
		return nil, fmt.Errorf("%w: the login answer holds no session", ErrBadResponse)
	}
	if err := sameAccount(nsid, w.DID, w, loginCredentials(w)); err != nil {
		return nil, err
	}
	d := SessionData{Service: service}
	applyWire(&d, w)
	d.RefreshedAt = c.now().UTC()
	c.locatePDS(ctx, &d)
	s := c.NewSession(d, opts)
	s.mu.Lock()
	s.queue(Event{Kind: EventUpdated, Data: d})
	s.mu.Unlock()
	s.dispatch()
	return s, nil
}

// loginCredentials are the tokens of a login's answer, which no error may
// quote.
func loginCredentials(w wireSession) credentials {
	return requestCredentials("", nil, w.AccessJwt, w.RefreshJwt)
}

// ErrServiceNeeded is a login by email address without a service: an email
// names no server, so the person must.
var ErrServiceNeeded = errors.New("to log in with an email address, give the server too (for example https://bsky.social)")

// loginService is the URL createSession goes to: the one given, or the PDS
// found from the handle or DID.
func (c *Client) loginService(ctx context.Context, service, ident string, kind IdentifierKind) (string, error) {
	if strings.TrimSpace(service) != "" {
		return NormalizeServiceURL(service)
	}
	did := ident
	switch kind {
	case IdentEmail:
		return "", ErrServiceNeeded
	case IdentHandle:
		var err error
		if did, err = c.Resolver.ResolveHandle(ctx, ident); err != nil {
			return "", err
		}
	}
	doc, err := c.Resolver.ResolveDID(ctx, did)
	if err != nil {
		return "", err
	}
	return PDSFromDoc(doc)
}

// locatePDS sets d.PDSURL from the DID document in the answer, or resolves
// the DID when the answer had none (the reference PDS omits it). A document
// that cannot be had, or that points a session logged in at a public service
// to a loopback or non-https PDS, is not followed: requests then go to the
// service, which answered the login and so serves this account.
func (c *Client) locatePDS(ctx context.Context, d *SessionData) {
	d.PDSURL = d.Service
	doc := d.DIDDoc
	if len(doc) == 0 || docDID(doc) != d.DID {
		var err error
		doc, err = c.Resolver.ResolveDID(ctx, d.DID)
		if err != nil || requestCredentials("", nil, d.AccessJwt, d.RefreshJwt).quotedIn(string(doc)) {
			return // a document quoting a token is neither kept nor followed
		}
		d.DIDDoc = doc
	}
	pds, err := PDSFromDoc(doc)
	if err != nil || !IsLoopbackHost(urlHost(d.Service)) && IsLoopbackHost(urlHost(pds)) {
		return
	}
	d.PDSURL = pds
}

// applyWire copies a session answer into d, keeping what the answer lacks.
// What the server sent is cleaned on the way in: the handle must be a
// handle, the status a word, no text may carry terminal control codes.
// A field that quotes a token, the answer's or d's, is not kept (the
// handle becomes handle.invalid): status and list show these fields, and
// the accounts file keeps them even when the tokens are in the keyring.
func applyWire(d *SessionData, w wireSession) {
	cs := requestCredentials("", nil, w.AccessJwt, w.RefreshJwt, d.AccessJwt, d.RefreshJwt)
	if w.AccessJwt != "" {
		d.AccessJwt = w.AccessJwt
	}
	if w.RefreshJwt != "" {
		d.RefreshJwt = w.RefreshJwt
	}
	// As sent, and as it would be kept (cleaning can join a token's pieces).
	quotes := func(sent, kept string) bool { return cs.quotedIn(sent) || cs.quotedIn(kept) }
	d.DID = w.DID
	if h := handleOrInvalid(w.Handle); w.Handle != "" {
		d.Handle = h
		if quotes(w.Handle, h) {
			d.Handle = "handle.invalid"
		}
	}
	if email := sanitize.Field(w.Email, maxEmailLen); !quotes(w.Email, email) {
		d.Email = email
	}
	d.EmailConfirmed = w.EmailConfirmed
	d.EmailAuthFactor = w.EmailAuthFactor
	d.Active = w.Active == nil || *w.Active
	if status := word(w.Status, 32); !quotes(w.Status, status) {
		d.Status = status
	}
	if len(w.DIDDoc) > 0 && docDID(w.DIDDoc) == w.DID && !cs.quotedIn(string(w.DIDDoc)) {
		d.DIDDoc = w.DIDDoc
	}
}

// NormalizeSignInCode forgives case, spaces and a missing dash in an emailed
// sign-in code and returns it as XXXXX-XXXXX.
func NormalizeSignInCode(code string) (string, error) {
	var b strings.Builder
	for _, r := range strings.ToUpper(code) {
		switch {
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '-' || r == ' ' || r == '\t':
		default:
			return "", errors.New("a sign-in code has only letters and digits, like ABCDE-12345")
		}
	}
	s := b.String()
	if len(s) != 10 {
		return "", errors.New("a sign-in code has 10 letters and digits, like ABCDE-12345")
	}
	return s[:5] + "-" + s[5:], nil
}
