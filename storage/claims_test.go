package storage

import (
	"context"
	"slices"
	"testing"
)

// TestLoadAccountClaims: LoadAccountClaims returns what LoadAccount does,
// and the other accounts that claim its handle, as SharedHandles has them
// (b and c both claim b.bsky.social, in any case).
func TestLoadAccountClaims(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustUpdate(t, s, replaceWith(claimed()))
	all, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	shared := all.SharedHandles()
	for _, ident := range []string{"did:plc:a", "did:plc:b", "did:plc:c", "", "b.bsky.social", "nobody.test"} {
		a, others, ok, err := s.LoadAccountClaims(ctx, ident)
		one, oneOK, oneErr := s.LoadAccount(ctx, ident)
		if ok != oneOK || (err == nil) != (oneErr == nil) || ok && a.DID != one.DID {
			t.Errorf("LoadAccountClaims(%q) = %v, %v; LoadAccount gives %v, %v", ident, ok, err, oneOK, oneErr)
			continue
		}
		var want []string
		if ok {
			for _, did := range shared["b.bsky.social"] {
				if a.Handle == "b.bsky.social" || a.Handle == "B.bsky.social" {
					if did != a.DID {
						want = append(want, did)
					}
				}
			}
		}
		if !slices.Equal(others, want) {
			t.Errorf("LoadAccountClaims(%q): others %v, want %v", ident, others, want)
		}
	}
	if _, others, _, _ := s.LoadAccountClaims(ctx, "did:plc:b"); !slices.Equal(others, []string{"did:plc:c"}) {
		t.Errorf("b's handle is claimed by c too, got %v", others)
	}
}
