package ui_test

import (
	"testing"

	"github.com/skyswitch/skyswitch/internal/fakepds"
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
