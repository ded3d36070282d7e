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

// twoServers is alice.test on one fake server and bob.test on another,
// both logged in to one manager (bob active).
func twoServers(t *testing.T) (f *fixture, bobSrv *fakepds.Server, alice, bob storage.Account) {
	f = setup(t, fakepds.Options{Grace: fakepds.NoGrace})
	bobSrv = fakepds.New(fakepds.Options{Now: f.clk.Now, Grace: fakepds.NoGrace})
	t.Cleanup(bobSrv.Close)
	bobSrv.AddAccount(fakepds.Account{Handle: "bob.test", Password: password})
	alice = f.login(t, "alice.test")
	var err error
	bob, err = f.m.Login(ctx, auth.LoginInput{Service: bobSrv.URL(), Identifier: "bob.test", Password: password})
	if err != nil {
		t.Fatal(err)
	}
	f.m.Warnings()
	return f, bobSrv, alice, bob
}

// TestAServerTakingAnotherAccountsHandle: bob's server answers a refresh
// with alice's handle. The rename is noted, naming alice's DID; the handle
// then chooses neither account (token, call, switch, logout), with an
// error listing both DIDs and nothing sent to either server; DIDs still
// choose.
func TestAServerTakingAnotherAccountsHandle(t *testing.T) {
	f, bobSrv, alice, bob := twoServers(t)
	bobSrv.SetSessionHandle(bob.DID, "alice.test")
	if _, err := f.m.Refresh(ctx, bob.DID); err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(f.m.Warnings(), "\n")
	for _, want := range []string{"@bob.test", "@alice.test", alice.DID, "choose by DID"} {
		if !strings.Contains(notes, want) {
			t.Errorf("the note does not say %q:\n%s", want, notes)
		}
	}
	sent := func() (n int) {
		for _, s := range []*fakepds.Server{f.srv, bobSrv} {
			for _, e := range []string{"com.atproto.server.getSession", "com.atproto.server.refreshSession", "com.atproto.server.deleteSession"} {
				n += s.Calls(e)
			}
		}
		return n
	}
	before := sent()
	checkRefused := func(what string, err error) {
		t.Helper()
		var he *storage.HandleError
		if !errors.As(err, &he) || !strings.Contains(err.Error(), alice.DID) || !strings.Contains(err.Error(), bob.DID) {
			t.Errorf("%s by handle: %v; want a HandleError naming both DIDs", what, err)
		}
	}
	_, err := f.m.Token(ctx, "@alice.test", time.Minute)
	checkRefused("token", err)
	_, _, err = f.m.Call(ctx, "alice.test", auth.RawRequest{Method: "GET", NSID: "com.atproto.server.getSession"})
	checkRefused("call", err)
	_, err = f.m.Switch(ctx, "ALICE.test")
	checkRefused("switch", err)
	_, err = f.m.Logout(ctx, "alice.test")
	checkRefused("logout", err)
	if after := sent(); after != before {
		t.Errorf("%d requests went to a server for a refused handle", after-before)
	}
	for _, a := range []storage.Account{alice, bob} {
		if got, err := f.m.Token(ctx, a.DID, time.Minute); err != nil || got.DID != a.DID {
			t.Errorf("token by DID %s: %v, %v", a.DID, got.DID, err)
		}
	}
	st, _ := f.m.Load(ctx)
	if st.Active != bob.DID {
		t.Errorf("a refused switch changed the active account to %s", st.Active)
	}
}

// TestLoginOfAClaimedHandleIsNoted: logging in to an account whose handle
// another saved account has is said, naming the other's DID.
func TestLoginOfAClaimedHandleIsNoted(t *testing.T) {
	f, bobSrv, alice, _ := twoServers(t)
	mallory := bobSrv.AddAccount(fakepds.Account{Handle: "mallory.test", Password: password})
	bobSrv.SetSessionHandle(mallory.DID, "alice.test")
	if _, err := f.m.Login(ctx, auth.LoginInput{Service: bobSrv.URL(), Identifier: "mallory.test", Password: password}); err != nil {
		t.Fatal(err)
	}
	if notes := strings.Join(f.m.Warnings(), "\n"); !strings.Contains(notes, alice.DID) || !strings.Contains(notes, "@alice.test") {
		t.Errorf("no note of the claimed handle: %q", notes)
	}
}

// TestVerifyHandlesStoresWhatTheLookupsSaid: verified, unverified (noted,
// and never choosing), unchecked (chooses); a handle checked at login.
func TestVerifyHandlesStoresWhatTheLookupsSaid(t *testing.T) {
	f, _, alice, bob := twoServers(t)
	r := fakepds.NewIdentities()
	f.m.Handles = r
	r.Set("alice.test", alice.DID, "alice.test")
	r.Set("bob.test", "did:plc:someoneelse", "bob.test")
	if changed, err := f.m.VerifyHandles(ctx, false); err != nil || !changed {
		t.Fatalf("VerifyHandles: %v, %v", changed, err)
	}
	st, _ := f.m.Load(ctx)
	a, _ := st.Account(alice.DID)
	b, _ := st.Account(bob.DID)
	if s, _ := a.HandleStatus(); s != storage.HandleVerified {
		t.Errorf("alice: %s", s)
	}
	if s, names := b.HandleStatus(); s != storage.HandleUnverified || names != "did:plc:someoneelse" {
		t.Errorf("bob: %s %s", s, names)
	}
	if notes := strings.Join(f.m.Warnings(), "\n"); !strings.Contains(notes, "@bob.test is not verified") || strings.Contains(notes, "alice") {
		t.Errorf("notes: %q", notes)
	}
	if _, err := f.m.Token(ctx, "bob.test", time.Minute); !errors.Is(err, storage.ErrHandleChoice) {
		t.Errorf("an unverified handle chose: %v", err)
	}
	if _, err := f.m.Token(ctx, "alice.test", time.Minute); err != nil {
		t.Errorf("a verified handle did not choose: %v", err)
	}
	// Logging in checks at once; failed lookups leave it unchecked, and
	// the handle, unique, still chooses.
	n := r.Calls()
	f.clk.Advance(time.Minute)
	carol := f.srv.AddAccount(fakepds.Account{Handle: "carol.test", Password: password})
	f.login(t, "carol.test")
	st, _ = f.m.Load(ctx)
	c, _ := st.Account(carol.DID)
	if s, _ := c.HandleStatus(); r.Calls() == n || s != storage.HandleUnchecked || c.HandleCheck.At.IsZero() {
		t.Errorf("login made %d lookups and stored %+v", r.Calls()-n, c.HandleCheck)
	}
	if _, err := f.m.Token(ctx, "carol.test", time.Minute); err != nil {
		t.Errorf("an unchecked unique handle did not choose: %v", err)
	}
}

// TestHandleCheckTimeLimit: an answered outcome stands for
// HandleCheckMaxAge and an unchecked one for HandleRetryAfter, by the
// manager's clock; force checks at once; a renamed account is due.
func TestHandleCheckTimeLimit(t *testing.T) {
	f, _, alice, bob := twoServers(t)
	r := fakepds.NewIdentities()
	f.m.Handles = r
	r.Set("alice.test", alice.DID, "alice.test") // bob's lookups fail
	verify := func(force bool) int {
		t.Helper()
		n := r.Calls()
		if _, err := f.m.VerifyHandles(ctx, force); err != nil {
			t.Fatal(err)
		}
		return r.Calls() - n
	}
	if n := verify(false); n != 4 {
		t.Fatalf("first check made %d lookups, want 2 for each account", n)
	}
	if n := verify(false); n != 0 {
		t.Errorf("checked again at once: %d lookups", n)
	}
	f.clk.Advance(accounts.HandleRetryAfter)
	if n := verify(false); n != 2 {
		t.Errorf("after HandleRetryAfter, %d lookups; want bob's 2 only", n)
	}
	f.clk.Advance(accounts.HandleCheckMaxAge - accounts.HandleRetryAfter)
	if n := verify(false); n != 4 {
		t.Errorf("after HandleCheckMaxAge, %d lookups; want 4", n)
	}
	if n := verify(true); n != 4 {
		t.Errorf("forced: %d lookups; want 4", n)
	}
	st, _ := f.m.Load(ctx)
	a, _ := st.Account(alice.DID)
	if accounts.HandleCheckDue(a, f.clk.Now()) {
		t.Error("due right after a check")
	}
	a.Handle = "alice2.test"
	if !accounts.HandleCheckDue(a, f.clk.Now()) {
		t.Error("a renamed account is not due")
	}
	_ = bob
}

// TestTokenNeverLooksAHandleUp: token, call and refresh read the last
// outcome from the file, even when every check is due.
func TestTokenNeverLooksAHandleUp(t *testing.T) {
	f, _, alice, _ := twoServers(t)
	r := fakepds.NewIdentities()
	r.OnLookup = func(what string) { t.Errorf("a handle lookup was made: %s", what) }
	f.m.Handles = r
	f.clk.Advance(3 * time.Hour) // access tokens expired: token refreshes
	if _, err := f.m.Token(ctx, "alice.test", time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.m.Call(ctx, "bob.test", auth.RawRequest{Method: "GET", NSID: "com.atproto.server.getSession"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.m.Refresh(ctx, alice.DID); err != nil {
		t.Fatal(err)
	}
	if r.Calls() != 0 {
		t.Errorf("%d lookups", r.Calls())
	}
}
