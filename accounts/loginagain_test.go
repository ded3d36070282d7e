package accounts_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

// loginAgain logs in again to a, by ident.
func (f *fixture) loginAgain(a storage.Account, ident string) (storage.Account, error) {
	return f.m.LoginAgain(ctx, a.DID, auth.LoginInput{Service: f.srv.URL(), Identifier: ident, Password: password})
}

func (f *fixture) state(t *testing.T) *storage.State {
	t.Helper()
	st, err := f.m.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// Logging in again to a saved account that is not the active one renews
// its session and nothing else: the active identity, the previous one, the
// order of the saved accounts and the account's AddedAt and LastUsedAt
// stay as they were.
func TestLoginAgainKeepsTheActiveIdentityAndThePlace(t *testing.T) {
	f := setup(t, fakepds.Options{})
	bob := f.login(t, "bob.test")
	f.clk.Advance(time.Hour)
	alice := f.login(t, "alice.test")
	before := f.state(t)
	f.clk.Advance(time.Hour)

	again, err := f.loginAgain(bob, "bob.test")
	if err != nil {
		t.Fatal(err)
	}
	st := f.state(t)
	if st.Active != alice.DID || st.Previous != before.Previous {
		t.Errorf("active %s, previous %s; want %s and %s as before", st.Active, st.Previous, alice.DID, before.Previous)
	}
	if len(st.Accounts) != 2 || st.Accounts[0].DID != bob.DID || st.Accounts[1].DID != alice.DID {
		t.Fatalf("the saved accounts moved: %v", dids(st))
	}
	got := st.Accounts[0]
	if !got.AddedAt.Equal(bob.AddedAt) || !got.LastUsedAt.Equal(bob.LastUsedAt) {
		t.Errorf("added %v, last used %v; want %v and %v as before", got.AddedAt, got.LastUsedAt, bob.AddedAt, bob.LastUsedAt)
	}
	if got.RefreshJwt != again.RefreshJwt || !f.srv.RefreshTokenValid(again.RefreshJwt) {
		t.Error("the new session is not the saved one, or does not work")
	}
	if f.srv.RefreshTokenValid(bob.RefreshJwt) {
		t.Error("the replaced session still works on the server")
	}
}

// The account logged in again becomes active only when nobody was: an
// active one stays active (and counts as used), and with no active
// identity the login makes it the one, as a first login does.
func TestLoginAgainActivatesOnlyWhenItWasOrNoneWas(t *testing.T) {
	f := setup(t, fakepds.Options{})
	f.login(t, "alice.test")
	bob := f.login(t, "bob.test") // active
	f.clk.Advance(time.Hour)
	if _, err := f.loginAgain(bob, "bob.test"); err != nil {
		t.Fatal(err)
	}
	st := f.state(t)
	if a, _ := st.Account(bob.DID); st.Active != bob.DID || !a.LastUsedAt.Equal(f.clk.Now().UTC()) {
		t.Errorf("active %s, bob last used %v; want bob, now", st.Active, a.LastUsedAt)
	}

	if err := f.m.Store.Update(func(st *storage.State) error { return st.SetActive("") }); err != nil {
		t.Fatal(err)
	}
	if _, err := f.loginAgain(bob, bob.DID); err != nil { // by DID, too
		t.Fatal(err)
	}
	if st := f.state(t); st.Active != bob.DID {
		t.Errorf("with no active identity, the login again left %q active, want bob", st.Active)
	}
}

// A login again that signs in to another account (another handle typed
// into the form) saves nothing, changes no identity, and revokes the
// session it made.
func TestLoginAgainRefusesAnotherAccount(t *testing.T) {
	f := setup(t, fakepds.Options{})
	bob := f.login(t, "bob.test")
	alice := f.login(t, "alice.test")
	before := f.state(t)

	_, err := f.loginAgain(bob, "alice.test")
	if !errors.Is(err, accounts.ErrOtherAccount) {
		t.Fatalf("err = %v, want ErrOtherAccount", err)
	}
	for _, want := range []string{"@alice.test", alice.DID, "@bob.test", bob.DID, "revoked"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q: %v", want, err)
		}
	}
	if n := f.srv.ActiveSessions(alice.DID); n != 1 {
		t.Errorf("alice has %d live sessions on the server, want 1 (the saved one)", n)
	}
	st := f.state(t)
	if st.Active != before.Active || len(st.Accounts) != 2 || st.Accounts[1].RefreshJwt != alice.RefreshJwt || st.Accounts[0].RefreshJwt != bob.RefreshJwt {
		t.Errorf("the refused login changed the file: active %s, accounts %v", st.Active, dids(st))
	}
}

// A plain Login still makes the account active, saved or not: the command
// line's login (as gh's) means "act as this one now".
func TestLoginOfASavedAccountMakesItActive(t *testing.T) {
	f := setup(t, fakepds.Options{})
	bob := f.login(t, "bob.test")
	f.login(t, "alice.test")
	f.login(t, "bob.test")
	st := f.state(t)
	if st.Active != bob.DID || st.Accounts[0].DID != bob.DID {
		t.Errorf("active %s, accounts %v; want bob active, first as saved", st.Active, dids(st))
	}
}

func dids(st *storage.State) []string {
	var out []string
	for _, a := range st.Accounts {
		out = append(out, a.Handle+" "+a.DID)
	}
	return out
}
