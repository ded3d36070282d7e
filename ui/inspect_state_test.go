package ui_test

// The inspector draws from the account state the list draws from: an
// ended session shows no live token bars and no server status as if
// current, and a status check says when it asked and what the server
// said.

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/ui"
)

// TestInspectorSaysASessionEndedAsTheListDoes: bob's session is revoked
// behind skyswitch's back (deleteSession with his refresh token); r in
// the inspector learns it. The inspector then says so, as the row does,
// with no token countdown, no life bars and no "active" as if the server
// had just said it.
func TestInspectorSaysASessionEndedAsTheListDoes(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	w.login(nil, "bob.test")
	d := w.start(ui.Options{Select: "bob.test"})
	d.key("i")
	v := d.has("@bob.test", "2h00m00s", "Server status  active – checked 15:00:00")
	if s := field(t, v, "State"); s != "valid" {
		t.Fatalf("a live session's state is %q:\n%s", s, d.redact(v))
	}
	if err := w.mgr.Client.DeleteSession(t.Context(), w.account("bob.test").SessionData); err != nil {
		t.Fatal(err)
	}
	d.advance(2*time.Minute, w.clk)
	d.key("r")
	v = d.has("@bob.test", "session expired – log in again")
	if s := field(t, v, "State"); s != "session expired – log in again" {
		t.Errorf("the inspector's state is %q", s)
	}
	for _, stale := range []string{"1h58m00s", "89d", "– checked", "Access token", "Refresh token"} {
		if strings.Contains(v, stale) {
			t.Errorf("the inspector of an ended session shows %q:\n%s", stale, d.redact(v))
		}
	}
	if s := field(t, v, "Server status"); s == "active" {
		t.Errorf("the server status of an ended session reads as current: %q", s)
	}
	if s := field(t, v, "Tokens"); !strings.Contains(s, "session ended") {
		t.Errorf("the tokens of an ended session: %q", s)
	}
	d.key("esc")
	if l := d.row("bob.test"); !strings.Contains(l, "log in again") {
		t.Errorf("the list disagrees: %q", l)
	}
}

// TestInspectorDrawsTheCheckTime: c asks the server again; the inspector
// says when, beside what the server said, so a check that succeeds shows.
func TestInspectorDrawsTheCheckTime(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	d := w.start(ui.Options{})
	d.key("i")
	d.has("Server status  active – checked 15:00:00")
	d.advance(65*time.Second, w.clk)
	d.key("c")
	v := d.has("Server status  active – checked 15:01:05")
	if n := w.srv.Calls(nsidGet); n != 2 {
		t.Errorf("%d status checks, want 2", n)
	}
	if s := field(t, v, "State"); s != "valid" {
		t.Errorf("state %q", s)
	}
	// The server takes the account down: the next check says so.
	w.srv.Takedown(did("alice.test"))
	d.advance(time.Second, w.clk)
	d.key("c")
	d.hasNot("active – checked")
}

// TestInspectorRefreshesOnlyTheAccountItShows: r in the inspector is for
// the account shown; once another process removed it, r refreshes
// nothing (not the row the list's cursor fell back to).
func TestInspectorRefreshesOnlyTheAccountItShows(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	w.login(nil, "bob.test")
	d := w.start(ui.Options{Select: "bob.test"})
	d.key("i")
	if _, err := w.manager().Logout(t.Context(), "bob.test"); err != nil { // another shell
		t.Fatal(err)
	}
	d.tick()
	d.has("This account is no longer saved.")
	d.key("r")
	if n := w.srv.Calls(nsidRefresh); n != 0 {
		t.Fatalf("r in the inspector of a removed account refreshed another: %d refreshes", n)
	}
}

// TestACheckShowsWhatTheServerSaidAtOnce: the answer of a check is drawn
// with its time as it arrives, not the status from before it beside the
// new time until a reload.
func TestACheckShowsWhatTheServerSaidAtOnce(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	d := w.start(ui.Options{})
	d.key("i")
	d.has("Server status  active – checked 15:00:00")
	w.srv.Deactivate(did("alice.test"))
	d.advance(time.Second, w.clk)
	for _, c := range d.pending(keyMsg("c")) {
		if strings.Contains(cmdName(c), "checkCmd") {
			d.m, _ = d.m.Update(c()) // the answer, without the reload it asks for
		}
	}
	d.hasNot("active – checked")
	d.has("Server status  deactivated – checked 15:00:01")
}

// TestInspectorStateFitsTheWindow: the State line, in the list's words,
// is cut to the window as the row's state is (a keyring's reason can be
// long).
func TestInspectorStateFitsTheWindow(t *testing.T) {
	w, k := keyringWorld(t)
	k.Fail(errors.New("prompt dismissed: the collection is locked " + strings.Repeat("and the reason goes on ", 4)))
	svc := &stub{st: loadWith(t, w, k)}
	d := newDriver(t, svc, newClock(), ui.Options{Select: "alice.test"})
	d.boot()
	d.key("i")
	d.send(tea.WindowSizeMsg{Width: 80, Height: 40})
	d.fits(d.has("State", "keyring unreadable"), 80, 40)
	// Narrower, other fields overflow as they did before; the State line
	// does not.
	d.send(tea.WindowSizeMsg{Width: 50, Height: 40})
	if l := d.line("State "); lipgloss.Width(l) > 50 {
		t.Errorf("the State line at 50 columns has %d cells: %q", lipgloss.Width(l), l)
	}
}
