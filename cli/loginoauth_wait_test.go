package cli

// login --oauth's wait for the browser: bounded, and said so; a pasted
// address of another sign-in does not end it.

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// A browser that never comes back (the page left open, the pushed request
// lapsed at the server) does not keep login --oauth waiting for ever: the
// wait's bound is said before it starts (TestOAuthLoginNoBrowserPaste has
// the default's words), and when it runs out the command says so and
// fails, with nothing saved and the listener closed.
func TestOAuthLoginWaitIsBounded(t *testing.T) {
	e := newCLIEnv(t, fakepds.Options{})
	e.addAccount("alice.test")
	defer func(d time.Duration) { oauthWaitLimit = d }(oauthWaitLimit)
	oauthWaitLimit = 50 * time.Millisecond
	r := e.runCLI(&App{}, "login", "--oauth", "--no-browser", "--service", e.srv.URL(), "--identifier", "alice.test")
	wantCode(t, r, exitFailure)
	if !strings.Contains(r.stderr, "Waiting up to 50ms; Ctrl-C cancels.\n"+e.srv.OAuthIssuer()+"/oauth/authorize?") {
		t.Errorf("the line before the address does not say how long the wait is: %s", r)
	}
	if !strings.HasSuffix(r.stderr, "\nskyswitch: login: the browser did not come back within 50ms; nothing was saved\n") {
		t.Errorf("%s", r)
	}
	if st := e.state(); len(st.Accounts) != 0 {
		t.Fatal("saved an account after the wait ran out")
	}
	callback := r.stderr[strings.Index(r.stderr, "http://127.0.0.1:"):]
	callback = callback[:strings.Index(callback, "?")]
	if resp, err := http.Get(callback); err == nil {
		resp.Body.Close()
		t.Fatalf("the listener still answers: HTTP %d", resp.StatusCode)
	}
}

// A pasted address of another sign-in (its state differs: an older run's
// page, another terminal's) is refused and the wait goes on, as the
// listener does with such a callback: it carries nothing this sign-in can
// use, and ending the sign-in on it would let whatever reaches the
// listener, or a wrong tab, end the person's real one. The real callback
// then finishes it.
func TestOAuthLoginPastedStateMismatchKeepsWaiting(t *testing.T) {
	e := newCLIEnv(t, fakepds.Options{})
	alice := e.addAccount("alice.test")
	s := e.start(&App{}, "login", "--oauth", "--no-browser", "--service", e.srv.URL(), "--identifier", "alice.test")
	u, _ := s.waitLine("the authorization URL", authorizeLine(e.srv.OAuthIssuer()))
	cb, err := e.srv.ApproveOAuth(u, alice.DID)
	if err != nil {
		t.Fatal(err)
	}
	forged := strings.Replace(cb, "state=", "state=x", 1)
	if forged == cb {
		t.Fatal("no state in the callback")
	}
	s.paste(forged)
	s.waitLine("the refusal", func(l string) bool { return strings.Contains(l, "its state differs") })
	if !s.running() {
		t.Fatalf("a pasted address of another sign-in ended the wait: %s", s.wait())
	}
	if strings.Contains(s.stderr.String(), forged) {
		t.Error("the pasted address was echoed")
	}
	s.paste(cb)
	r := s.wait()
	wantCode(t, r, exitOK)
	wantNoneOf(t, r, callbackSecrets(t, cb))
	if a := e.account(alice.DID); a.Kind() != auth.KindOAuth {
		t.Fatalf("saved kind %q", a.Kind())
	}
}
