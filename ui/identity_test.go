package ui_test

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/ui"
)

// Identity is never changed or shown wrongly (issue 23): the cursor opens
// where enter changes nothing, and a note never contradicts ●.

// TestCursorOpensOnTheActiveAccount: with no account asked for, the
// switcher opens on the active account, whether it loads the accounts
// itself (the demo) or is given them (the CLI), so enter pressed at once
// changes no identity.
func TestCursorOpensOnTheActiveAccount(t *testing.T) {
	for _, given := range []bool{false, true} {
		w := newWorld(t, fakepds.Options{})
		threeAccounts(w) // carol, logged in last, is active: the third row
		opts := ui.Options{}
		if given {
			opts.Initial = w.load()
		}
		d := w.start(opts)
		if got := d.selectedRow(); got != "carol.test" {
			t.Fatalf("given %v: the cursor opens on %q, not on the active carol.test", given, got)
		}
		before := w.load()
		d.key("enter")
		if st := w.load(); st.Active != before.Active || st.Previous != before.Previous {
			t.Fatalf("given %v: enter at once changed the identity: active %s previous %s", given, st.Active, st.Previous)
		}
	}
}

// TestCursorOpensOnTheOverridesAccount: an account asked for (the CLI
// passes SKYSWITCH_ACCOUNT's or --account's) wins over the active one;
// one not saved falls back to the active one, not to the first row.
func TestCursorOpensOnTheOverridesAccount(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	threeAccounts(w)
	bob := w.account("bob.test")
	for sel, want := range map[string]string{bob.DID: "bob.test", "@bob.test": "bob.test", "nobody.test": "carol.test"} {
		d := w.start(ui.Options{Select: sel, Initial: w.load()})
		if got := d.selectedRow(); got != want {
			t.Errorf("Select %q: the cursor opens on %q, want %q", sel, got, want)
		}
	}
}

// TestNoteOnTheActiveAccountFollowsAnotherSwitch: the note says alice is
// now active; another skyswitch makes dave active; at the reload ● moves
// to dave, and the note must not still say alice is: it says dave is,
// and who changed it.
func TestNoteOnTheActiveAccountFollowsAnotherSwitch(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	w.login(nil, "dave.test")
	d := w.start(ui.Options{Select: "alice.test"})
	d.key("enter")
	d.has("@alice.test is now the active account.")
	if _, err := w.manager().Switch(t.Context(), "dave.test"); err != nil { // another shell
		t.Fatal(err)
	}
	d.tick() // the file changed: a reload
	if l := d.row("dave.test"); !strings.Contains(l, "● ") {
		t.Fatalf("● did not move to dave: %q", l)
	}
	d.hasNot("@alice.test is now the active account")
	d.has("@dave.test is now the active account (changed by another skyswitch).")
	// A reload that changes nothing about who is active leaves the note.
	d.tick()
	d.has("@dave.test is now the active account (changed by another skyswitch).")
	// Another process leaves no account active: the note says so.
	if err := storage.Open(w.path).Update(func(st *storage.State) error { return st.SetActive("") }); err != nil {
		t.Fatal(err)
	}
	d.tick()
	d.hasNot("● ", "is now the active account")
	d.has("No account is active now (changed by another skyswitch).")
}

// TestNoteOfALoginFollowsAnotherSwitch: "Added @x; it is now the active
// account." is a note about the active identity too.
func TestNoteOfALoginFollowsAnotherSwitch(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "dave.test")
	w.add(nil, "alice.test", false)
	d := w.start(ui.Options{})
	fillLogin(d, w.srv.URL(), "alice.test", password)
	d.key("enter")
	d.has("Added @alice.test; it is now the active account.")
	if _, err := w.manager().Switch(t.Context(), "dave.test"); err != nil {
		t.Fatal(err)
	}
	d.tick()
	d.hasNot("it is now the active account")
	d.has("@dave.test is now the active account (changed by another skyswitch).")
}

// TestANoteNotAboutTheActiveAccountStays: a reload that moves ● leaves a
// note that says nothing of who is active as it was.
func TestANoteNotAboutTheActiveAccountStays(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	w.login(nil, "dave.test")
	d := w.start(ui.Options{Select: "alice.test"})
	d.logOut()
	d.has("Logged out @alice.test")
	w.login(nil, "bob.test") // another shell logs bob in: he is active
	d.tick()
	d.has("Logged out @alice.test")
	d.hasNot("changed by another skyswitch")
}

// TestAReloadReadBeforeASwitchDoesNotUndoIt: a reload that read the file
// before enter's switch wrote it, answered after the switch, is not
// applied: ● stays on the account switched to, and the note does not
// say another skyswitch changed it. Both orders of arrival: after the
// switch's own reload, and between the switch and its reload.
func TestAReloadReadBeforeASwitchDoesNotUndoIt(t *testing.T) {
	for _, beforeOwnReload := range []bool{false, true} {
		w := newWorld(t, fakepds.Options{})
		w.login(nil, "alice.test")
		w.login(nil, "dave.test")
		d := w.start(ui.Options{Select: "alice.test"})
		w.clk.Advance(time.Second)
		if _, err := w.manager().Switch(t.Context(), "dave.test"); err != nil { // the file changes
			t.Fatal(err)
		}
		stale := heldMsg(d, d.pending(ui.Tick(time.Now())), "reloadIfChangedCmd") // it reads dave active
		switched := heldMsg(d, d.pending(keyMsg("enter")), "switchCmd")
		if beforeOwnReload {
			own := d.pending(switched) // the switch's own reload, held
			d.send(stale)
			for _, c := range own {
				d.deliver(c)
			}
		} else {
			d.send(switched) // and its reload
			d.send(stale)
		}
		d.hasNot("changed by another skyswitch")
		d.has("@alice.test is now the active account.")
		if l := d.row("alice.test"); !strings.Contains(l, "● ") {
			t.Fatalf("before own reload %v: ● left alice: %q", beforeOwnReload, l)
		}
	}
}

// heldMsg runs the one held command named name and returns its message,
// not handed to the model.
func heldMsg(d *driver, held []tea.Cmd, name string) tea.Msg {
	d.t.Helper()
	for _, c := range held {
		if strings.Contains(cmdName(c), name) {
			return c()
		}
	}
	d.t.Fatalf("no %s among the commands", name)
	return nil
}

// TestAReloadReadBeforeALoginDoesNotUndoIt: the same for the account a
// login made active.
func TestAReloadReadBeforeALoginDoesNotUndoIt(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "dave.test")
	w.add(nil, "alice.test", false)
	d := w.start(ui.Options{})
	fillLogin(d, w.srv.URL(), "alice.test", password)
	w.clk.Advance(time.Second)
	if _, err := w.manager().Switch(t.Context(), "dave.test"); err != nil { // the file changes
		t.Fatal(err)
	}
	stale := heldMsg(d, d.pending(ui.Tick(time.Now())), "reloadIfChangedCmd")
	done := heldMsg(d, d.pending(keyMsg("enter")), "loginCmd")
	own := d.pending(done)
	d.send(stale)
	for _, c := range own {
		d.deliver(c)
	}
	d.hasNot("changed by another skyswitch")
	d.has("Added @alice.test; it is now the active account.")
	if l := d.row("alice.test"); !strings.Contains(l, "● ") {
		t.Fatalf("● left alice: %q", l)
	}
}

// TestNoteOfALogoutFollowsAnotherSwitch: "No account is active now" after
// logging out the active account is a note about the active identity too:
// when another skyswitch then makes dave active, it must not stand beside
// ● on dave.
func TestNoteOfALogoutFollowsAnotherSwitch(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "dave.test")
	w.login(nil, "alice.test") // active
	d := w.start(ui.Options{})
	d.logOut()
	d.has("No account is active now")
	if _, err := w.manager().Switch(t.Context(), "dave.test"); err != nil { // another shell
		t.Fatal(err)
	}
	d.tick()
	if l := d.row("dave.test"); !strings.Contains(l, "● ") {
		t.Fatalf("● did not move to dave: %q", l)
	}
	d.hasNot("No account is active now")
	d.has("@dave.test is now the active account (changed by another skyswitch).")
}

// TestSwitchesLandInTheOrderPressed: enter on bob, then at once on alice,
// before bob's switch has written: whichever write would finish last,
// alice, the one pressed last, ends active, and the status says so. The
// second switch waits for the first (two writes in flight could land in
// either order).
func TestSwitchesLandInTheOrderPressed(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	alice := w.login(nil, "alice.test")
	w.login(nil, "bob.test")
	w.login(nil, "carol.test")
	d := w.start(ui.Options{Select: "bob.test"})
	toBob := d.pending(keyMsg("enter"))
	d.key("up")
	toAlice := d.pending(keyMsg("enter"))
	for _, c := range toAlice { // the later switch's commands first
		d.deliver(c)
	}
	for _, c := range toBob {
		d.deliver(c)
	}
	if got := w.load().Active; got != alice.DID {
		t.Fatalf("active %s, want alice %s, pressed last", got, alice.DID)
	}
	if l := d.row("alice.test"); !strings.Contains(l, "● ") {
		t.Fatalf("● is not on alice: %q", l)
	}
	d.has("@alice.test is now the active account.")
}
