package cli

import (
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// logout --all in a terminal asks first, naming the accounts; only y (or
// yes) goes on. A declined question exits 2 (gh's exit for a cancelled
// prompt) with nothing sent. --yes, or no terminal, asks nothing.
func TestLogoutAllAsksInATerminal(t *testing.T) {
	t.Parallel()
	handles := []string{"alice.test", "bob.test", "carol.test", "dave.test", "erin.test", "fred.test", "gina.test"}
	for _, tc := range []struct {
		name        string
		interactive bool
		typed       string
		args        []string
		asked       bool
		code        int
	}{
		{"no", true, "n\n", nil, true, exitUsage},
		{"enter", true, "\n", nil, true, exitUsage},
		{"no answer", true, "", nil, true, exitUsage},
		{"other", true, "sure\n", nil, true, exitUsage},
		{"y", true, "y\n", nil, true, exitOK},
		{"YES", true, "YES\n", nil, true, exitOK},
		{"--yes", true, "", []string{"--yes"}, false, exitOK},
		{"script", false, "n\n", nil, false, exitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newCLIEnv(t, fakepds.Options{})
			for _, h := range handles {
				e.addAccount(h)
				e.login(h)
			}
			r := e.runCLI(&App{Interactive: tc.interactive, Stdin: strings.NewReader(tc.typed)},
				append([]string{"logout", "--all"}, tc.args...)...)
			const question = "Log out of 7 accounts (@alice.test, @bob.test, @carol.test, @dave.test, @erin.test, and 2 more)? [y/N] "
			if asked := strings.HasPrefix(r.stderr, question); asked != tc.asked {
				t.Fatalf("asked %v, want %v: %s", asked, tc.asked, r)
			}
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d: %s", r.code, tc.code, r)
			}
			calls, left := e.srv.Calls(nsidDelete), len(e.state().Accounts)
			if tc.code != exitOK {
				if calls != 0 || left != len(handles) {
					t.Errorf("declined, yet %d deleteSession calls and %d accounts left", calls, left)
				}
				if !strings.HasSuffix(r.stderr, "skyswitch: logout --all: not confirmed; nothing was logged out\n") {
					t.Errorf("stderr %q", r.stderr)
				}
				return
			}
			if calls != len(handles) || left != 0 {
				t.Errorf("%d deleteSession calls, %d accounts left", calls, left)
			}
		})
	}
}

// One account is "1 account"; none, and nothing is asked.
func TestLogoutAllQuestionCounts(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	r := e.runCLI(&App{Interactive: true, Stdin: strings.NewReader("n\n")}, "logout", "--all")
	if r.code != exitOK || strings.Contains(r.stderr, "Log out of") {
		t.Errorf("no accounts: %s", r)
	}
	e.addAccount("alice.test")
	e.login("alice.test")
	r = e.runCLI(&App{Interactive: true, Stdin: strings.NewReader("n\n")}, "logout", "--all")
	if !strings.HasPrefix(r.stderr, "Log out of 1 account (@alice.test)? [y/N] ") {
		t.Errorf("one account: %s", r)
	}
}
