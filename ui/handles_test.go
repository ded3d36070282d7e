package ui_test

// Handles as claims in the switcher: a server renaming its account to
// another saved account's handle, and the check of handles as it starts.

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/ui"
)

// rowsOf are the list rows of the view that show @handle.
func rowsOf(v, handle string) []string {
	var rows []string
	for _, l := range strings.Split(v, "\n") {
		if strings.Contains(l, "@"+handle+" ") && (strings.HasPrefix(l, "  ") || strings.HasPrefix(l, "> ")) {
			rows = append(rows, l)
		}
	}
	return rows
}

// TestSwitcherMarksAHandleAServerTook: bob's server answers the
// switcher's refresh with alice's handle. A note says so, naming alice's
// DID; both rows are marked; the inspector says who else claims it.
func TestSwitcherMarksAHandleAServerTook(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	bobSrv := w.server(fakepds.Options{})
	alice := w.login(nil, "alice.test")
	bob := w.login(bobSrv, "bob.test")
	d := w.start(ui.Options{})
	if v := d.view(); strings.Contains(v, "⚠") {
		t.Fatalf("marked before anything happened:\n%s", d.redact(v))
	}
	bobSrv.SetSessionHandle(bob.DID, "alice.test")
	d.advance(2*time.Hour, w.clk) // both tokens due: the switcher refreshes them
	v := d.has("@bob.test ("+bob.DID+") is now called @alice.test", alice.DID)
	rows := rowsOf(v, "alice.test")
	if len(rows) != 2 {
		t.Fatalf("%d rows show @alice.test, want 2:\n%s", len(rows), d.redact(v))
	}
	for _, r := range rows {
		if !strings.Contains(r, "⚠") {
			t.Errorf("row not marked: %q", r)
		}
	}
	d.key("i")
	d.has("also claimed by")
	// Dismissed, the notes stay dismissed when the file changes again.
	d.key("esc")
	for i := 0; i < 5 && strings.Contains(d.view(), "Note: "); i++ {
		d.key("esc")
	}
	if _, err := w.mgr.Switch(context.Background(), alice.DID); err != nil {
		t.Fatal(err)
	}
	d.tick()
	d.hasNot("Note: ")
	if !strings.Contains(d.row("alice.test"), "●") {
		t.Errorf("the reload did not happen:\n%s", d.redact(d.view()))
	}
}

// TestSwitcherChecksHandlesAsItStarts: the switcher checks the handles
// whose outcome is due; one that resolves to another DID is marked, noted
// and shown as unverified in the inspector; a second start within the
// time limit makes no lookup.
func TestSwitcherChecksHandlesAsItStarts(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	alice := w.login(nil, "alice.test")
	bob := w.login(nil, "bob.test")
	r := fakepds.NewIdentities()
	r.Set("alice.test", alice.DID, "alice.test")
	r.SetHandle("bob.test", "did:plc:someoneelse")
	r.SetDocument(bob.DID, "bob.test")
	w.mgr.Handles = r
	d := w.start(ui.Options{Select: alice.DID})
	if r.Calls() == 0 {
		t.Fatal("no lookup at start")
	}
	v := d.has("@bob.test is not verified for " + bob.DID)
	if bobRows, aliceRows := rowsOf(v, "bob.test"), rowsOf(v, "alice.test"); len(bobRows) != 1 || !strings.Contains(bobRows[0], "⚠") ||
		len(aliceRows) != 1 || strings.Contains(aliceRows[0], "⚠") {
		t.Errorf("marks:\n%s", d.redact(v))
	}
	d.key("i")
	if got := field(t, d.view(), "Handle"); got != "verified both ways" {
		t.Errorf("alice's handle: %q", got)
	}
	d.key("esc")
	d.key("down")
	d.key("i")
	if got := field(t, d.view(), "Handle"); got != "unverified: it resolves to did:plc:someoneelse" {
		t.Errorf("bob's handle: %q", got)
	}
	n := r.Calls()
	w.start(ui.Options{})
	if r.Calls() != n {
		t.Errorf("a second start looked up %d times", r.Calls()-n)
	}
}
