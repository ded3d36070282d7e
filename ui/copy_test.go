package ui_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/ui"
)

// y copies the selected row's DID, Y the line that pins a shell to it,
// through the terminal's clipboard (tea.SetClipboard: OSC 52), with a
// note; no token the server ever gave, nor the password, is in what is
// copied.
func TestCopyTheRowsDIDOrExportLine(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	bob := w.login(nil, "bob.test")
	d := w.start(ui.Options{Select: "bob.test"})
	d.key("?")
	d.has("y", "copy DID", "Y", "copy export line")
	d.key("?")
	for _, c := range []struct{ key, text string }{
		{"y", bob.DID},
		{"Y", "export SKYSWITCH_ACCOUNT='" + bob.DID + "'"},
	} {
		cmds := d.pending(keyMsg(c.key))
		if len(cmds) != 1 {
			t.Fatalf("%s gave %d commands", c.key, len(cmds))
		}
		msg := cmds[0]()
		for _, s := range append(w.srv.Secrets(), password) {
			if strings.Contains(fmt.Sprint(msg), s) {
				t.Fatalf("%s copied a secret (%d bytes; not printed)", c.key, len(s))
			}
		}
		if !reflect.DeepEqual(msg, tea.SetClipboard(c.text)()) {
			t.Errorf("%s: the command gave %T %q, not the clipboard with %q", c.key, msg, fmt.Sprint(msg), c.text)
		}
		d.has("Copied " + c.text + " to the clipboard (if the terminal allows OSC 52).")
	}
}

// A DID in the file that is not one (a hand-edited or hostile file) is
// not copied: a pasted export line could run it.
func TestCopyRefusesAMalformedDID(t *testing.T) {
	bad := account("bad.test", auth.ScopeAppPass)
	bad.DID = "did:plc:x'; touch /tmp/pwned; '"
	st := storage.NewState()
	st.Accounts = []storage.Account{bad}
	d := newDriver(t, &stub{st: st}, newClock(), ui.Options{})
	d.boot()
	for _, k := range []string{"y", "Y"} {
		if cmds := d.pending(keyMsg(k)); len(cmds) != 0 {
			t.Fatalf("%s on a malformed DID gave %d commands", k, len(cmds))
		}
		d.has("The DID saved for @bad.test is malformed: nothing copied.")
	}
}
