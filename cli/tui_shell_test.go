package cli

// The switcher's `s` and `y` end to end: the built binary in tmux.

import (
	"os"
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// s on bob's row opens the shell ($SHELL, here sh) pinned to his DID, with
// the terminal released: it reads what is typed, a skyswitch run in it
// acts as bob whatever is saved as active, Ctrl-C at its prompt stays in
// it, and exit brings the switcher back.
func TestTUIShellIsPinnedToTheRow(t *testing.T) {
	t.Parallel()
	srv, _, p := newAliceProc(t, fakepds.Options{})
	bob := srv.AddAccount(fakepds.Account{Handle: "bob.test", Email: "bob@example.com", Password: testPassword})
	p.login("bob.test")
	tt := startTUI(t, p, "SHELL=/bin/sh", "PS1=pinned$ ", "PATH="+os.Getenv("PATH"), "BIN="+p.bin)
	tt.waitText("@bob.test")
	tt.keys("/")
	tt.typ("bob")
	tt.keys("Enter")
	tt.waitFor("bob's row alone", func(s string) bool { return !strings.Contains(s, "@alice.test") })
	tt.keys("s")
	tt.waitText("skyswitch: a shell as @bob.test (" + bob.DID + ").\nType exit to return to the switcher.")
	tt.waitText("pinned$")
	if tt.alternate() {
		t.Fatalf("the shell runs on the alternate screen:\n%s", tt.screen(false))
	}
	tt.typ(`echo "acct=$SKYSWITCH_ACCOUNT token=${ATP_ACCESS_TOKEN:-none}"; "$BIN" switch alice.test; "$BIN" status | head -1`)
	tt.keys("Enter")
	s := tt.waitText("acct=" + bob.DID + " token=none")
	s = tt.waitFor("status in the shell", func(s string) bool { return strings.Count(s, "pinned$") >= 2 })
	if !strings.Contains(s, "\n@bob.test (from SKYSWITCH_ACCOUNT; the saved active account is @alice.test)") {
		t.Errorf("status in the pinned shell does not act as bob:\n%s", s)
	}
	tt.keys("C-c")
	// The terminal drops what is typed before the shell has taken the
	// interrupt: wait for its new prompt first.
	tt.waitFor("a prompt after Ctrl-C", func(s string) bool { return strings.Count(s, "pinned$") >= 3 })
	tt.typ("echo still-in-the-shell")
	tt.keys("Enter")
	tt.waitFor("the shell to answer after Ctrl-C", func(s string) bool { return strings.Contains(s, "\nstill-in-the-shell\n") })
	tt.typ("exit")
	tt.keys("Enter")
	tt.waitText("Back from the shell as @bob.test.")
	if !tt.alternate() || tt.paneDead() {
		t.Fatalf("after exit: %s; the screen:\n%s", tt.paneState(), tt.screen(false))
	}
	tt.keys("q")
	tt.until("q to end the program", tt.paneDead)
}

// y and Y reach the terminal as OSC 52: tmux, told to take the clipboard
// from programs, makes a paste buffer of each, which holds the DID, then
// the export line; no secret of the server's is in either.
func TestTUICopiesThroughOSC52(t *testing.T) {
	t.Parallel()
	srv, alice, p := newAliceProc(t, fakepds.Options{})
	tt := startTUI(t, p)
	tt.waitText("@alice.test")
	if err := tt.tmux("set-option", "-g", "set-clipboard", "on"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ key, text string }{
		{"y", alice.DID},
		{"Y", "export SKYSWITCH_ACCOUNT='" + alice.DID + "'"},
	} {
		tt.keys(c.key)
		var buf string
		tt.until("the clipboard to hold "+c.text, func() bool {
			out, err := tt.command("show-buffer").Output()
			buf = string(out)
			return err == nil && buf == c.text
		})
		for _, s := range srv.Secrets() {
			if strings.Contains(buf, s) {
				t.Fatalf("%s copied a secret", c.key)
			}
		}
		note := "Copied " + c.text + " to the clipboard (if the terminal allows OSC 52)."
		tt.waitFor("the note "+note, func(s string) bool { return strings.Contains(strings.ReplaceAll(s, "\n│ ", " "), note) })
	}
	tt.keys("q")
	tt.until("q to end the program", tt.paneDead)
}
