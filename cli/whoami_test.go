package cli

// Tests of who a command acts as when what names the account changes
// under it, or names it oddly.

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

// TestAPIPaginateStaysWithTheAccount: every page of api --paginate goes as
// the account the first one went as, though another process switches the
// saved active account between pages (or a handle comes to name another).
func TestAPIPaginateStaysWithTheAccount(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	alice, bob := e.addAccount("alice.test"), e.addAccount("bob.test")
	e.login("alice.test")
	e.login("bob.test") // active
	target, _ := url.Parse(e.srv.URL())
	proxy := httputil.NewSingleHostReverseProxy(target)
	var (
		mu      sync.Mutex
		bearers []string
	)
	stub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/xrpc/com.example.pages" {
			proxy.ServeHTTP(w, r)
			return
		}
		mu.Lock()
		bearers = append(bearers, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("cursor") == "" {
			// Another shell switches to alice while page 1 is on its way.
			err := storage.Open(e.path).Update(func(st *storage.State) error { return st.SetActive(alice.DID) })
			if err != nil {
				t.Error(err)
			}
			w.Write([]byte(`{"items":[1],"cursor":"2"}`))
			return
		}
		w.Write([]byte(`{"items":[2]}`))
	}))
	t.Cleanup(stub.Close)
	err := storage.Open(e.path).Update(func(st *storage.State) error {
		for i := range st.Accounts {
			st.Accounts[i].PDSURL = stub.URL
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	bobToken := e.account(bob.DID).AccessJwt
	r := e.run("", "api", "--paginate", "com.example.pages")
	wantCode(t, r, exitOK)
	mu.Lock()
	defer mu.Unlock()
	if len(bearers) != 2 {
		t.Fatalf("%d pages asked for, want 2:\n%s", len(bearers), r)
	}
	for i, b := range bearers {
		if b != bobToken {
			t.Errorf("page %d went as another account than page 1 (bob, the active one when the command started)", i+1)
		}
	}
}

// TestEmptyAccountArgument: an account argument that is empty ("$acct"
// unset in a script) names no account: it is a usage error, not the saved
// active account (logout "" logged it out) nor the override.
func TestEmptyAccountArgument(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	alice, bob := e.addAccount("alice.test"), e.addAccount("bob.test")
	e.login("alice.test")
	e.login("bob.test") // active
	before, _ := os.ReadFile(e.path)
	calls := e.guard.requests()
	pinned := map[string]string{envAccount: alice.DID}
	for _, tc := range []struct {
		env  map[string]string
		args []string
	}{
		{nil, []string{"logout", ""}},
		{nil, []string{"logout", " "}},
		{nil, []string{"token", ""}},
		{nil, []string{"status", "--json", ""}},
		{nil, []string{"env", ""}},
		{nil, []string{"refresh", ""}},
		{nil, []string{"switch", ""}},
		{pinned, []string{"token", ""}},
		{pinned, []string{"--account", "bob.test", "status", ""}},
	} {
		r := e.runEnv(tc.env, tc.args...)
		wantError(t, r, exitUsage, "the account named is empty")
		if r.stdout != "" {
			t.Errorf("%q printed %q", tc.args, r.stdout)
		}
	}
	if n := e.guard.requests() - calls; n != 0 {
		t.Errorf("an empty account argument made %d requests", n)
	}
	if after, _ := os.ReadFile(e.path); string(after) != string(before) {
		t.Errorf("an empty account argument changed the accounts file (active %s, want %s)", e.state().Active, bob.DID)
	}
}

// TestLookalikeHandleChoosesNone: handles are ASCII and compare
// case-insensitively as ASCII; a name with a Unicode look-alike (K, the
// Kelvin sign, folds to k; ſ, the long s, to s) names no saved account
// however it is given, and a DID differing only in case names none.
func TestLookalikeHandleChoosesNone(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	kate, bob := e.addAccount("kate.test"), e.addAccount("bob.test")
	e.login("kate.test")
	e.login("bob.test") // active
	before, _ := os.ReadFile(e.path)
	calls := e.guard.requests()
	const kelvin, longS = "\u212aate.test", "kate.te\u017ft"
	upperDID := strings.ToUpper(strings.TrimPrefix(kate.DID, "did:plc:"))
	for _, name := range []string{kelvin, "@" + longS, "did:plc:" + upperDID} {
		for _, tc := range []struct {
			env  map[string]string
			args []string
		}{
			{nil, []string{"token", name}},
			{nil, []string{"--account", name, "token"}},
			{map[string]string{envAccount: name}, []string{"token"}},
			{nil, []string{"status", name}},
			{map[string]string{envAccount: name}, []string{"env"}},
			{nil, []string{"--account", name, "api", nsidGetSession}},
			{nil, []string{"--account", name, "exec", "--", "true"}},
			{nil, []string{"switch", name}},
			{nil, []string{"refresh", name}},
			{nil, []string{"logout", name}},
		} {
			r := e.runEnv(tc.env, tc.args...)
			wantError(t, r, exitNoSession, "not a saved account")
			if strings.Contains(r.stderr, "@kate.test") || strings.Contains(r.stderr, kate.DID) {
				t.Errorf("%q names kate:\n%s", tc.args, r)
			}
		}
		if out := e.promptRun(map[string]string{envAccount: name}, "prompt", "--no-color"); !strings.Contains(out, "(not saved)") {
			t.Errorf("prompt pinned to %q shows %q", name, out)
		}
	}
	if n := e.guard.requests() - calls; n != 0 {
		t.Errorf("a look-alike name made %d requests", n)
	}
	if after, _ := os.ReadFile(e.path); string(after) != string(before) || e.state().Active != bob.DID {
		t.Error("a look-alike name changed the accounts file")
	}
	// The plain handle, in any ASCII case, still chooses.
	r := e.run("", "--account", "KATE.Test", "status", "--json")
	if did, _ := statusOf(t, r); did != kate.DID {
		t.Errorf("KATE.Test chose %s", did)
	}
}

// TestPinnedToALoggedOutAccountEveryCommandFails: a shell pinned to a DID
// that another shell logged out fails in every command that takes the
// override, naming the variable; none acts as, or prints, the saved active
// account, and none sends a request.
func TestPinnedToALoggedOutAccountEveryCommandFails(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	_, bob, carol := threeSaved(e) // carol active
	wantCode(t, e.run("", "logout", bob.DID), exitOK)
	pinned := map[string]string{envAccount: bob.DID}
	calls := e.guard.requests()
	for _, args := range [][]string{
		{"token"}, {"status"}, {"status", "--json"}, {"env"}, {"refresh"},
		{"api", nsidGetSession}, {"exec", "--", "true"},
	} {
		r := e.runEnv(pinned, args...)
		wantError(t, r, exitNoSession, "SKYSWITCH_ACCOUNT names @bob.test ("+bob.DID+"), which was logged out")
		if strings.Contains(r.stderr, "carol") || strings.Contains(r.stderr, carol.DID) {
			t.Errorf("%q names the saved active account:\n%s", args, r)
		}
	}
	wantError(t, e.runEnv(pinned, "logout"), exitUsage, "SKYSWITCH_ACCOUNT is set")
	if out := e.promptRun(pinned, "prompt", "--no-color"); out != bob.DID+" (not saved)\n" {
		t.Errorf("prompt pinned to a logged-out DID shows %q", out)
	}
	if n := e.guard.requests() - calls; n != 0 {
		t.Errorf("%d requests sent for a logged-out pin", n)
	}
	if st := e.state(); len(st.Accounts) != 2 || st.Active != carol.DID {
		t.Errorf("the accounts changed: %d saved, active %s", len(st.Accounts), st.Active)
	}
}

// loginWhileAsked is a terminal's input: once read, it logs carol in (as
// another shell would while logout --all's question waits), then answers.
type loginWhileAsked struct {
	e      *cliEnv
	answer string
	done   bool
}

func (r *loginWhileAsked) Read(p []byte) (int, error) {
	if r.done {
		return 0, io.EOF
	}
	r.done = true
	r.e.login("carol.test")
	return copy(p, r.answer), nil
}

// TestLogoutAllLogsOutOnlyTheAccountsItAskedAbout: logout --all in a
// terminal logs out the accounts its question named, not one logged in
// elsewhere while it waited for the answer.
func TestLogoutAllLogsOutOnlyTheAccountsItAskedAbout(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	e.addAccount("alice.test")
	e.addAccount("bob.test")
	carol := e.addAccount("carol.test")
	e.login("alice.test")
	e.login("bob.test")
	r := e.runCLI(&App{Interactive: true, Stdin: &loginWhileAsked{e: e, answer: "y\n"}}, "logout", "--all")
	wantCode(t, r, exitOK)
	if !strings.HasPrefix(r.stderr, "Log out of 2 accounts (@alice.test, @bob.test)? [y/N] ") {
		t.Fatalf("the question: %s", r)
	}
	st := e.state()
	if len(st.Accounts) != 1 || st.Accounts[0].DID != carol.DID || strings.Contains(r.stderr, "carol") {
		t.Errorf("logout --all logged out an account it did not ask about: %d left\n%s", len(st.Accounts), r)
	}
}
