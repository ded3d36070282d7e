package cli

// Tests of `skyswitch prompt`: the segment a shell prompt shows, read from
// the accounts file alone.

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

// Colours as the prompt writes them, unwrapped (--shell plain).
const (
	green = "\x1b[32m"
	amber = "\x1b[33m"
	red   = "\x1b[1;31m"
	reset = "\x1b[0m"
)

// promptRun runs a command line (prompt alone when args is empty) with
// these environment variables and wants exit 0 and nothing on stderr.
func (e *cliEnv) promptRun(env map[string]string, args ...string) string {
	e.t.Helper()
	if len(args) == 0 {
		args = []string{"prompt"}
	}
	r := e.runEnv(env, args...)
	if r.code != exitOK || r.stderr != "" {
		e.t.Fatalf("want exit 0 and a quiet stderr, got %s", r)
	}
	return r.stdout
}

func TestPromptPrintsNothingWithoutAnAccount(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	if out := e.promptRun(nil); out != "" {
		t.Errorf("no accounts file: prompt printed %q", out)
	}
	e.addAccount("alice.test")
	e.login("alice.test")
	wantCode(t, e.run("", "logout"), exitOK)
	if out := e.promptRun(nil); out != "" {
		t.Errorf("no active account: prompt printed %q", out)
	}
}

func TestPromptColoursTheHandleByTimeLeft(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	alice := e.addAccount("alice.test")
	e.login("alice.test")
	exp := e.account(alice.DID).AccessExpiry()
	calls, refreshes := e.guard.requests(), e.srv.Calls(nsidRefresh)
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{e.clock.Now(), green},
		{exp.Add(-15*time.Minute - time.Second), green},
		{exp.Add(-14 * time.Minute), amber},
		{exp.Add(-2*time.Minute - time.Second), amber},
		{exp.Add(-90 * time.Second), red},
		{exp.Add(time.Hour), red}, // expired: token would refresh it; the prompt does not
	} {
		e.clock.Set(tc.at)
		if out, want := e.promptRun(nil), tc.want+"@alice.test"+reset+"\n"; out != want {
			t.Errorf("%v before expiry: prompt printed %q, want %q", exp.Sub(tc.at), out, want)
		}
	}
	if n := e.guard.requests() - calls; n != 0 || e.srv.Calls(nsidRefresh) != refreshes {
		t.Errorf("prompt made %d requests", n)
	}
}

func TestPromptWrapsItsEscapesForTheShell(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	alice := e.addAccount("alice.test")
	e.login("alice.test")
	setHandle(t, e, alice.DID, "al%ice.test")
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, []string{"--shell", "bash"}, "\x01" + green + "\x02@al%ice.test\x01" + reset + "\x02\n"},
		{nil, []string{"--shell", "zsh"}, "%{" + green + "%}@al%%ice.test%{" + reset + "%}\n"},
		{nil, []string{"--no-color"}, "@al%ice.test\n"},
		{map[string]string{"NO_COLOR": "1"}, []string{"--shell", "bash"}, "@al%ice.test\n"},
		{map[string]string{"NO_COLOR": "1"}, []string{"--shell", "zsh"}, "@al%%ice.test\n"},
	} {
		r := e.runEnv(tc.env, append([]string{"prompt"}, tc.args...)...)
		if r.code != exitOK || r.stdout != tc.want {
			t.Errorf("%v %v: got %q (%s), want %q", tc.env, tc.args, r.stdout, r, tc.want)
		}
	}
	wantCode(t, e.run("", "prompt", "--shell", "fish"), exitUsage)
}

func TestPromptFollowsTheOverride(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	alice, _, _ := threeSaved(e) // carol is active
	pin := func(v string) map[string]string { return map[string]string{envAccount: v} }
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, nil, green + "@carol.test" + reset},
		{pin("bob.test"), nil, green + "@bob.test" + reset},
		{pin(alice.DID), nil, green + "@alice.test" + reset},
		{pin("bob.test"), []string{"--account", "@alice.test"}, green + "@alice.test" + reset},
		// A pin to an account logged out meanwhile: token fails there.
		{pin("dave.test"), nil, red + "dave.test (not saved)" + reset},
	} {
		if out := e.promptRun(tc.env, append(tc.args, "prompt")...); out != tc.want+"\n" {
			t.Errorf("%v %v: prompt printed %q, want %q", tc.env, tc.args, out, tc.want)
		}
	}
}

func TestPromptMarksAHandleThatChoosesNone(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	alice, bob, _ := threeSaved(e)
	setHandle(t, e, bob.DID, "alice.test") // bob's server now claims alice's handle
	pin := map[string]string{envAccount: "alice.test"}
	if out, want := e.promptRun(pin), red+"alice.test (chooses none: use its DID)"+reset+"\n"; out != want {
		t.Errorf("a pin by a shared handle: prompt printed %q, want %q", out, want)
	}
	for _, did := range []string{alice.DID, bob.DID} {
		if out, want := e.promptRun(map[string]string{envAccount: did}), green+"@alice.test⚠"+reset+"\n"; out != want {
			t.Errorf("a pin by the DID of an account whose handle is shared: prompt printed %q, want %q", out, want)
		}
	}
	if out, want := e.promptRun(nil), green+"@carol.test"+reset+"\n"; out != want {
		t.Errorf("carol's handle is hers alone: prompt printed %q, want %q", out, want)
	}
	setHandle(t, e, bob.DID, "bob.test")
	err := storage.Open(e.path).Update(func(st *storage.State) error {
		st.SetHandleCheck(alice.DID, storage.HandleCheck{Handle: "alice.test", Status: storage.HandleUnverified, Names: "did:plc:other"})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if out, want := e.promptRun(map[string]string{envAccount: alice.DID}), green+"@alice.test⚠"+reset+"\n"; out != want {
		t.Errorf("an unverified handle: prompt printed %q, want %q", out, want)
	}
}

func TestPromptShowsAnEndedSession(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	alice := e.addAccount("alice.test")
	e.login("alice.test")
	e.revoke(e.account(alice.DID).RefreshJwt)
	e.clock.Set(e.clock.Now().Add(3 * time.Hour))
	wantCode(t, e.run("", "token"), exitNoSession) // the server said the session ended
	if out, want := e.promptRun(nil), red+"@alice.test (ended)"+reset+"\n"; out != want {
		t.Errorf("an ended session: prompt printed %q, want %q", out, want)
	}
}

func TestPromptShowsAKeyringThatCannotGiveTheTokens(t *testing.T) {
	t.Parallel()
	e, k, _ := secretsEnv(t) // bob is active
	if r := e.runK(k, "prompt"); r.code != exitOK || r.stdout != green+"@bob.test"+reset+"\n" {
		t.Errorf("tokens in the file: %s", r)
	}
	wantCode(t, e.runK(k, "secrets", "keyring"), exitOK)
	if r := e.runK(k, "prompt"); r.code != exitOK || r.stdout != green+"@bob.test"+reset+"\n" {
		t.Errorf("tokens in the keyring: %s", r)
	}
	k.Fail(errors.New("prompt dismissed: the collection is locked"))
	if r := e.runK(k, "prompt"); r.code != exitOK || r.stdout != amber+"@bob.test (keyring)"+reset+"\n" || r.stderr != "" {
		t.Errorf("a keyring that fails: %s", r)
	}
}

func TestPromptSanitisesAHostileHandle(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	alice := e.addAccount("alice.test")
	e.login("alice.test")
	setHandle(t, e, alice.DID, "h"+hostile)
	for _, shell := range []string{"plain", "bash", "zsh"} {
		out := e.promptRun(nil, "prompt", "--shell", shell)
		ours := strings.NewReplacer(green, "", reset, "", "\x01", "", "\x02", "").Replace(out)
		if c := unsafeRune(ours); c != -1 {
			t.Errorf("--shell %s: the segment holds %U:\n%q", shell, c, out)
		}
		if !strings.Contains(out, `@h\x1b]0;pwned\a`) {
			t.Errorf("--shell %s: the tampered handle is not shown visibly: %q", shell, out)
		}
	}
}

// setHandle rewrites an account's handle in the accounts file, as a
// tampered file or a server's answer would.
func setHandle(t *testing.T, e *cliEnv, did, handle string) {
	t.Helper()
	err := storage.Open(e.path).Update(func(st *storage.State) error {
		a, _ := st.Account(did)
		a.Handle = handle
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// In bash, a PS1 with the segment is as wide as its text: readline wraps
// a long command line at the terminal's edge, which it would not if it
// counted the colour escapes (they are wrapped in \001 \002).
func TestPromptInBash(t *testing.T) {
	t.Parallel()
	bash := lookTool(t, "bash", "the prompt's bash test")
	_, _, p := newAliceProc(t, fakepds.Options{})
	ps1 := `PS1='$("$BIN" prompt --shell bash)> '`
	// HISTFILE empty: bash writes no history into the config folder as
	// tmux ends it, while the test removes that folder.
	tt := startShell(t, p, `exec `+bash+` --norc --noprofile -i`, "BIN="+p.bin, "TERM=screen", "HISTFILE=")
	tt.waitText("bash-")
	tt.typ(ps1)
	tt.keys("Enter")
	tt.keys("C-l")
	tt.waitFor("the prompt", func(s string) bool { return strings.HasPrefix(s, "@alice.test>") })
	if !hasColour(tt.screen(true)) {
		t.Errorf("the prompt has no colour:\n%q", tt.screen(true))
	}
	line := strings.Repeat("x", 80-len("@alice.test> ")) + "yyyy"
	tt.typ(line)
	s := tt.waitText("yyyy")
	rows := strings.Split(s, "\n")
	if rows[0] != "@alice.test> "+line[:80-13] || !strings.HasPrefix(rows[1], "yyyy") {
		t.Errorf("readline wrapped the line elsewhere than at the edge:\n%s", s)
	}
}
