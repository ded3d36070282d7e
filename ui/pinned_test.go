package ui_test

import (
	"context"
	"testing"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/ui"
)

// The override's line names the account it chooses, and once that account
// is logged out (x here, or logout in another process) it says so, with
// the handle and the DID, instead of still saying the variable chooses it.
func TestPinnedLineSaysItsAccountWasLoggedOut(t *testing.T) {
	for _, tc := range []struct {
		name, by, chooses, gone string
		elsewhere               bool
	}{
		{"x, shell", "SKYSWITCH_ACCOUNT", "SKYSWITCH_ACCOUNT chooses @dave.test in this shell; ● marks the saved active account.",
			"SKYSWITCH_ACCOUNT names @dave.test (" + did("dave.test") + "), which was logged out: commands in this shell fail until you unset it or log in again.", false},
		{"x, flag", "--account", "--account chooses @dave.test; ● marks the saved active account.",
			"--account names @dave.test (" + did("dave.test") + "), which was logged out.", false},
		{"another process", "SKYSWITCH_ACCOUNT", "SKYSWITCH_ACCOUNT chooses @dave.test in this shell",
			"SKYSWITCH_ACCOUNT names @dave.test (" + did("dave.test") + "), which was logged out", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, fakepds.Options{})
			w.login(nil, "dave.test")
			w.login(nil, "alice.test") // the saved active one
			d := w.start(ui.Options{Select: did("dave.test"), Pinned: ui.Pinned{DID: did("dave.test"), Handle: "dave.test", By: tc.by}})
			d.has(tc.chooses)
			if tc.elsewhere {
				if _, err := w.manager().Logout(context.Background(), "dave.test"); err != nil {
					t.Fatal(err)
				}
				d.tick()
			} else {
				d.logOut()
				d.has("Logged out @dave.test")
			}
			d.has(tc.gone)
			d.hasNot("chooses @dave.test")
			// Logging in again makes the line say it chooses the account again.
			w.login(nil, "dave.test")
			d.tick()
			d.has(tc.chooses)
		})
	}
}
