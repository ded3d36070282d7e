package cli

// `skyswitch switch` with no account: a picker in a terminal, a usage
// error anywhere else. (The picker itself: ui's picker tests; in a real
// terminal: TestTUIPickerSwitchesByDID.)

import (
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/storage"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

func TestSwitchWithoutAnAccountNeedsATerminal(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	_, _, carol := threeSaved(e)
	for _, tc := range []struct {
		name                  string
		interactive, terminal bool
	}{
		{"no terminal", false, false},
		{"stdout is not a terminal", true, false},
		{"stdin or stderr is not a terminal", false, true},
	} {
		r := e.runCLI(&App{Interactive: tc.interactive, StdoutTerminal: tc.terminal}, "switch")
		if r.code != exitUsage || !strings.Contains(r.stderr, "name the account") {
			t.Errorf("%s: want exit 2 naming the account, got %s", tc.name, r)
		}
	}
	if e.state().Active != carol.DID {
		t.Errorf("the active account changed")
	}
}

func TestSwitchPickerWithNoAccounts(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	r := e.runCLI(&App{Interactive: true, StdoutTerminal: true}, "switch")
	if r.code != exitNoSession || !strings.Contains(r.stderr, "no saved accounts (skyswitch login adds one)") {
		t.Errorf("want exit 4 saying there is nothing to pick, got %s", r)
	}
}

// In a real terminal: the picker opens on the active account, the filter
// narrows it, enter switches by the DID (bob's handle is claimed by carol
// too here), esc switches nothing; each leaves the screen as it was.
func TestTUIPickerSwitchesByDID(t *testing.T) {
	t.Parallel()
	srv := newProcServer(t, fakepds.Options{})
	var bob fakepds.Account
	for _, h := range []string{"alice.test", "bob.test", "carol.test"} {
		a := srv.AddAccount(fakepds.Account{Handle: h, Email: h + "@example.com", Password: testPassword})
		if h == "bob.test" {
			bob = a
		}
	}
	p := newProcEnv(t, srv)
	for _, h := range []string{"alice.test", "bob.test", "carol.test"} {
		p.login(h)
	}
	err := storage.Open(p.path()).Update(func(st *storage.State) error {
		st.Accounts[2].Handle = "bob.test" // carol's server claims bob's handle
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := storage.Open(p.path()).Load(); err != nil || st.Active != st.Accounts[2].DID {
		t.Fatalf("carol is not the active account: %v", err)
	}

	script := `"$BIN" switch; echo "switch exit $?"; "$BIN" switch; echo "again exit $?"; read -r line`
	tt := startShell(t, p, script, "BIN="+p.bin)
	s := tt.waitText("Switch to which account?")
	if !strings.Contains(s, "> ● @bob.test ⚠") {
		t.Errorf("the picker does not open on the active account, carol (@bob.test ⚠):\n%s", s)
	}
	tt.typ("bob")
	tt.waitText("2 of 3")
	tt.keys("Up", "Enter")
	s = tt.waitFor("switch to end", func(s string) bool { return strings.Contains(s, "switch exit") })
	if !strings.Contains(s, "switch exit 0") || !strings.Contains(s, "Active account: @bob.test ("+bob.DID+")") {
		t.Errorf("enter on bob:\n%s", s)
	}
	if strings.Count(s, "Switch to which account?") > 1 { // the second one may be open
		t.Errorf("the picker is left on the screen:\n%s", s)
	}
	if st, _ := storage.Open(p.path()).Load(); st.Active != bob.DID {
		t.Fatalf("the active account is %s, want bob %s", st.Active, bob.DID)
	}

	s = tt.waitFor("the second picker on bob", func(s string) bool { return strings.Contains(s, "> ● @bob.test ") })
	tt.keys("Escape")
	s = tt.waitFor("the second switch to end", func(s string) bool { return strings.Contains(s, "again exit") })
	if !strings.Contains(s, "again exit 0") || !strings.Contains(s, "Nothing switched: @bob.test stays the active account.") {
		t.Errorf("esc:\n%s", s)
	}
	if strings.Contains(s, "Switch to which account?") {
		t.Errorf("a picker is left on the screen:\n%s", s)
	}
	if st, _ := storage.Open(p.path()).Load(); st.Active != bob.DID {
		t.Errorf("esc changed the active account to %s", st.Active)
	}
}
