package ui_test

// The switcher over accounts whose tokens are in the OS keyring: a fake
// keyring that can fail, the store's warnings shown as notes, and accounts
// whose tokens cannot be read.

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/storage/keyringtest"
	"github.com/skyswitch/skyswitch/ui"
)

// keyringWorld is a world whose accounts (alice.test, bob.test) keep their
// tokens in k.
func keyringWorld(t *testing.T) (*world, *keyringtest.Keyring) {
	t.Helper()
	w := newWorld(t, fakepds.Options{})
	k := keyringtest.New()
	w.mgr.Store.UseSecrets(k)
	w.login(nil, "alice.test")
	w.login(nil, "bob.test")
	if r, err := w.mgr.UseSecrets(context.Background(), "keyring"); err != nil || !r.Settled() || len(r.InKeyring) != 2 {
		t.Fatalf("moving the tokens to the keyring: %+v, %v", r, err)
	}
	return w, k
}

// loadWith reads the world's file as a new process would, over k.
func loadWith(t *testing.T, w *world, k *keyringtest.Keyring) *storage.State {
	t.Helper()
	s := storage.Open(w.path)
	s.UseSecrets(k)
	st, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// --- warnings raised while the switcher runs -----------------------------

// Warnings the store raises while commands run show as a note, one at a
// time, oldest first, with a count of those waiting; esc on the list shows
// the next; one raised again while queued is not queued twice.
func TestStoreWarningsShowAsNotes(t *testing.T) {
	svc := &stub{st: manyAccounts(2, t0)}
	d := newDriver(t, svc, newClock(), ui.Options{})
	d.boot()
	d.hasNot("Note:", "dismiss note")

	svc.warn("the keyring did not answer; @a's tokens stay in the accounts file")
	d.tick() // the reload check's result carries it
	d.has("Note: the keyring did not answer; @a's tokens stay in the accounts file", "esc dismiss note")
	d.hasNot("more;")

	svc.warn("second notice", "third notice", "the keyring did not answer; @a's tokens stay in the accounts file")
	svc.err = errors.New("the disk is full")
	d.key("enter") // a failing command brings warnings too
	v := d.has("Note: the keyring did not answer", "(2 more; esc shows the next)", "Could not switch: the disk is full")
	d.hasNot("second notice")
	d.fits(v, 80, 24)

	d.key("esc")
	d.has("Note: second notice (1 more; esc shows the next)")
	d.key("esc")
	d.has("Note: third notice")
	d.hasNot("more;", "second notice")
	d.key("esc")
	d.hasNot("Note:", "dismiss note")
	d.key("esc") // nothing left: harmless
	d.has("@user0000.example.test")
}

// Warnings from before the switcher opened (the caller's load) show first.
func TestNotesFromBeforeTheSwitcherOpened(t *testing.T) {
	svc := &stub{st: manyAccounts(1, t0)}
	d := newDriver(t, svc, newClock(), ui.Options{Initial: manyAccounts(1, t0), Notes: []string{"tightened the accounts file to 0600"}})
	d.boot()
	d.has("Note: tightened the accounts file to 0600")
}

// A long note is wrapped to the window and cut to three lines.
func TestLongNoteFits(t *testing.T) {
	svc := &stub{st: manyAccounts(2, t0)}
	d := newDriver(t, svc, newClock(), ui.Options{})
	d.boot()
	svc.warn("the OS keyring failed: " + strings.Repeat("a very long reason ", 30))
	d.tick()
	v := d.has("Note: the OS keyring failed", "…")
	d.fits(v, 80, 24)
	d.send(tea.WindowSizeMsg{Width: 50, Height: 12})
	d.fits(d.has("Note:"), 50, 12)
}

// Through the real store: a refresh whose new tokens the keyring refuses
// keeps them in the accounts file, and the switcher says so while it runs.
func TestKeyringFallbackDuringRefreshShowsNote(t *testing.T) {
	w, k := keyringWorld(t)
	d := w.start(ui.Options{Select: "alice.test"})
	d.hasNot("Note:")
	k.FailSet(errors.New("the collection is locked"))
	d.key("r") // alice.test is selected
	if n := w.srv.Calls(nsidRefresh); n != 1 {
		t.Fatalf("%d refreshes, want 1", n)
	}
	d.has("Note: the OS keyring failed (the collection is locked): the tokens of @alice.test are kept in the accounts file instead")
	alice := w.account("alice.test") // read without a keyring: they are in the file
	if alice.Secrets != "" || alice.RefreshJwt == "" || !w.srv.RefreshTokenValid(alice.RefreshJwt) {
		t.Fatalf("the refreshed tokens are not in the accounts file (secrets %q)", alice.Secrets)
	}
	// Bob's tokens, which this process already had, stay usable: the
	// reload that followed takes them from what the store remembers of
	// the keyring (the file names the same tokens), not from the keyring
	// that just failed.
	d.hasNot("more; esc shows the next", "cannot read the tokens of @bob.test")
	if row := d.row("bob.test"); !strings.Contains(row, "valid") {
		t.Fatalf("bob's row: %q", row)
	}
}

// --- accounts whose keyring tokens cannot be read ------------------------

// An account the keyring will not give the tokens of says so on its row
// and in the inspector, with the reason. Nothing refreshes it, not the
// retry of a refresh that failed before, not the clock running past its
// expiry, not r; once a reload brings its tokens, refreshes resume.
func TestKeyringUnreadableAccount(t *testing.T) {
	w, k := keyringWorld(t)
	st := loadWith(t, w, k)
	svc := &stub{st: st, err: errors.New("the server is down")}
	clk := newClock()
	clk.Set(st.Accounts[0].AccessExpiry().Add(-time.Minute)) // both are due
	d := newDriver(t, svc, clk, ui.Options{Select: "alice.test"})
	d.boot()
	d.tick()
	if n := svc.count("Refresh"); n != 2 {
		t.Fatalf("%d refreshes of two due accounts, want 2 (calls %v)", n, svc.calls)
	}
	_, host, _ := strings.Cut(w.srv.URL(), "://")
	d.has("│ "+host+": refresh failed, the server is down; retrying in 0:01", "│ @alice.test, @bob.test ")

	k.Fail(errors.New("prompt dismissed: the collection is locked"))
	svc.replace(loadWith(t, w, k))
	d.tick() // reloads: now the tokens are out of reach
	d.send(tea.WindowSizeMsg{Width: 160, Height: 24})
	d.has("keyring unreadable – prompt dismissed: the collection is locked")
	d.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	if row := d.row("alice.test"); !strings.Contains(row, "keyring unread") || strings.Contains(row, "expired") {
		t.Fatalf("alice's row at 80 columns: %q", row)
	}
	d.has("│ keyring unreadable, not refreshed: prompt dismissed: the", "│ @alice.test, @bob.test ")
	d.hasNot("retrying")

	for range 5 { // past every retry time and both tokens' expiry
		d.advance(3*time.Hour, clk)
	}
	loads := svc.count("Load")
	d.key("r")
	d.has("Cannot refresh @alice.test: its tokens are in the OS keyring, which failed")
	if svc.count("Load") != loads+1 {
		t.Fatal("r on an unreadable account did not read the accounts (and so the keyring) again")
	}
	d.key("i")
	d.has("kept in the OS keyring, unreadable now", "the collection is locked")
	d.key("esc")
	if n := svc.count("Refresh"); n != 2 {
		t.Fatalf("%d refreshes, want still 2: accounts whose tokens could not be read were tried (calls %v)", n, svc.calls)
	}
	if n := svc.count("Check"); n != 0 {
		t.Fatalf("the inspector asked the server %d times with no tokens", n)
	}

	// The keyring answers again; a reload brings the tokens, and the
	// scheduler takes them up.
	k.Fail(nil)
	k.FailSet(nil)
	svc.replace(loadWith(t, w, k))
	d.tick() // reloads
	d.hasNot("keyring unreadable")
	d.tick() // schedules
	if n := svc.count("Refresh"); n != 4 {
		t.Fatalf("%d refreshes once the tokens could be read, want 4 (calls %v)", n, svc.calls)
	}
}
