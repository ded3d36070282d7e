package ui_test

import (
	"slices"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/ui"
)

// The rows keep the saved order (the order the accounts were added), not
// the list command's active-first one: a switch, a refresh (by r or when
// due), a login again from the form or from another process, and an
// ended session move no row.
func TestRowsKeepTheSavedOrder(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	for _, h := range []string{"dave.test", "bob.test", "carol.test", "alice.test"} {
		w.login(nil, h)
	}
	d := w.start(ui.Options{})
	want := []string{"dave.test", "bob.test", "carol.test", "alice.test"}
	check := func(after string) {
		t.Helper()
		if got := rowOrder(d); len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
			t.Errorf("after %s: rows %v, want %v first", after, got, want)
		}
	}
	check("opening")
	selectRow(d, "carol.test")
	d.key("enter")
	d.has("@carol.test is now the active account")
	check("switching to carol")
	selectRow(d, "bob.test")
	d.key("r")
	check("r on bob")
	dueNow(d, w, "dave.test")
	check("a refresh when due")
	d.key("a")
	d.key("shift+tab")
	d.typ(w.srv.URL())
	d.key("tab")
	d.typ("dave.test")
	d.key("tab")
	d.typ(password)
	d.key("enter")
	d.has("Logged in again to @dave.test")
	check("logging in again to dave from the form")
	w.login(nil, "bob.test") // another process
	d.tick()
	check("logging in again to bob in another process")
	if err := w.mgr.Client.DeleteSession(t.Context(), w.account("alice.test").SessionData); err != nil {
		t.Fatal(err)
	}
	w.clk.Set(w.account("alice.test").AccessExpiry().Add(-4 * time.Minute)) // due, and refused
	d.tick()
	d.tick() // three refreshes at once: hers is the fourth
	d.has("@alice.test: session expired or revoked")
	check("alice's session ending")
}
