package ui_test

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/ui"
)

// miniDot are the spinner's frames.
const miniDot = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"

// startHeld sends a key and runs nothing it starts: it returns the work
// (the network or file call) and whether a spinner frame was asked for.
// For x, the work starts when its undo window closes, at a tick.
func startHeld(d *driver, k string) (work []tea.Cmd, spins bool) {
	d.t.Helper()
	var msg tea.Msg = keyMsg(k)
	if k == "x" {
		d.key(k)
		d.clk.Advance(ui.UndoWindow)
		msg = ui.Tick(time.Now())
	}
	for _, c := range d.pending(msg) {
		if strings.Contains(cmdName(c), ".Tick") {
			spins = true
			continue
		}
		work = append(work, c)
	}
	return work, spins
}

// Every operation that waits for the network or the file shows a spinner
// on the row it concerns (the inspector's status for a check) while it
// runs, and none once its result is in.
func TestSlowOperationsSpinOnTheirRow(t *testing.T) {
	for _, tc := range []struct {
		key, label string
		inspect    bool
	}{
		{"r", "refreshing", false},
		{"x", "logging out", false},
		{"enter", "switching", false},
		{"i", "", true},
	} {
		t.Run(tc.key, func(t *testing.T) {
			w := newWorld(t, fakepds.Options{})
			w.login(nil, "alice.test")
			w.login(nil, "bob.test")
			d := w.start(ui.Options{Select: "alice.test"})
			idle := d.row("alice.test")
			work, spins := startHeld(d, tc.key)
			if !spins || len(work) == 0 {
				t.Fatalf("%s: spinner %v, %d commands", tc.key, spins, len(work))
			}
			if tc.inspect {
				d.has("Server status")
				if l := d.line("Server status"); !strings.ContainsAny(l, miniDot) {
					t.Errorf("no spinner on the inspector's status while checking: %q", l)
				}
			} else if l := d.row("alice.test"); !strings.Contains(l, tc.label) {
				t.Errorf("while %s the row shows %q (before: %q)", tc.label, l, idle)
			}
			for _, c := range work {
				d.deliver(c)
			}
			if tc.inspect {
				if l := d.line("Server status"); strings.ContainsAny(l, miniDot) {
					t.Errorf("the spinner outlives the check: %q", l)
				}
				return
			}
			if tc.key == "x" {
				d.hasNot("@alice.test ")
				return
			}
			if l := d.row("alice.test"); strings.Contains(l, tc.label) {
				t.Errorf("the row still shows %q after the result: %q", tc.label, l)
			}
		})
	}
}
