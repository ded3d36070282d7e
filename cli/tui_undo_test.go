package cli

// x in the switcher waits 5 s before it logs out (an undo window); the
// switcher ending meanwhile (q, ctrl+c, a signal) sends the logout then:
// it is never dropped.

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/ui"
)

// The exit path sends what the final model owes, with ctx already
// cancelled (as a signal leaves it), and says it as logout does.
func TestSwitcherEndSendsTheOwedLogout(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	e.addAccount("alice.test")
	e.login("alice.test")
	bob := e.addAccount("bob.test")
	e.login("bob.test")
	bobRefresh := e.account(bob.DID).RefreshJwt
	mgr := &accounts.Manager{Store: storage.Open(e.path), Client: e.client, Now: e.clock.Now}
	st, err := mgr.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	m := ui.Program(ui.New(mgr, ui.Options{Initial: st, Select: "bob.test", Now: e.clock.Now}))
	final, _ := m.Update(tea.KeyPressMsg{Code: 'x', Text: "x"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stderr bytes.Buffer
	run := &invocation{app: &App{Now: e.clock.Now}, stderr: &stderr}
	run.sendOwedLogouts(ctx, mgr, ui.LogoutsOwed(final))
	if n := e.srv.Calls(nsidDelete); n != 1 {
		t.Fatalf("%d deleteSession calls", n)
	}
	if e.srv.RefreshTokenValid(bobRefresh) {
		t.Fatal("bob's session still works")
	}
	if !strings.HasPrefix(stderr.String(), "Logged out @bob.test: the session is revoked on its server.\n") ||
		!strings.Contains(stderr.String(), "No account is active now") {
		t.Errorf("stderr %q", stderr.String())
	}
	if st := e.state(); len(st.Accounts) != 1 || st.Active != "" {
		t.Errorf("%d accounts, active %q", len(st.Accounts), st.Active)
	}
	// Owed twice (the switcher's own command got there first): said once.
	stderr.Reset()
	run.sendOwedLogouts(ctx, mgr, []string{bob.DID})
	if stderr.Len() != 0 || e.srv.Calls(nsidDelete) != 1 {
		t.Errorf("a logout already done: stderr %q, %d calls", stderr.String(), e.srv.Calls(nsidDelete))
	}
}

// In a real terminal: x, then q within the window. The session is
// revoked as the switcher ends, and the shell is told.
func TestTUIQuitInTheUndoWindowLogsOut(t *testing.T) {
	t.Parallel()
	srv, alice, p := newAliceProc(t, fakepds.Options{})
	tt := startTUI(t, p)
	tt.waitText("@alice.test")
	tt.keys("x")
	tt.waitText("logout in ")
	if n := srv.Calls(nsidDelete); n != 0 {
		t.Fatalf("x sent deleteSession at once (%d calls)", n)
	}
	start := time.Now()
	tt.keys("q")
	tt.until("q to end the program", tt.paneDead)
	if n := srv.Calls(nsidDelete); n != 1 {
		t.Fatalf("%d deleteSession calls after q", n)
	}
	if n := srv.ActiveSessions(alice.DID); n != 0 {
		t.Errorf("%d sessions of alice left on the server", n)
	}
	// The shell is told (the line may have scrolled into the history).
	if said := tt.history(); time.Since(start) < 5*time.Second && !strings.Contains(said, "Logged out @alice.test: the session is revoked on its server.") {
		t.Errorf("the exit did not say the logout:\n%s", said)
	}
	if st, err := storage.Open(p.path()).Load(); err != nil || len(st.Accounts) != 0 {
		t.Errorf("the accounts file after q: %v", err)
	}
}

// history is the pane's text with its scrollback.
func (tt *tmuxTerm) history() string {
	tt.t.Helper()
	out, err := tt.command("capture-pane", "-p", "-J", "-t", "main", "-S", "-100").Output()
	if err != nil {
		tt.t.Fatalf("capture-pane: %v", err)
	}
	return string(out)
}
