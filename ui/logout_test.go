package ui_test

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/ui"
)

// Logging out the active account leaves no account active (a script run
// next fails instead of acting as someone else), and the note says so; ●
// moves to no row.
func TestLogoutOfTheActiveAccountLeavesNoneActive(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	bob := w.login(nil, "bob.test") // active; alice is the previous one
	d := w.start(ui.Options{Select: "bob.test"})
	d.logOut()
	d.has("Logged out @bob.test: session revoked on the server. Its access token stays valid until 17:00.",
		"No account is active now: enter on a row makes it active.", "1 account")
	d.hasNot("@bob.test ")
	if w.srv.RefreshTokenValid(bob.RefreshJwt) {
		t.Error("bob's refresh token still works")
	}
	if n := w.srv.ActiveSessions(did("bob.test")); n != 0 {
		t.Errorf("%d sessions of bob left on the server", n)
	}
	st := w.load()
	if st.Active != "" || len(st.Accounts) != 1 || len(st.PendingLogouts) != 0 {
		t.Fatalf("active %q, %d accounts, %d pending", st.Active, len(st.Accounts), len(st.PendingLogouts))
	}
	if l := d.row("alice.test"); strings.Contains(l, "●") {
		t.Errorf("alice shown active: %q", l)
	}
}

// Logging out an account that is not the active one says nothing about
// the active one, which stays.
func TestLogoutOfAnInactiveAccountKeepsTheActiveOne(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	w.login(nil, "bob.test") // active
	d := w.start(ui.Options{Select: "alice.test"})
	d.logOut()
	d.has("Logged out @alice.test", "1 account")
	d.hasNot("No account is active", "is the active account now")
	if st := w.load(); st.Active != did("bob.test") {
		t.Fatalf("active %q", st.Active)
	}
	if l := d.row("bob.test"); !strings.Contains(l, "●") {
		t.Errorf("bob not shown active: %q", l)
	}
}

func TestLogoutUnreachableIsPending(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	bob := w.login(nil, "bob.test")
	d := w.start(ui.Options{Select: "bob.test"})
	w.srv.Inject(nsidDelete, fakepds.Fault{Kind: fakepds.FaultStatus, Status: 502})
	d.logOut()
	d.has("@bob.test removed; its server could not be reached, the logout is pending and will be retried.",
		"Its access token stays valid until 17:00.", "No account is active now")
	if l := d.row("bob.test"); !strings.Contains(l, "logout pending") {
		t.Fatalf("bob's row: %q", l)
	}
	st := w.load()
	if st.Active != "" || len(st.Accounts) != 1 || len(st.PendingLogouts) != 1 {
		t.Fatalf("active %s, %d accounts, %d pending", st.Active, len(st.Accounts), len(st.PendingLogouts))
	}
	// The server comes back; the retry (every 30 s, with the queue's own
	// backoff) revokes the session and the row goes.
	w.srv.ClearFaults()
	for i := 0; w.srv.RefreshTokenValid(bob.RefreshJwt); i++ {
		if i > 20 {
			t.Fatal("the pending logout was never retried")
		}
		d.advance(30*time.Second, w.clk)
	}
	d.has("Revoked 1 session(s) whose logout was pending.")
	d.hasNot("logout pending", "@bob.test")
	if st := w.load(); len(st.PendingLogouts) != 0 {
		t.Fatal("still queued")
	}
}

// A refresh that was running when the account was logged out (and logged
// in again) must not touch the new session's row: its result is dropped.
func TestStaleRefreshAfterLogoutIsDropped(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	w.login(nil, "bob.test")
	d := w.start(ui.Options{Select: "alice.test"})
	held := d.pending(keyMsg("r")) // alice's refresh starts...
	var refresh []func()
	for _, c := range held {
		if strings.Contains(cmdName(c), "refreshCmd") {
			refresh = append(refresh, func() { d.deliver(c) })
		}
	}
	if len(refresh) != 1 {
		t.Fatalf("%d refreshes", len(refresh))
	}
	d.has("refreshing")
	d.logOut() // ...and alice is logged out meanwhile
	d.has("Logged out @alice.test")
	// Logged in again (by another process), then the old refresh ends,
	// failing.
	if _, err := w.manager().Login(context.Background(), auth.LoginInput{Service: w.srv.URL(), Identifier: "alice.test", Password: password}); err != nil {
		t.Fatal(err)
	}
	d.tick()
	d.has("@alice.test")
	w.srv.Inject(nsidRefresh, fakepds.Fault{Kind: fakepds.FaultStatus, Status: 503, Times: 1})
	refresh[0]()
	if n := w.srv.Calls(nsidRefresh); n != 1 {
		t.Fatalf("%d refreshes", n)
	}
	d.hasNot("refresh failed", "retry", "refreshing")
}

func TestOtherProcessChangesAppearOnTick(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	d := w.start(ui.Options{})
	d.has("1 account")
	other := w.manager()
	w.add(nil, "bob.test", false)
	if _, err := other.Login(context.Background(), auth.LoginInput{Service: w.srv.URL(), Identifier: "bob.test", Password: password}); err != nil {
		t.Fatal(err)
	}
	d.hasNot("@bob.test") // not before the tick
	d.tick()
	d.has("2 accounts", "@bob.test")
	if l := d.row("bob.test"); !strings.Contains(l, "●") {
		t.Errorf("bob (made active by the other process): %q", l)
	}
	if _, err := other.Logout(context.Background(), "alice.test"); err != nil {
		t.Fatal(err)
	}
	d.tick()
	d.has("1 account")
	d.hasNot("@alice.test")
	// Nothing changed: no reload.
	gets := w.srv.Calls(nsidGet)
	d.tick()
	if w.srv.Calls(nsidGet) != gets {
		t.Error("a tick called the server")
	}
}

// The row goes when the logout's result arrives, not a reload later: the
// screen never says "Logged out" beside the account it logged out.
func TestLogoutShowsAtOnceBeforeTheReload(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	w.login(nil, "bob.test")
	d := w.start(ui.Options{Select: "bob.test"})
	d.key("x")
	w.clk.Advance(ui.UndoWindow)
	var result tea.Msg
	for _, c := range d.pending(ui.Tick(time.Now())) { // the window closes
		if strings.Contains(cmdName(c), "logoutCmd") {
			result = c()
		}
	}
	if result == nil {
		t.Fatal("x started no logout")
	}
	reload := d.pending(result) // the result, with the reload held back
	if len(reload) == 0 {
		t.Fatal("no reload after the logout")
	}
	d.has("Logged out @bob.test", "No account is active now", "1 account")
	d.hasNot("@bob.test ")
	if l := d.row("alice.test"); strings.Contains(l, "●") {
		t.Errorf("alice shown active before the reload: %q", l)
	}
}
