package ui_test

// Golden files of the whole screen at 80×24, one per scenario, made by
// running the real program (teatest) over the accounts Manager and the
// fake PDS. Regenerate with `go test ./ui -run Golden -update` and read
// every diff before committing.
//
// What makes them deterministic: the model, the Manager and the fake PDS
// share a clock that stands still (the program's real one-second tick
// only re-reads it), the retry jitter is zero, DIDs are fixed (did()),
// colour is off (TestMain) and clock times print in UTC. The one random
// thing left is the fake PDS's port: the golden is the final View with the
// port's digits replaced by X (the same width, so the columns stay put).
// The golden is the final View rather than the byte stream, whose frame
// boundaries depend on timing.

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/ui"
)

// program runs the TUI over the world in a virtual 80×24 terminal.
type program struct {
	t      *testing.T
	w      *world
	tm     *teatest.TestModel
	output bytes.Buffer // everything the program wrote, for the secrets check
}

func (w *world) run(opts ui.Options) *program {
	opts.Now = w.clk.Now
	opts.Jitter = func() float64 { return 0 }
	m := ui.New(w.mgr, opts)
	p := &program{t: w.t, w: w, tm: teatest.NewTestModel(w.t, ui.Program(m), teatest.WithInitialTermSize(80, 24))}
	w.t.Cleanup(func() { p.tm.Quit() })
	return p
}

// waitFor waits until everything in pieces has appeared on the screen
// since the last wait (a deadline, not a timing: a hang fails the test).
func (p *program) waitFor(pieces ...string) {
	p.t.Helper()
	var last []byte
	teatest.WaitFor(p.t, p.tm.Output(), func(b []byte) bool {
		last = b
		for _, s := range pieces {
			if !bytes.Contains(b, []byte(s)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(15*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	p.output.Write(last)
}

func (p *program) keys(keys ...string) {
	for _, k := range keys {
		p.tm.Send(keyMsg(k))
	}
}

func (p *program) typ(s string) { p.tm.Type(s) }

var portRE = regexp.MustCompile(`127\.0\.0\.1:(\d+)`)

// golden quits the program, compares its final screen with the golden
// file, and checks that no token was ever on the screen.
func (p *program) golden() {
	p.t.Helper()
	p.tm.Quit()
	final := p.tm.FinalModel(p.t, teatest.WithFinalTimeout(15*time.Second))
	_, _ = p.output.ReadFrom(p.tm.Output())
	view := final.View()
	p.checkSecrets(view)
	view = portRE.ReplaceAllStringFunc(view, func(s string) string {
		host, port, _ := strings.Cut(s, ":")
		return host + ":" + strings.Repeat("X", len(port))
	})
	teatest.RequireEqualOutput(p.t, []byte(view))
}

func (p *program) checkSecrets(view string) {
	p.t.Helper()
	st, err := storage.Open(p.w.path).Load()
	if err != nil {
		p.t.Fatal(err)
	}
	secrets := []string{password}
	for _, a := range st.Accounts {
		secrets = append(secrets, a.AccessJwt, a.RefreshJwt)
	}
	for _, q := range st.PendingLogouts {
		secrets = append(secrets, q.Session.AccessJwt, q.Session.RefreshJwt)
	}
	stream := p.output.String()
	for _, s := range secrets {
		if strings.Contains(view, s) || strings.Contains(stream, s) {
			p.t.Errorf("a secret (%d bytes, not printed) was on the screen", len(s))
		}
	}
}

// fill fills the add-account form opened with a.
func (p *program) fill(service, ident, pw string) {
	p.keys("a")
	p.waitFor("Add an account")
	p.keys("shift+tab")
	p.typ(service)
	p.keys("tab")
	p.typ(ident)
	p.keys("tab")
	p.typ(pw)
}

func TestGoldenEmptyStore(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	p := w.run(ui.Options{})
	p.waitFor("No accounts yet.")
	p.golden()
}

func TestGoldenThreeAccounts(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	threeAccounts(w)
	p := w.run(ui.Options{})
	p.waitFor("@alice.test", "@bob.test", "@carol.test")
	p.golden()
}

func TestGoldenLoginSignInCode(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	w.add(nil, "carol.test", true)
	p := w.run(ui.Options{})
	p.waitFor("@alice.test")
	p.fill(w.srv.URL(), "carol.test", password)
	p.keys("enter")
	p.waitFor("Sign-in code", "A sign-in code was sent to your email")
	p.typ(w.srv.SignInCode(did("carol.test")))
	p.keys("enter")
	p.waitFor("Added @carol.test", "2 accounts")
	p.golden()
}

func TestGoldenWrongPassword(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.add(nil, "alice.test", false)
	p := w.run(ui.Options{})
	p.waitFor("No accounts yet.")
	p.fill(w.srv.URL(), "alice.test", "not-the-password")
	p.keys("enter")
	p.waitFor("Wrong identifier or password.")
	p.golden()
}

func TestGoldenTransientFailure(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	w.login(nil, "bob.test")
	w.srv.Inject(nsidRefresh, fakepds.Fault{Kind: fakepds.FaultStatus, Status: 503, RetryAfter: 42 * time.Second})
	// Four minutes left: under the margin, so the first tick refreshes.
	w.clk.Set(w.account("alice.test").AccessExpiry().Add(-4 * time.Minute))
	p := w.run(ui.Options{})
	p.waitFor("@alice.test: refresh failed, server error 503; retrying in 0:42", "@bob.test: refresh failed")
	p.golden()
}

func TestGoldenPermanentFailure(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	alice := w.login(nil, "alice.test")
	w.login(nil, "bob.test")
	// The session was revoked elsewhere; the TUI learns it at the refresh.
	if err := w.mgr.Client.DeleteSession(context.Background(), alice.SessionData); err != nil {
		t.Fatal(err)
	}
	p := w.run(ui.Options{Select: "alice.test"})
	p.waitFor("@alice.test")
	p.keys("r")
	p.waitFor("@alice.test: session expired or revoked; press enter on it to log in again")
	p.golden()
}

func TestGoldenLogout(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	w.login(nil, "bob.test")
	p := w.run(ui.Options{Select: "bob.test"})
	p.waitFor("@bob.test")
	p.keys("x")
	p.waitFor("Logged out @bob.test", "1 account")
	p.golden()
}

func TestGoldenLogoutPending(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	w.login(nil, "bob.test")
	w.srv.Inject(nsidDelete, fakepds.Fault{Kind: fakepds.FaultStatus, Status: 502})
	p := w.run(ui.Options{Select: "bob.test"})
	p.waitFor("@bob.test")
	p.keys("x")
	p.waitFor("@bob.test removed", "logout pending", "1 account")
	p.golden()
}

// The golden tests run the real program; make sure it is the same model
// the driver tests use, i.e. Program only adapts it.
func TestProgramQuitsOnQ(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	p := w.run(ui.Options{})
	p.waitFor("No accounts yet.")
	p.keys("q")
	p.tm.WaitFinished(t, teatest.WithFinalTimeout(15*time.Second))
	if v := p.tm.FinalModel(t).View(); v != "" {
		t.Fatalf("after q the view is %q", v)
	}
}
