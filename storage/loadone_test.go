package storage

import (
	"context"

	"os"
	"reflect"
	"strings"
	"testing"
)

// TestLoadAccountFindsWhatLoadFinds: the active account, by DID, by handle
// in any case with "@", an unknown name, no active account and no file.
func TestLoadAccountFindsWhatLoadFinds(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	if a, ok, err := s.LoadAccount(ctx, ""); a != nil || ok || err != nil {
		t.Fatalf("no file: got %v, %v, %v; want nothing and no error", a, ok, err)
	}
	st := stateWith(50)
	st.Active = st.Accounts[37].DID
	mustUpdate(t, s, replaceWith(st))
	all, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{ // ident -> DID found ("" none)
		"":                 st.Accounts[37].DID,
		st.Accounts[3].DID: st.Accounts[3].DID,
		"@" + strings.ToUpper(st.Accounts[49].Handle): st.Accounts[49].DID,
		"  " + st.Accounts[0].Handle + " ":            st.Accounts[0].DID,
		"did:plc:nobody":                              "",
		"nobody.bsky.social":                          "",
		"@":                                           "",
	}
	for ident, want := range cases {
		a, ok, err := s.LoadAccount(ctx, ident)
		if err != nil {
			t.Fatalf("LoadAccount(%q): %v", ident, err)
		}
		if want == "" {
			if ok || a != nil {
				t.Errorf("LoadAccount(%q) found %s, want none", ident, a.DID)
			}
			continue
		}
		full, _ := all.Account(want)
		if !ok || !reflect.DeepEqual(*a, *full) {
			t.Errorf("LoadAccount(%q) = %v, %v; want the account Load has for %s", ident, ok, a != nil, want)
		}
	}
	mustUpdate(t, s, func(st *State) error { st.Active, st.Previous = "", ""; return nil })
	if a, ok, err := s.LoadAccount(ctx, ""); a != nil || ok || err != nil {
		t.Fatalf("no active account: got %v, %v, %v; want nothing", a, ok, err)
	}
}

// TestLoadAccountRefusesWhatLoadRefuses: a file Load calls corrupt, too
// new or too large gives LoadAccount the same error, even when the account
// asked for is fine and only another one is wrong; the file is untouched.
func TestLoadAccountRefusesWhatLoadRefuses(t *testing.T) {
	good, err := encode(stateWith(3), nil)
	if err != nil {
		t.Fatal(err)
	}
	third := strings.LastIndex(string(good), `"emailConfirmed": true`)
	files := map[string]string{
		"another account's field has the wrong type":        string(good[:third]) + `"emailConfirmed": "yes"` + string(good[third+len(`"emailConfirmed": true`):]),
		"another account's string field has the wrong type": strings.Replace(string(good), `"email": "user2@example.com"`, `"email": 2`, 1),
		"another account's DID document nests too deeply": func() string {
			doc := strings.LastIndex(string(good), `"didDoc": `)
			end := doc + strings.Index(string(good[doc:]), ",\n")
			return string(good[:doc]) + `"didDoc": ` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + string(good[end:])
		}(),
		"duplicate DID":     strings.Replace(string(good), "did:plc:000000000000000000000002", "did:plc:000000000000000000000001", 2),
		"cut short":         string(good[:len(good)-40]),
		"too new":           `{"version": 99, "accounts": "whatever"}`,
		"unknown top field": strings.Replace(string(good), `"version": 1,`, `"version": 1, "x": 1,`, 1),
		"empty":             "",
	}
	for name, content := range files {
		t.Run(name, func(t *testing.T) {
			s := newStore(t)
			mustUpdate(t, s, replaceWith(stateWith(1)))
			if err := os.WriteFile(s.Path(), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, loadErr := s.Load()
			a, ok, err := s.LoadAccount(context.Background(), "")
			if loadErr == nil || err == nil || err.Error() != loadErr.Error() || a != nil || ok {
				t.Fatalf("LoadAccount: %v (found %v); Load: %v; want the same error", err, ok, loadErr)
			}
			if got, _ := os.ReadFile(s.Path()); string(got) != content {
				t.Fatal("the file was changed")
			}
		})
	}
}

// TestLoadAccountOwnsItsStrings: the account returned does not point into
// the mapped file, which is gone once LoadAccount returns; replacing the
// file afterwards must not change (or crash on reading) what was returned.
func TestLoadAccountOwnsItsStrings(t *testing.T) {
	s := newStore(t)
	mustUpdate(t, s, replaceWith(stateWith(5)))
	a, ok, err := s.LoadAccount(context.Background(), "")
	if err != nil || !ok {
		t.Fatalf("LoadAccount: %v, %v", ok, err)
	}
	want := *a
	want.DIDDoc = append([]byte(nil), a.DIDDoc...)
	access := strings.Clone(a.AccessJwt)
	mustUpdate(t, s, func(st *State) error {
		st.Accounts[0].AccessJwt = strings.Repeat("x", len(access))
		st.Accounts[0].DIDDoc = []byte(`{"id":"changed"}`)
		return nil
	})
	if a.AccessJwt != access || !reflect.DeepEqual(*a, want) {
		t.Fatal("the returned account changed when the file did")
	}
}

// BenchmarkLoadAccount1000 is what `skyswitch token` reads: one account of
// 1,000 (the last, so every other is checked first).
func BenchmarkLoadAccount1000(b *testing.B) {
	s := seed1000(b)
	last := "user999.bsky.social"
	for b.Loop() {
		a, ok, err := s.LoadAccount(context.Background(), last)
		if err != nil || !ok || a.Handle != last {
			b.Fatal(ok, err)
		}
	}
}
