package ui_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/ui"
)

// x opens a window of 5 s on its row, counted down by the one tick: while
// it is open nothing is sent and the account stays saved and active; when
// it closes the logout is sent.
func TestLogoutWaitsForItsUndoWindow(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	bob := w.login(nil, "bob.test") // active
	d := w.start(ui.Options{Select: "bob.test"})
	d.key("x")
	if l := d.row("bob.test"); !strings.Contains(l, "logout in 5 s") || !strings.Contains(l, "●") {
		t.Fatalf("bob's row at 80 columns: %q", l)
	}
	d.send(tea.WindowSizeMsg{Width: 110, Height: 24})
	if l := d.row("bob.test"); !strings.Contains(l, "logging out in 5 s — u undo") {
		t.Fatalf("bob's row at 110 columns: %q", l)
	}
	for left := 4; left >= 1; left-- {
		d.advance(time.Second, w.clk)
		if l := d.row("bob.test"); !strings.Contains(l, "logging out in "+strconv.Itoa(left)+" s — u undo") {
			t.Fatalf("%d s left, the row: %q", left, l)
		}
		if n := w.srv.Calls(nsidDelete); n != 0 {
			t.Fatalf("%d deleteSession calls while the window is open", n)
		}
		if st := w.load(); st.Active != bob.DID || len(st.Accounts) != 2 {
			t.Fatalf("while the window is open: active %q, %d accounts", st.Active, len(st.Accounts))
		}
	}
	d.advance(time.Second, w.clk)
	if n := w.srv.Calls(nsidDelete); n != 1 {
		t.Fatalf("%d deleteSession calls once the window closed", n)
	}
	d.has("Logged out @bob.test", "1 account")
	d.hasNot("@bob.test ", "u undo")
	if w.srv.RefreshTokenValid(bob.RefreshJwt) {
		t.Error("bob's session still works")
	}
}

// u shuts the window: nothing is sent, ever, and the account stays saved
// and active. The footer offers u only while a window is open.
func TestUndoKeepsTheAccount(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	bob := w.login(nil, "bob.test")
	d := w.start(ui.Options{Select: "bob.test"})
	d.hasNot("u undo log out")
	d.key("x")
	d.has("u undo log out")
	d.advance(2*time.Second, w.clk)
	d.key("u")
	d.has("Kept @bob.test: nothing was sent.")
	d.hasNot("u undo")
	d.advance(10*time.Second, w.clk)
	if n := w.srv.Calls(nsidDelete); n != 0 {
		t.Fatalf("%d deleteSession calls after u", n)
	}
	if st := w.load(); st.Active != bob.DID || len(st.Accounts) != 2 {
		t.Fatalf("after u: active %q, %d accounts", st.Active, len(st.Accounts))
	}
	if l := d.row("bob.test"); !strings.Contains(l, "valid") || !strings.Contains(l, "●") {
		t.Fatalf("bob's row after u: %q", l)
	}
	// A second x opens a new window, of 5 s again.
	d.key("x")
	d.has("logout in 5 s")
}

// Several x on several rows: each has its own window, closing in turn.
func TestEachRowHasItsOwnWindow(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	threeAccounts(w)
	d := w.start(ui.Options{Select: "alice.test"})
	d.key("x")
	d.advance(2*time.Second, w.clk)
	d.key("j")
	d.key("x")
	if a, b := d.row("alice.test"), d.row("bob.test"); !strings.Contains(a, "in 3 s") || !strings.Contains(b, "in 5 s") {
		t.Fatalf("alice %q, bob %q", a, b)
	}
	d.advance(3*time.Second, w.clk)
	d.has("Logged out @alice.test")
	if l := d.row("bob.test"); !strings.Contains(l, "logout in 2 s") {
		t.Fatalf("bob's row when alice's window closed: %q", l)
	}
	if n := w.srv.Calls(nsidDelete); n != 1 {
		t.Fatalf("%d deleteSession calls", n)
	}
	d.advance(2*time.Second, w.clk)
	d.has("Logged out @bob.test")
	if st := w.load(); len(st.Accounts) != 1 || st.Accounts[0].Handle != "carol.test" {
		t.Fatalf("%d accounts left", len(st.Accounts))
	}
}

// u undoes the window on the row under the cursor; on a row without one,
// the window opened last.
func TestUndoOnTheRowElseTheLastOpened(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	threeAccounts(w)
	d := w.start(ui.Options{Select: "alice.test"})
	d.key("x") // alice
	d.key("j")
	d.key("x") // bob, opened last
	d.key("k")
	d.key("u") // on alice's row: alice's
	d.has("Kept @alice.test")
	if l := d.row("bob.test"); !strings.Contains(l, "logout in") {
		t.Fatalf("u on alice's row undid bob's: %q", l)
	}
	d.key("x") // alice again: now opened last
	d.key("j")
	d.key("j") // carol: no window
	d.key("u")
	d.has("Kept @alice.test")
	d.key("u")
	d.has("Kept @bob.test")
	d.key("u") // none open: nothing happens
	d.advance(10*time.Second, w.clk)
	if n := w.srv.Calls(nsidDelete); n != 0 {
		t.Fatalf("%d deleteSession calls", n)
	}
}

// Quitting with a window open leaves the logout owed: the caller (cli's
// exit path) sends it. Nothing is owed once u shut it.
func TestQuitWithAWindowOpenOwesTheLogout(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	threeAccounts(w)
	d := w.start(ui.Options{Select: "bob.test"})
	if owed := ui.LogoutsOwed(ui.Program(d.m)); len(owed) != 0 {
		t.Fatalf("owed before x: %v", owed)
	}
	d.key("x")
	d.key("j")
	d.key("x")
	if !quits(d.m, keyMsg("q")) {
		t.Fatal("q does not quit with a window open")
	}
	if owed, want := ui.LogoutsOwed(ui.Program(d.m)), []string{did("bob.test"), did("carol.test")}; !slices.Equal(owed, want) {
		t.Fatalf("owed %v, want %v", owed, want)
	}
	if n := w.srv.Calls(nsidDelete); n != 0 {
		t.Fatalf("%d deleteSession calls", n)
	}
	d.key("u")
	d.key("u")
	if owed := ui.LogoutsOwed(ui.Program(d.m)); len(owed) != 0 {
		t.Fatalf("owed after u: %v", owed)
	}
}

// A logout sent (the window closed) but not answered is owed too: its
// command may not have reached the Manager before the process settles.
func TestQuitWithALogoutUnansweredOwesIt(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	threeAccounts(w)
	d := w.start(ui.Options{Select: "bob.test"})
	d.key("x")
	w.clk.Advance(ui.UndoWindow)
	held := d.pending(ui.Tick(time.Now()))
	if !slices.ContainsFunc(held, func(c tea.Cmd) bool { return strings.Contains(cmdName(c), "logoutCmd") }) {
		t.Fatal("the tick sent no logout")
	}
	if owed := ui.LogoutsOwed(ui.Program(d.m)); !slices.Equal(owed, []string{did("bob.test")}) {
		t.Fatalf("owed %v", owed)
	}
}

// A window on an account logged out elsewhere meanwhile shuts with
// nothing sent: logged in again, the new session is not revoked.
func TestWindowOnAnAccountLoggedOutElsewhereSendsNothing(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	w.login(nil, "bob.test")
	d := w.start(ui.Options{Select: "bob.test"})
	d.key("x")
	other := w.manager()
	if _, err := other.Logout(context.Background(), "bob.test"); err != nil {
		t.Fatal(err)
	}
	d.tick() // the reload drops bob's row
	d.hasNot("@bob.test ", "u undo")
	again, err := other.Login(context.Background(), auth.LoginInput{Service: w.srv.URL(), Identifier: "bob.test", Password: password})
	if err != nil {
		t.Fatal(err)
	}
	d.tick()
	d.has("@bob.test ")
	d.advance(ui.UndoWindow, w.clk)
	d.hasNot("u undo", "Logged out", "Could not log out")
	if !w.srv.RefreshTokenValid(again.RefreshJwt) {
		t.Fatal("the new session was revoked")
	}
	if n := w.srv.Calls(nsidDelete); n != 1 {
		t.Fatalf("%d deleteSession calls, want the other process's 1", n)
	}
}
