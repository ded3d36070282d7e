package cli

// login --oauth against the fake server's authorization server: the
// browser played by a fake opener (fakepds ApproveOAuth / DenyOAuth, then
// the redirect followed to the listener) or by a person pasting the
// address the browser ended at.

import (
	"net/http"
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// browserPlay is what the fake browser does with an authorization URL:
// the callback URL it is sent back to.
type browserPlay func(authorizeURL string) (string, error)

// fakeBrowser is an opener that plays the browser in the background:
// play, then follow the redirect to the listener. Each callback it came
// back with is sent on the channel.
func fakeBrowser(t *testing.T, play browserPlay) (func(string) error, <-chan string) {
	got := make(chan string, 4)
	return func(u string) error {
		go func() {
			cb, err := play(u)
			if err != nil {
				t.Errorf("the browser: %v", err)
				return
			}
			got <- cb
			follow(t, cb)
		}()
		return nil
	}, got
}

// oauthLogin runs login --oauth for handle on e's server with the opener.
func (e *cliEnv) oauthLogin(open func(string) error, handle string, more ...string) result {
	e.t.Helper()
	args := append([]string{"login", "--oauth", "--service", e.srv.URL(), "--identifier", handle}, more...)
	return e.runCLI(&App{OpenBrowser: open}, args...)
}

func TestOAuthLoginThroughTheBrowser(t *testing.T) {
	e := newCLIEnv(t, fakepds.Options{})
	alice := e.addAccount("alice.test")
	var opened []string
	open, got := fakeBrowser(t, func(u string) (string, error) {
		opened = append(opened, u)
		return e.srv.ApproveOAuth(u, alice.DID)
	})
	// Stdin is empty: its end at once does not end the wait for the browser.
	r := e.oauthLogin(open, "alice.test")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stderr, "Logged in as @alice.test ("+alice.DID+"); it is now the active account.") ||
		!strings.Contains(r.stderr, "waiting up to 10 minutes") || !strings.Contains(r.stderr, "if no page opened, run login --oauth again with --no-browser") {
		t.Errorf("%s", r)
	}
	cb := <-got
	wantNoneOf(t, r, callbackSecrets(t, cb))
	if len(opened) != 1 || !strings.HasPrefix(opened[0], e.srv.OAuthIssuer()+"/oauth/authorize?") {
		t.Fatalf("the opener got %d addresses", len(opened))
	}
	if strings.Contains(r.stderr, opened[0]) {
		t.Error("the address was printed although the browser opened")
	}
	a := e.account(alice.DID)
	if a.Kind() != auth.KindOAuth || e.state().Active != alice.DID {
		t.Fatalf("saved kind %q, active %q", a.Kind(), e.state().Active)
	}
	if n := len(e.srv.OAuthSessions(alice.DID)); n != 1 {
		t.Fatalf("%d OAuth sessions on the server, want 1", n)
	}
	if status, did := sessionWorks(t, e.client, a.SessionData); status != http.StatusOK || did != alice.DID {
		t.Fatalf("getSession with the saved session: HTTP %d, did %q", status, did)
	}
}

func TestOAuthLoginNoBrowserPaste(t *testing.T) {
	e := newCLIEnv(t, fakepds.Options{})
	alice := e.addAccount("alice.test")
	never := func(string) error { t.Error("a browser was opened with --no-browser"); return nil }
	s := e.start(&App{OpenBrowser: never}, "login", "--oauth", "--no-browser", "--service", e.srv.URL(), "--identifier", "alice.test")
	u, before := s.waitLine("the authorization URL alone on a line", authorizeLine(e.srv.OAuthIssuer()))
	if !strings.Contains(before, "Open this address in a browser") || !strings.Contains(before, "paste") ||
		!strings.Contains(before, "Waiting up to 10 minutes") {
		t.Errorf("the line before the address: %q", before)
	}
	cb, err := e.srv.ApproveOAuth(u, alice.DID)
	if err != nil {
		t.Fatal(err)
	}
	// A line that is not the address is said so, and the wait goes on; so
	// is a line longer than any address.
	s.paste(strings.Repeat("x", 10000))
	s.paste("https://bsky.app/profile/alice.test")
	s.waitLine("the garbage refused twice", func(string) bool {
		return strings.Count(s.stderr.String(), "not the address this sign-in comes back to") == 2
	})
	if !s.running() {
		t.Fatalf("a pasted line that is not the address ended the wait: %s", s.wait())
	}
	s.paste("  " + cb + "  ")
	r := s.wait()
	wantCode(t, r, exitOK)
	wantNoneOf(t, r, callbackSecrets(t, cb))
	if a := e.account(alice.DID); a.Kind() != auth.KindOAuth {
		t.Fatalf("saved kind %q", a.Kind())
	}
}

// --no-browser with stdin at its end: the browser of this machine still
// comes back to the listener.
func TestOAuthLoginEndOfStdinKeepsWaiting(t *testing.T) {
	e := newCLIEnv(t, fakepds.Options{})
	alice := e.addAccount("alice.test")
	s := e.start(&App{Stdin: strings.NewReader("")}, "login", "--oauth", "--no-browser", "--service", e.srv.URL(), "--identifier", "alice.test")
	u, _ := s.waitLine("the authorization URL", authorizeLine(e.srv.OAuthIssuer()))
	cb, err := e.srv.ApproveOAuth(u, alice.DID)
	if err != nil {
		t.Fatal(err)
	}
	if !s.running() {
		t.Fatalf("the end of stdin ended the wait: %s", s.wait())
	}
	if status := follow(t, cb); status != http.StatusOK {
		t.Fatalf("the listener answered %d", status)
	}
	wantCode(t, s.wait(), exitOK)
	if a := e.account(alice.DID); a.Kind() != auth.KindOAuth {
		t.Fatalf("saved kind %q", a.Kind())
	}
}

// Each refusal is a plain failure (exit 1) in clear words, and nothing is
// saved: not the account, not its tokens.
func TestOAuthLoginRefusals(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault func(e *cliEnv)
		play  func(e *cliEnv, did string) browserPlay
		want  string
	}{
		{name: "access denied", want: "the sign-in was refused at the browser; nothing was saved",
			play: func(e *cliEnv, _ string) browserPlay { return e.srv.DenyOAuth }},
		{name: "another issuer", want: "the answer comes from another server than the sign-in started at",
			fault: func(e *cliEnv) {
				e.srv.Inject("/oauth/authorize", fakepds.Fault{Kind: fakepds.FaultWrongIssuer, Times: 1})
			}},
		{name: "another account", want: "the server signed in another account than the one asked for",
			fault: func(e *cliEnv) {
				bob := e.addAccount("bob.test")
				e.srv.Inject("/oauth/token", fakepds.Fault{Kind: fakepds.FaultSubMismatch, DID: bob.DID, Times: 1})
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newCLIEnv(t, fakepds.Options{})
			alice := e.addAccount("alice.test")
			if tc.fault != nil {
				tc.fault(e)
			}
			play := func(u string) (string, error) { return e.srv.ApproveOAuth(u, alice.DID) }
			if tc.play != nil {
				play = tc.play(e, alice.DID)
			}
			open, got := fakeBrowser(t, play)
			r := e.oauthLogin(open, "alice.test")
			wantCode(t, r, exitFailure)
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("want %q in stderr: %s", tc.want, r)
			}
			wantNoneOf(t, r, callbackSecrets(t, <-got))
			if st := e.state(); len(st.Accounts) != 0 || st.Active != "" {
				t.Fatalf("saved %d accounts after a refused sign-in", len(st.Accounts))
			}
		})
	}
}

// A callback with another state is not this sign-in's: the listener
// answers it "not awaited" and waits on, and so does the paste of it
// (TestOAuthLoginPastedStateMismatchKeepsWaiting has why); nothing is
// saved.
func TestOAuthLoginStateMismatch(t *testing.T) {
	e := newCLIEnv(t, fakepds.Options{})
	alice := e.addAccount("alice.test")
	e.srv.Inject("/oauth/authorize", fakepds.Fault{Kind: fakepds.FaultWrongState, Times: 1})
	forged := make(chan string, 1)
	open := func(u string) error {
		go func() {
			cb, err := e.srv.ApproveOAuth(u, alice.DID)
			if err != nil {
				t.Errorf("the browser: %v", err)
			}
			if status := follow(t, cb); status != http.StatusBadRequest {
				t.Errorf("the listener answered a callback of another state with %d", status)
			}
			forged <- cb
		}()
		return nil
	}
	s := e.start(&App{OpenBrowser: open}, "login", "--oauth", "--service", e.srv.URL(), "--identifier", "alice.test")
	cb := <-forged
	if !s.running() {
		t.Fatalf("a callback of another state ended the wait: %s", s.wait())
	}
	s.paste(cb)
	s.waitLine("the paste refused", func(l string) bool { return strings.Contains(l, "its state differs); still waiting") })
	if !s.running() {
		t.Fatalf("a pasted callback of another state ended the wait: %s", s.wait())
	}
	s.cancel()
	if r := s.wait(); r.code == exitOK {
		t.Fatalf("%s", r)
	}
	if st := e.state(); len(st.Accounts) != 0 {
		t.Fatal("saved an account after a state mismatch")
	}
}

// Ctrl-C while waiting: the listener closes and nothing is saved.
func TestOAuthLoginInterrupted(t *testing.T) {
	e := newCLIEnv(t, fakepds.Options{})
	e.addAccount("alice.test")
	s := e.start(&App{}, "login", "--oauth", "--no-browser", "--service", e.srv.URL(), "--identifier", "alice.test")
	_, before := s.waitLine("the authorization URL", authorizeLine(e.srv.OAuthIssuer()))
	callback := before[strings.Index(before, "http://127.0.0.1:"):]
	callback = callback[:strings.Index(callback, "?")]
	s.cancel()
	r := s.wait()
	if r.code == exitOK {
		t.Fatalf("an interrupted sign-in succeeded: %s", r)
	}
	if st := e.state(); len(st.Accounts) != 0 {
		t.Fatal("saved an account after an interrupted sign-in")
	}
	if resp, err := http.Get(callback); err == nil {
		resp.Body.Close()
		t.Fatalf("the listener still answers after the interruption: HTTP %d", resp.StatusCode)
	}
}

func TestOAuthLoginFlags(t *testing.T) {
	e := newCLIEnv(t, fakepds.Options{})
	e.addAccount("alice.test")
	for want, args := range map[string][]string{
		"--scope and --no-browser go with --oauth": {"login", "--scope", "atproto", "--identifier", "alice.test"},
		"go with --oauth":                          {"login", "--no-browser", "--identifier", "alice.test"},
		"leave out --password-stdin":               {"login", "--oauth", "--password-stdin", "--identifier", "alice.test"},
		"leave out --auth-factor-token":            {"login", "--oauth", "--auth-factor-token", "AAAAA-BBBBB", "--identifier", "alice.test"},
		// Not in a terminal: the account or its server must be named.
		"give --identifier (a handle or DID) or --service": {"login", "--oauth"},
		"--scope is too long":                              {"login", "--oauth", "--identifier", "alice.test", "--scope", strings.Repeat("x", maxScopeLen+1)},
	} {
		r := e.run("", args...)
		wantCode(t, r, exitUsage)
		if !strings.Contains(r.stderr, want) {
			t.Errorf("want %q: %s", want, r)
		}
	}
	if e.srv.Calls("/oauth/par") != 0 {
		t.Error("a usage error sent a sign-in")
	}
}

// One DID, one live session: an OAuth sign-in over a saved password
// session revokes it, and a password login over an OAuth one revokes that.
func TestOAuthLoginReplacesTheOtherKind(t *testing.T) {
	e := newCLIEnv(t, fakepds.Options{})
	alice := e.addAccount("alice.test")
	e.login("alice.test")
	old := e.account(alice.DID).RefreshJwt
	open, _ := fakeBrowser(t, func(u string) (string, error) { return e.srv.ApproveOAuth(u, alice.DID) })
	wantCode(t, e.oauthLogin(open, "alice.test"), exitOK)
	if a := e.account(alice.DID); a.Kind() != auth.KindOAuth {
		t.Fatalf("saved kind %q after login --oauth", a.Kind())
	}
	if e.srv.RefreshTokenValid(old) {
		t.Error("login --oauth left the password session alive on the server")
	}
	if n := len(e.state().PendingLogouts); n != 0 {
		t.Errorf("%d logouts still owed", n)
	}
	e.login("alice.test")
	if a := e.account(alice.DID); a.Kind() != auth.KindPassword {
		t.Fatalf("saved kind %q after a password login", a.Kind())
	}
	if n := len(e.srv.OAuthSessions(alice.DID)); n != 0 {
		t.Errorf("a password login left %d OAuth sessions alive on the server", n)
	}
}

// In a terminal, login --oauth asks for the account when neither it nor
// its server is named; the rest of stdin stays for a pasted address.
func TestOAuthLoginAsksForTheAccount(t *testing.T) {
	e := newCLIEnv(t, fakepds.Options{})
	alice := e.addAccount("alice.test")
	e.srv.SetOAuthAccount(alice.DID)
	open := func(u string) error {
		go follow(t, u) // the fake approves at once and redirects to the listener
		return nil
	}
	r := e.runCLI(&App{Interactive: true, OpenBrowser: open, Stdin: strings.NewReader(alice.DID + "\n")}, "login", "--oauth")
	wantCode(t, r, exitOK)
	if !strings.HasPrefix(r.stderr, "Handle or DID: ") {
		t.Errorf("%s", r)
	}
	if a := e.account(alice.DID); a.Kind() != auth.KindOAuth {
		t.Fatalf("saved kind %q", a.Kind())
	}
}
