package ui_test

import (
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/ui"
)

// The cursor follows an account by its DID: a hand-edited handle that
// spells another account's DID, on a row above it, never takes the
// cursor from that account, at opening or at a reload, so enter does not
// make the impostor active.
func TestCursorFollowsTheDIDNotAHandleSpellingIt(t *testing.T) {
	bob := account("bob.test", auth.ScopeAppPass)
	evil := account("evil.test", auth.ScopeAppPass)
	evil.Handle = bob.DID // hand-edited: the handle reads as bob's DID
	st := storage.NewState()
	st.Accounts = []storage.Account{account("alice.test", auth.ScopeAppPass), evil, bob}
	st.Active = bob.DID
	svc := &stub{st: st}
	d := newDriver(t, svc, newClock(), ui.Options{})
	d.boot()
	if got := d.selectedRow(); got != "bob.test" {
		t.Fatalf("opening: the cursor is on @%s, not on the active @bob.test:\n%s", got, d.view())
	}
	svc.replace(st) // another process wrote the file: a reload
	d.tick()
	if got := d.selectedRow(); got != "bob.test" {
		t.Fatalf("after a reload: the cursor is on @%s:\n%s", got, d.view())
	}
	d.key("enter")
	if svc.count("Switch") != 1 || svc.count("Switch "+bob.DID) != 1 {
		t.Errorf("enter switched to %v, want bob's DID", svc.calls)
	}
}

// When another process removes the account under the cursor, the cursor
// lands on a neighbour the person never chose: the first key that would
// act as it (enter, x, s, L, y, Y) only says so, the next acts. Moving
// the cursor first acts at once.
func TestAKeyMeantForAnAccountGoneDoesNotActOnItsNeighbour(t *testing.T) {
	for _, k := range []string{"enter", "x", "L", "y"} {
		t.Run(k, func(t *testing.T) {
			alice, bob, carol := account("alice.test", auth.ScopeAppPass), account("bob.test", auth.ScopeAppPass), account("carol.test", auth.ScopeAppPass)
			st := storage.NewState()
			st.Accounts = []storage.Account{alice, bob, carol}
			st.Active = alice.DID
			svc := &stub{st: st}
			d := newDriver(t, svc, newClock(), ui.Options{Select: bob.DID})
			d.boot()
			if got := d.selectedRow(); got != "bob.test" {
				t.Fatalf("the cursor is on @%s", got)
			}
			gone := storage.NewState()
			gone.Accounts = []storage.Account{alice, carol}
			gone.Active = alice.DID
			svc.replace(gone) // bob logged out in another shell
			d.tick()
			if got := d.selectedRow(); got != "carol.test" {
				t.Fatalf("after bob went, the cursor is on @%s", got)
			}
			calls := len(svc.calls)
			d.key(k)
			v := d.view()
			if acted := len(svc.calls) > calls || strings.Contains(v, "logout in") || strings.Contains(v, "Log in again to") ||
				strings.Contains(v, "Copied"); acted {
				t.Fatalf("%s acted on @carol.test at once, which nobody chose: %v\n%s", k, svc.calls[calls:], v)
			}
			d.has("no longer saved", "@carol.test")
			d.key(k) // now the person saw it
			v = d.view()
			if !(len(svc.calls) > calls || strings.Contains(v, "logout in") || strings.Contains(v, "Log in again to") ||
				strings.Contains(v, "copied") || strings.Contains(v, "Copied")) {
				t.Errorf("a second %s did nothing:\n%s", k, v)
			}
		})
	}
}
