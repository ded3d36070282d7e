package auth

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// HandleResolver is what CheckHandle asks: *Resolver (DNS, HTTPS and the
// PLC directory), PublicHandles over one, or a stand-in in tests.
type HandleResolver interface {
	// ResolveHandle returns the DID the handle claims. An error wrapping
	// ErrCannotCheck means no lookup was made.
	ResolveHandle(ctx context.Context, handle string) (string, error)
	// ResolveDID returns the DID's document.
	ResolveDID(ctx context.Context, did string) (json.RawMessage, error)
}

// ErrCannotCheck: a handle no lookup can be made for (a special-use name
// such as alice.test, which no public DNS or HTTPS answers for).
var ErrCannotCheck = fmt.Errorf("%w: this name cannot be looked up", ErrResolve)

// HandleOutcome is what checking a handle both ways found.
type HandleOutcome int

// Outcomes of CheckHandle.
const (
	// HandleUnchecked: a lookup failed or could not be made; nothing is
	// known against the handle.
	HandleUnchecked HandleOutcome = iota
	// HandleVerified: the handle resolves to the DID, and the DID document
	// names the handle.
	HandleVerified
	// HandleUnverified: a lookup that answered names another DID, or the
	// DID document names another handle.
	HandleUnverified
)

// HandleResult is the outcome of CheckHandle.
type HandleResult struct {
	Outcome HandleOutcome
	// Names is what an answer named instead, for HandleUnverified: the
	// DID the handle resolves to, or the handle the DID document names.
	Names string
	// Made is false when no lookup was made at all (ErrCannotCheck): there
	// is nothing to remember.
	Made bool
	// Err is why the result is HandleUnchecked, when a lookup failed.
	Err error
}

// CheckHandle checks handle both ways for did, as Bluesky's clients do
// (atproto.com specs/handle): the handle resolves to the DID (DNS TXT
// _atproto.<handle>, or https://<handle>/.well-known/atproto-did), and the
// DID document's first at:// alias is the handle. A server's own word (the
// handle or DID document in a session answer) is never taken: any server
// can answer with any handle. Only an answer naming something else makes a
// handle unverified; a lookup that fails leaves it unchecked.
func CheckHandle(ctx context.Context, r HandleResolver, did, handle string) HandleResult {
	handle = strings.ToLower(handle)
	got, herr := r.ResolveHandle(ctx, handle)
	if herr == nil && !ValidDID(got) {
		herr = fmt.Errorf("%w: handle %s: the answer is not a DID", ErrResolve, handle)
	}
	switch {
	case errors.Is(herr, ErrCannotCheck):
		return HandleResult{Err: herr}
	case herr == nil && got != did:
		return HandleResult{Outcome: HandleUnverified, Names: got, Made: true}
	}
	doc, derr := r.ResolveDID(ctx, did)
	if derr != nil {
		return HandleResult{Made: true, Err: cmp.Or(herr, derr)}
	}
	switch named := HandleFromDoc(doc); {
	case named == "":
		return HandleResult{Made: true, Err: fmt.Errorf("%w: the DID document of %s names no handle", ErrResolve, did)}
	case named != handle:
		return HandleResult{Outcome: HandleUnverified, Names: named, Made: true}
	case herr != nil:
		return HandleResult{Made: true, Err: herr}
	}
	return HandleResult{Outcome: HandleVerified, Made: true}
}

// PublicHandles is a HandleResolver over R that makes no lookup for a
// handle under a special-use top-level name (RFC 6761, RFC 6762 and the
// like: .test, .example, .invalid, .localhost, .local, .arpa, .internal,
// .onion, .alt): public DNS and HTTPS never answer for them, and asking
// would only leak the name or wait for nothing. ResolveHandle then gives
// ErrCannotCheck.
type PublicHandles struct{ R *Resolver }

// ResolveHandle resolves a public handle with R.
func (p PublicHandles) ResolveHandle(ctx context.Context, handle string) (string, error) {
	if SpecialUseHandle(handle) {
		return "", ErrCannotCheck
	}
	return p.R.ResolveHandle(ctx, handle)
}

// ResolveDID fetches the document with R.
func (p PublicHandles) ResolveDID(ctx context.Context, did string) (json.RawMessage, error) {
	return p.R.ResolveDID(ctx, did)
}

// specialTLDs are the top-level names no public lookup answers for.
var specialTLDs = map[string]bool{
	"test": true, "example": true, "invalid": true, "localhost": true, "local": true,
	"arpa": true, "internal": true, "onion": true, "alt": true,
}

// SpecialUseHandle tells whether handle ends in a special-use top-level
// name (alice.test, handle.invalid), for which no lookup is made.
func SpecialUseHandle(handle string) bool {
	h := strings.TrimSuffix(strings.ToLower(handle), ".")
	return specialTLDs[h[strings.LastIndexByte(h, '.')+1:]]
}
