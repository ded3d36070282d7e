package cli

// Tests of handles as claims: a server renaming its account to another
// saved account's handle, and handles checked both ways, run as command
// functions against two fake servers.

import (
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// aliceAndBob logs in alice.test (on e's server) and bob.test (on a second
// server, which it returns); bob is active.
func aliceAndBob(e *cliEnv) (bobSrv *fakepds.Server, alice, bob fakepds.Account) {
	alice = e.addAccount("alice.test")
	e.login("alice.test")
	bobSrv = fakepds.New(fakepds.Options{Now: e.clock.Now, Grace: fakepds.NoGrace})
	e.t.Cleanup(bobSrv.Close)
	bob = bobSrv.AddAccount(fakepds.Account{Handle: "bob.test", Password: testPassword})
	r := e.run(testPassword+"\n", "login", "--service", bobSrv.URL(), "--identifier", "bob.test", "--password-stdin")
	wantCode(e.t, r, exitOK)
	return bobSrv, alice, bob
}

// TestCLIAServerTakingAnotherAccountsHandle: bob's server answers a
// refresh with alice's handle. The refresh says so on stderr; list marks
// both accounts (text and JSON) and names both DIDs; every way of choosing
// by that handle (api, token, switch, exec, SKYSWITCH_ACCOUNT, the
// switcher's override) is a usage error naming both DIDs, with no request
// sent; the DIDs still choose.
func TestCLIAServerTakingAnotherAccountsHandle(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{Grace: fakepds.NoGrace})
	bobSrv, alice, bob := aliceAndBob(e)
	bobSrv.SetSessionHandle(bob.DID, "alice.test")
	r := e.run("", "refresh", bob.DID)
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stderr, "skyswitch: note: @bob.test ("+bob.DID+") is now called @alice.test") || !strings.Contains(r.stderr, alice.DID) {
		t.Errorf("the rename is not said:\n%s", r)
	}

	r = e.run("", "list")
	wantCode(t, r, exitOK)
	if n := strings.Count(r.stdout, "@alice.test (shared)"); n != 2 {
		t.Errorf("list marks %d accounts, want 2:\n%s", n, r)
	}
	if !strings.Contains(r.stderr, "names 2 saved accounts ("+alice.DID+", "+bob.DID+")") {
		t.Errorf("list does not say which accounts share the handle:\n%s", r)
	}
	for _, s := range e.listJSON() {
		if with, _ := s["handleSharedWith"].([]any); len(with) != 1 || with[0] == s["did"] {
			t.Errorf("list --json: %v has handleSharedWith %v", s["did"], s["handleSharedWith"])
		}
	}
	r = e.run("", "list", "--handles")
	if r.stdout != bob.DID+"\n"+alice.DID+"\n" {
		t.Errorf("completion offers %q, want the two DIDs", r.stdout)
	}

	sent := e.guard.requests()
	pinned := map[string]string{envAccount: "@alice.test"}
	for _, c := range []struct {
		env  map[string]string
		args []string
	}{
		{nil, []string{"api", "--account", "@alice.test", nsidGetSession}},
		{nil, []string{"--account", "alice.test", "api", nsidGetSession}},
		{nil, []string{"token", "alice.test"}},
		{nil, []string{"switch", "alice.test"}},
		{nil, []string{"exec", "--account", "alice.test", "--", "true"}},
		{nil, []string{"status", "ALICE.test"}},
		{nil, []string{"env", "alice.test"}},
		{nil, []string{"refresh", "alice.test"}},
		{nil, []string{"logout", "alice.test"}},
		{pinned, []string{"token"}},
		{pinned, []string{"api", nsidGetSession}},
	} {
		r := e.runEnv(c.env, c.args...)
		wantError(t, r, exitUsage, alice.DID, bob.DID, "by its DID")
		if c.env != nil && !strings.Contains(r.stderr, envAccount+":") {
			t.Errorf("the error does not say %s chose it:\n%s", envAccount, r)
		}
	}
	if n := e.guard.requests() - sent; n != 0 {
		t.Errorf("%d requests sent for a handle that chooses nothing", n)
	}
	st := e.state()
	if st.Active != bob.DID {
		t.Errorf("the active account changed to %s", st.Active)
	}
	sw := &invocation{app: &App{Getenv: func(k string) string { return pinned[k] }}}
	if _, err := sw.tuiOptions(st); exitCode(err) != exitUsage || !strings.Contains(err.Error(), bob.DID) {
		t.Errorf("the switcher took the pinned handle: %v", err)
	}

	r = e.run("", "api", "--account", alice.DID, nsidGetSession)
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, alice.DID) {
		t.Errorf("api by DID answered for another account:\n%s", r)
	}
	wantCode(t, e.run("", "switch", alice.DID), exitOK)
	r = e.run("", "status", bob.DID)
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "also claimed by "+alice.DID) {
		t.Errorf("status does not say who else claims the handle:\n%s", r)
	}
}

// TestCLIHandleCheckedBothWays: status checks a handle never checked,
// refresh checks every handle, with the stand-in resolver; one that resolves to another DID is said, marked in
// list, and chooses nothing; status shows what was found; token makes no
// lookup.
func TestCLIHandleCheckedBothWays(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	_, alice, bob := aliceAndBob(e)
	handles := fakepds.NewIdentities()
	handles.Set("alice.test", alice.DID, "alice.test")
	handles.SetHandle("bob.test", "did:plc:someoneelse")
	handles.SetDocument(bob.DID, "bob.test")
	e.handles = handles
	r := e.run("", "status", "alice.test")
	if !strings.Contains(r.stdout, "verified both ways (checked just now)") {
		t.Errorf("status did not check a handle never checked:\n%s", r)
	}
	r = e.run("", "refresh", "--all")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stderr, "skyswitch: note: @bob.test is not verified for "+bob.DID+" (the handle resolves to did:plc:someoneelse)") {
		t.Errorf("the unverified handle is not said:\n%s", r)
	}
	r = e.run("", "list")
	if !strings.Contains(r.stdout, "@bob.test (unverified)") || strings.Contains(r.stdout, "@alice.test (") {
		t.Errorf("list marks:\n%s", r)
	}
	forbid := fakepds.NewIdentities() // token, env, api and exec read the file only
	forbid.OnLookup = func(what string) { t.Errorf("a lookup was made for %s", what) }
	e.handles = forbid
	e.clock.Set(e.clock.Now().Add(25 * time.Hour)) // every outcome due, every token expired
	wantError(t, e.run("", "token", "bob.test"), exitUsage, bob.DID, "did:plc:someoneelse")
	wantCode(t, e.run("", "token", "alice.test"), exitOK)
	wantCode(t, e.run("", "env", "alice.test"), exitOK)
	wantCode(t, e.run("", "api", "--account", "alice.test", nsidGetSession), exitOK)
	wantCode(t, e.run("", "exec", "--account", bob.DID, "--", "true"), exitOK)
	e.clock.Set(e.clock.Now().Add(-25 * time.Hour))
	e.handles = nil
	r = e.run("", "status", bob.DID)
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "Handle:        unverified: it resolves to did:plc:someoneelse") {
		t.Errorf("status:\n%s", r)
	}
	r = e.run("", "status", alice.DID)
	if !strings.Contains(r.stdout, "verified both ways (checked just now)") {
		t.Errorf("status:\n%s", r)
	}
	for _, s := range e.listJSON() {
		want := map[string]string{alice.DID: "verified", bob.DID: "unverified"}[s["did"].(string)]
		if s["handleStatus"] != want {
			t.Errorf("list --json: %v handleStatus %v, want %s", s["did"], s["handleStatus"], want)
		}
	}
}
