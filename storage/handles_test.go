package storage

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// claimed is three() after c's server renamed c to b's handle (in another
// case), and a's handle was checked and found false.
func claimed() *State {
	st := three()
	c, _ := st.Account("did:plc:c")
	c.Handle = "B.bsky.social"
	a, _ := st.Account("did:plc:a")
	a.HandleCheck = HandleCheck{Handle: "a.bsky.social", Status: HandleUnverified, Names: "did:plc:zzz", At: t0}
	return st
}

// TestChooseNeverPicksByAClaimedHandle: a handle two accounts claim, or an
// unverified one, chooses nothing and says why (listing the DIDs); a DID
// always chooses; a unique handle that is unchecked or verified chooses.
func TestChooseNeverPicksByAClaimedHandle(t *testing.T) {
	st := claimed()
	tests := []struct {
		ident, want string // want: the DID chosen, or the error's words
		err         bool
	}{
		{"b.bsky.social", "names 2 saved accounts (did:plc:b, did:plc:c)", true},
		{"@B.BSKY.SOCIAL", "names 2 saved accounts (did:plc:b, did:plc:c)", true},
		{"did:plc:b", "did:plc:b", false},
		{"did:plc:c", "did:plc:c", false},
		{"a.bsky.social", "not verified for did:plc:a (the handle resolves to did:plc:zzz)", true},
		{"@did:plc:a", "did:plc:a", false},
		{"nobody.bsky.social", "", false},
	}
	for _, tt := range tests {
		a, ok, err := st.Choose(tt.ident)
		if tt.err {
			var he *HandleError
			if !errors.As(err, &he) || !errors.Is(err, ErrHandleChoice) || !strings.Contains(err.Error(), tt.want) || ok || a != nil {
				t.Errorf("Choose(%q) = %v, %v, %v; want a HandleError saying %q", tt.ident, a, ok, err, tt.want)
			}
			if _, found := st.Find(tt.ident); found {
				t.Errorf("Find(%q) found an account Choose refuses", tt.ident)
			}
			continue
		}
		got := ""
		if ok {
			got = a.DID
		}
		if err != nil || got != tt.want {
			t.Errorf("Choose(%q) = %q, %v; want %q", tt.ident, got, err, tt.want)
		}
	}
	// Checked under its old handle, a renamed account is unchecked again.
	a, _ := st.Account("did:plc:a")
	a.Handle = "a2.bsky.social"
	if got, _, err := st.Choose("a2.bsky.social"); err != nil || got.DID != "did:plc:a" {
		t.Errorf("a check of the old handle still applies: %v", err)
	}
}

// TestLoadAccountRefusesAClaimedHandle: token's fast path refuses what
// Choose refuses, with the same words, and still finds by DID.
func TestLoadAccountRefusesAClaimedHandle(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustUpdate(t, s, replaceWith(claimed()))
	all, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, ident := range []string{"b.bsky.social", "@a.bsky.social", "did:plc:c", "did:plc:a", "", "c.bsky.social"} {
		a, ok, err := s.LoadAccount(ctx, ident)
		want, wantOK, wantErr := all.Choose(ident)
		if ident == "" {
			want, wantOK, wantErr = all.Choose(all.Active)
		}
		if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() || ok != wantOK {
			t.Errorf("LoadAccount(%q) = %v, %v; Choose gives %v, %v", ident, ok, err, wantOK, wantErr)
			continue
		}
		if ok && a.DID != want.DID {
			t.Errorf("LoadAccount(%q) = %s, want %s", ident, a.DID, want.DID)
		}
	}
}

// TestSetHandleCheck: an outcome applies to the handle it was made for; an
// unchecked one never clears an answered one; a check of a renamed account
// is dropped.
func TestSetHandleCheck(t *testing.T) {
	st := three()
	at := t0.Add(time.Hour)
	if !st.SetHandleCheck("did:plc:a", HandleCheck{Handle: "A.bsky.social", Status: HandleUnverified, Names: "x.test", At: at}) {
		t.Fatal("first check not stored")
	}
	a, _ := st.Account("did:plc:a")
	if s, names := a.HandleStatus(); s != HandleUnverified || names != "x.test" || a.HandleCheck.Handle != "a.bsky.social" {
		t.Fatalf("stored %+v", a.HandleCheck)
	}
	if st.SetHandleCheck("did:plc:a", HandleCheck{Handle: "a.bsky.social", Status: HandleUnchecked, At: at.Add(time.Hour)}) {
		t.Error("an unchecked outcome replaced an unverified one")
	}
	if st.SetHandleCheck("did:plc:a", HandleCheck{Handle: "old.bsky.social", Status: HandleVerified, At: at}) {
		t.Error("a check of another handle was stored")
	}
	if st.SetHandleCheck("did:plc:nobody", HandleCheck{Handle: "a.bsky.social", Status: HandleVerified, At: at}) {
		t.Error("a check of a removed account was stored")
	}
	if !st.SetHandleCheck("did:plc:a", HandleCheck{Handle: "a.bsky.social", Status: HandleVerified, At: at}) {
		t.Error("a verified outcome did not replace an unverified one")
	}
	// A new login of the account keeps what was learnt of its handle.
	fresh := *a
	fresh.HandleCheck = HandleCheck{}
	st.Upsert(fresh)
	if s, _ := a.HandleStatus(); s != HandleVerified {
		t.Errorf("Upsert dropped the check: %+v", a.HandleCheck)
	}
}

// TestHandleCheckFormatVersion: a file holding a check is written as
// version 3 (older builds refuse it as too new, never drop the mark);
// one without stays at its version; a version 2 file holding one, or one
// with an unknown status, is corrupt.
func TestHandleCheckFormatVersion(t *testing.T) {
	s := newStore(t)
	mustUpdate(t, s, replaceWith(three()))
	data, _ := os.ReadFile(s.Path())
	if !strings.Contains(string(data), `"version": 1`) || strings.Contains(string(data), "handleCheck") {
		t.Fatalf("a file with no check is not version 1 as before:\n%.200s", data)
	}
	mustUpdate(t, s, func(st *State) error {
		st.SetHandleCheck("did:plc:b", HandleCheck{Handle: "b.bsky.social", Status: HandleVerified, At: t0})
		return nil
	})
	data, _ = os.ReadFile(s.Path())
	if !strings.Contains(string(data), `"version": 3`) || !strings.Contains(string(data), `"handleCheck": {`) {
		t.Fatalf("a file with a check is not version 3:\n%s", data)
	}
	st, err := s.Load()
	if b, _ := st.Account("did:plc:b"); err != nil || b.HandleCheck.Status != HandleVerified {
		t.Fatalf("check not read back: %v", err)
	}
	for name, bad := range map[string]string{
		"version 2":      strings.Replace(string(data), `"version": 3`, `"version": 2`, 1),
		"unknown status": strings.Replace(string(data), `"status": "verified"`, `"status": "trusted"`, 1),
		"no handle":      strings.Replace(string(data), `"handle": "b.bsky.social",`+"\n"+`        "status"`, `"handle": "",`+"\n"+`        "status"`, 1),
	} {
		if bad == string(data) {
			t.Fatalf("%s: the replacement did not apply", name)
		}
		if _, err := decode(name, []byte(bad)); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want corrupt", name, err)
		}
		if _, _, _, err := decodeOne(name, []byte(bad), "did:plc:a"); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: decodeOne err = %v, want corrupt", name, err)
		}
	}
}

// BenchmarkLoadAccount1000Checked is BenchmarkLoadAccount1000 on a file
// whose every account holds a handle check, as after a day of use with
// real handles: what token pays for them.
func BenchmarkLoadAccount1000Checked(b *testing.B) {
	s := newStore(b)
	st := stateWith(1000)
	for i := range st.Accounts {
		a := &st.Accounts[i]
		a.HandleCheck = HandleCheck{Handle: a.Handle, Status: HandleVerified, At: t0}
	}
	mustUpdate(b, s, replaceWith(st))
	first := st.Accounts[0].Handle
	for b.Loop() {
		a, ok, err := s.LoadAccount(context.Background(), first)
		if err != nil || !ok || a.Handle != first {
			b.Fatal(ok, err)
		}
	}
}
