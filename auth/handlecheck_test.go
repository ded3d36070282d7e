package auth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
)

// handleStandIn is a HandleResolver over maps: handle → DID and DID → the handle
// its document names. A missing entry is a failed lookup.
type handleStandIn struct {
	dids    map[string]string
	aliases map[string]string
}

func (s handleStandIn) ResolveHandle(_ context.Context, handle string) (string, error) {
	if did, ok := s.dids[handle]; ok {
		return did, nil
	}
	return "", errors.New("no such handle")
}

func (s handleStandIn) ResolveDID(_ context.Context, did string) (json.RawMessage, error) {
	h, ok := s.aliases[did]
	if !ok {
		return nil, errors.New("offline")
	}
	doc, _ := json.Marshal(map[string]any{"id": did, "alsoKnownAs": []string{"at://" + h}})
	return doc, nil
}

// TestCheckHandleBothWays: verified only when both directions agree;
// unverified only when an answer names something else; unchecked when a
// lookup fails.
func TestCheckHandleBothWays(t *testing.T) {
	const did, other = "did:plc:alice", "did:plc:mallory"
	tests := []struct {
		name    string
		r       handleStandIn
		handle  string
		outcome HandleOutcome
		names   string
	}{
		{"both ways", handleStandIn{map[string]string{"alice.example.com": did}, map[string]string{did: "alice.example.com"}}, "Alice.Example.com", HandleVerified, ""},
		{"handle resolves to another DID", handleStandIn{map[string]string{"alice.example.com": other}, map[string]string{did: "alice.example.com"}}, "alice.example.com", HandleUnverified, other},
		{"document names another handle", handleStandIn{map[string]string{"alice.example.com": did}, map[string]string{did: "bob.example.com"}}, "alice.example.com", HandleUnverified, "bob.example.com"},
		{"handle lookup fails, document names another", handleStandIn{nil, map[string]string{did: "bob.example.com"}}, "alice.example.com", HandleUnverified, "bob.example.com"},
		{"handle lookup fails", handleStandIn{nil, map[string]string{did: "alice.example.com"}}, "alice.example.com", HandleUnchecked, ""},
		{"document lookup fails", handleStandIn{map[string]string{"alice.example.com": did}, nil}, "alice.example.com", HandleUnchecked, ""},
		{"both fail (offline)", handleStandIn{}, "alice.example.com", HandleUnchecked, ""},
		{"handle answers no DID", handleStandIn{map[string]string{"alice.example.com": "\x1b[2Jnot a did"}, map[string]string{did: "alice.example.com"}}, "alice.example.com", HandleUnchecked, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckHandle(context.Background(), tt.r, did, tt.handle)
			if got.Outcome != tt.outcome || got.Names != tt.names || !got.Made {
				t.Errorf("got %+v, want outcome %d naming %q", got, tt.outcome, tt.names)
			}
			if (got.Err != nil) != (tt.outcome == HandleUnchecked) {
				t.Errorf("err %v for outcome %d", got.Err, got.Outcome)
			}
		})
	}
}

// TestPublicHandlesMakesNoLookupForSpecialNames: alice.test and friends
// are never asked of DNS or HTTPS, and CheckHandle then asks nothing at
// all: not even the PLC directory.
func TestPublicHandlesMakesNoLookupForSpecialNames(t *testing.T) {
	asked := func(what string) { t.Errorf("a lookup was made: %s", what) }
	r := &Resolver{
		LookupTXT: func(_ context.Context, name string) ([]string, error) { asked(name); return nil, errors.New("no") },
		HTTP: &http.Client{Transport: checkTransport(func(req *http.Request) (*http.Response, error) {
			asked(req.URL.String())
			return nil, errors.New("no")
		})},
	}
	for _, h := range []string{"alice.test", "handle.invalid", "a.b.EXAMPLE", "x.localhost."} {
		if !SpecialUseHandle(h) {
			t.Errorf("%s is not special-use", h)
		}
		res := CheckHandle(context.Background(), PublicHandles{r}, "did:plc:alice", h)
		if res.Made || res.Outcome != HandleUnchecked || !errors.Is(res.Err, ErrCannotCheck) {
			t.Errorf("%s: %+v", h, res)
		}
	}
	for _, h := range []string{"alice.bsky.social", "test.com", "example.org"} {
		if SpecialUseHandle(h) {
			t.Errorf("%s is special-use", h)
		}
	}
}

type checkTransport func(*http.Request) (*http.Response, error)

func (f checkTransport) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
