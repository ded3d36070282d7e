package cli

// Tests of `skyswitch secrets [file|keyring]`, and of the commands over
// accounts whose tokens are in the keyring, with an in-memory keyring
// given through cli.keyring (the OS one is never touched).

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage/keyringtest"
)

// runK runs a command line with k as the keyring.
func (e *cliEnv) runK(k *keyringtest.Keyring, args ...string) result {
	e.t.Helper()
	r := e.runCLI(&App{Keyring: k}, args...)
	e.noteKeyringTokens(k)
	return r
}

// noteKeyringTokens adds the tokens (and DPoP keys) in k to those no
// output may show (runCLI notes only those in the file).
func (e *cliEnv) noteKeyringTokens(k *keyringtest.Keyring) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, v := range k.Values() {
		for _, part := range strings.Split(v, `"`) {
			if strings.Count(part, ".") == 2 && len(part) > 40 {
				e.tokens[part] = true
			}
		}
		// An OAuth session's item: opaque tokens and a DPoP key.
		var item map[string]string
		if json.Unmarshal([]byte(v), &item) == nil {
			for _, secret := range item {
				if len(secret) >= 16 {
					e.tokens[secret] = true
				}
			}
		}
	}
}

// fileText is the accounts file as it is on disk.
func (e *cliEnv) fileText() string {
	e.t.Helper()
	b, err := os.ReadFile(e.path)
	if err != nil {
		e.t.Fatal(err)
	}
	return string(b)
}

// secretsEnv is a world with alice.test and bob.test logged in (bob
// active), their tokens in the file.
func secretsEnv(t *testing.T) (*cliEnv, *keyringtest.Keyring, map[string]string) {
	t.Helper()
	e := newCLIEnv(t, fakepds.Options{})
	alice, bob := e.addAccount("alice.test"), e.addAccount("bob.test")
	e.login("alice.test")
	e.login("bob.test")
	tokens := map[string]string{
		"alice.test": e.account(alice.DID).AccessJwt,
		"bob.test":   e.account(bob.DID).AccessJwt,
	}
	return e, keyringtest.New(), tokens
}

func wantLines(t *testing.T, r result, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(r.stdout, l+"\n") {
			t.Errorf("stdout lacks the line %q:\n%s", l, r)
		}
	}
}

// secrets shows where tokens are; `secrets keyring` moves every account's
// tokens out of the file into the keyring (the file keeps none, token still
// works); `secrets file` moves them back and empties the keyring.
func TestSecretsShowKeyringAndFile(t *testing.T) {
	t.Parallel()
	e, k, tokens := secretsEnv(t)

	r := e.runK(k, "secrets")
	wantCode(t, r, exitOK)
	wantLines(t, r, "tokens are kept in: the accounts file", "in the OS keyring: none", "in the accounts file: @alice.test, @bob.test",
		"the accounts file: "+e.path)
	if calls := k.Calls(); calls != 0 {
		t.Errorf("showing a file that keeps no tokens in the keyring made %d keyring calls", calls)
	}

	r = e.runK(k, "secrets", "keyring")
	wantCode(t, r, exitOK)
	wantLines(t, r, "tokens are kept in: the OS keyring", "in the OS keyring: @alice.test, @bob.test", "in the accounts file: none",
		"the accounts file: "+e.path)
	if r.stderr != "" {
		t.Errorf("a move that worked printed on stderr:\n%s", r)
	}
	if k.Len() != 2 {
		t.Fatalf("the keyring holds %d items, want 2", k.Len())
	}
	text := e.fileText()
	for h, tok := range tokens {
		if strings.Contains(text, tok) {
			t.Errorf("the accounts file still holds @%s's token", h)
		}
	}
	if !strings.Contains(text, `"version": 2`) && !strings.Contains(text, `"version":2`) {
		t.Errorf("a file that uses the keyring is not version 2")
	}

	r = e.runK(k, "token")
	wantCode(t, r, exitOK)
	if strings.TrimSpace(r.stdout) != tokens["bob.test"] {
		t.Fatal("token does not print the active account's token from the keyring")
	}

	r = e.runK(k, "secrets")
	wantCode(t, r, exitOK)
	wantLines(t, r, "tokens are kept in: the OS keyring", "in the OS keyring: @alice.test, @bob.test")

	r = e.runK(k, "secrets", "file")
	wantCode(t, r, exitOK)
	wantLines(t, r, "tokens are kept in: the accounts file", "in the OS keyring: none", "in the accounts file: @alice.test, @bob.test")
	if k.Len() != 0 {
		t.Errorf("the keyring still holds %d items after secrets file", k.Len())
	}
	st := e.state() // read with no keyring: the tokens are in the file
	for h, tok := range tokens {
		if a, _ := st.Find(h); a == nil || a.AccessJwt != tok || a.Secrets != "" {
			t.Errorf("@%s's tokens are not back in the file", h)
		}
	}
	if st.Version != 1 {
		t.Errorf("version %d after secrets file, want 1", st.Version)
	}
}

func TestSecretsUsageErrors(t *testing.T) {
	t.Parallel()
	e, k, _ := secretsEnv(t)
	before := e.fileText()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"secrets", "vault"}, `want file or keyring, not "vault"`},
		{[]string{"secrets", "file", "keyring"}, "too many arguments"},
		{[]string{"secrets", "--json"}, "unknown flag --json"},
		{[]string{"--account", "alice.test", "secrets"}, "not to secrets"},
	} {
		wantError(t, e.runK(k, tc.args...), exitUsage, tc.want)
	}
	if e.fileText() != before || k.Len() != 0 {
		t.Error("a usage error changed the accounts file or the keyring")
	}
}

// A keyring that fails: `secrets keyring` says so in a note, keeps every
// token in the file, reports where they are and exits 1; run again once
// the keyring works, it moves them.
func TestSecretsKeyringFailsTokensStayInTheFile(t *testing.T) {
	t.Parallel()
	e, k, tokens := secretsEnv(t)
	k.Fail(errors.New("org.freedesktop.secrets was not provided by any .service files"))

	r := e.runK(k, "secrets", "keyring")
	wantCode(t, r, exitFailure)
	wantLines(t, r, "tokens are kept in: the OS keyring", "in the OS keyring: none", "in the accounts file: @alice.test, @bob.test")
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	if len(lines) != 2 ||
		!strings.HasPrefix(lines[0], "skyswitch: note: the OS keyring failed (org.freedesktop.secrets was not provided") ||
		!strings.Contains(lines[0], "@alice.test, @bob.test are kept in the accounts file instead") ||
		lines[1] != "skyswitch: not every account's tokens are in the keyring yet; run skyswitch secrets keyring again once the keyring works" {
		t.Errorf("want one note then the error:\n%s", r)
	}
	st := e.state()
	for h, tok := range tokens {
		if a, _ := st.Find(h); a == nil || a.AccessJwt != tok || a.Secrets != "" {
			t.Errorf("@%s's tokens left the file", h)
		}
	}
	if k.Len() != 0 {
		t.Errorf("the keyring holds %d items", k.Len())
	}
	wantCode(t, e.runK(k, "token"), exitOK) // from the file

	k.Fail(nil)
	r = e.runK(k, "secrets", "keyring")
	wantCode(t, r, exitOK)
	wantLines(t, r, "in the OS keyring: @alice.test, @bob.test", "in the accounts file: none")
}

// Accounts whose keyring tokens cannot be read: list --json says
// keyring-unreadable with the reason (not "expired"); status and token exit
// 1 with the reason; `secrets file` cannot move them, says so and exits 1.
func TestSecretsKeyringUnreadableAccounts(t *testing.T) {
	t.Parallel()
	e, k, _ := secretsEnv(t)
	wantCode(t, e.runK(k, "secrets", "keyring"), exitOK)
	k.Fail(errors.New("prompt dismissed: the collection is locked"))

	r := e.runK(k, "list", "--json")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stderr, "skyswitch: note: cannot read the tokens of @alice.test, @bob.test") {
		t.Errorf("no note about the keyring:\n%s", r)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list) != 2 {
		t.Fatalf("list --json: %v\n%s", err, r)
	}
	for _, a := range list {
		if a["state"] != "keyring-unreadable" || !strings.Contains(fmt.Sprint(a["keyringError"]), "the collection is locked") {
			t.Errorf("@%v: state %v, keyringError %v", a["handle"], a["state"], a["keyringError"])
		}
		if _, ok := a["accessExpiresAt"]; ok {
			t.Errorf("@%v: an expiry for a token nobody read", a["handle"])
		}
	}

	r = e.runK(k, "list")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "keyring-unreadable") || strings.Contains(r.stdout, "expired") {
		t.Errorf("list:\n%s", r)
	}

	r = e.runK(k, "status", "alice.test")
	wantError(t, r, exitFailure, "@alice.test", "its tokens are in the OS keyring, which failed", "the collection is locked")
	if !strings.Contains(r.stdout, "State:") || !strings.Contains(r.stdout, "keyring-unreadable") {
		t.Errorf("status does not show the state:\n%s", r)
	}
	r = e.runK(k, "status", "--json")
	wantCode(t, r, exitFailure)
	if !strings.Contains(r.stdout, `"state": "keyring-unreadable"`) {
		t.Errorf("status --json:\n%s", r)
	}
	wantError(t, e.runK(k, "token"), exitFailure, "@bob.test", "the collection is locked")

	r = e.runK(k, "secrets", "file")
	wantCode(t, r, exitFailure)
	wantLines(t, r, "tokens are kept in: the accounts file", "in the OS keyring: @alice.test, @bob.test")
	if !strings.Contains(r.stderr, "stay in the OS keyring") {
		t.Errorf("secrets file does not say the tokens stay:\n%s", r)
	}
	if k.Len() != 2 {
		t.Errorf("the keyring holds %d items, want the 2 it could not give", k.Len())
	}

	// The keyring answers again: a new run reads the tokens.
	k.Fail(nil)
	r = e.runK(k, "status", "--json")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, `"state": "valid"`) {
		t.Errorf("status once the keyring answers:\n%s", r)
	}
}
