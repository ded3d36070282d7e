package fakepds

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
)

// Identities is a stand-in for the lookups of auth's both-ways handle check
// (auth.Identities), for tests that cannot reach DNS or a handle's host:
// handle → DID, and DID → the handle its document names. A missing entry
// is a failed lookup, as with no DNS record or no network. It counts the
// lookups. Safe for concurrent use.
type Identities struct {
	// OnLookup, when set, is called with each handle or DID looked up,
	// before the answer: a test that allows no lookup fails there.
	OnLookup func(what string)

	mu    sync.Mutex
	dids  map[string]string
	names map[string]string
	calls int
}

// NewIdentities is an Identities that knows nobody.
func NewIdentities() *Identities {
	return &Identities{dids: map[string]string{}, names: map[string]string{}}
}

// Set makes handle resolve to did, and did's document name the handle
// named.
func (r *Identities) Set(handle, did, named string) {
	r.SetHandle(handle, did)
	r.SetDocument(did, named)
}

// SetHandle makes handle resolve to did.
func (r *Identities) SetHandle(handle, did string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dids[handle] = did
}

// SetDocument makes did's document name the handle named.
func (r *Identities) SetDocument(did, named string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.names[did] = named
}

// Calls is how many lookups were made.
func (r *Identities) Calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls
}

// ResolveHandle answers the DID Set gave handle, or fails.
func (r *Identities) ResolveHandle(_ context.Context, handle string) (string, error) {
	r.asked(handle)
	r.mu.Lock()
	defer r.mu.Unlock()
	if did, ok := r.dids[handle]; ok {
		return did, nil
	}
	return "", errors.New("no such handle")
}

// ResolveDID answers a document of did naming the handle Set gave it, or
// fails.
func (r *Identities) ResolveDID(_ context.Context, did string) (json.RawMessage, error) {
	r.asked(did)
	r.mu.Lock()
	defer r.mu.Unlock()
	h, ok := r.names[did]
	if !ok {
		return nil, errors.New("offline")
	}
	return json.Marshal(map[string]any{"id": did, "alsoKnownAs": []string{"at://" + h}})
}

func (r *Identities) asked(what string) {
	r.mu.Lock()
	r.calls++
	r.mu.Unlock()
	if r.OnLookup != nil {
		r.OnLookup(what)
	}
}
