package ui_test

// esc while a login is in flight ends its request and goes back to the
// form, the password still there and masked; whatever the cancelled login
// brings back later is dropped.

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/ui"
)

// blockingLogin is a stub whose Login waits until its context ends, then
// answers with late when set (a login the server had completed) or with
// the context's error.
type blockingLogin struct {
	*stub
	called chan context.Context
	late   *storage.Account
}

func (b *blockingLogin) Login(ctx context.Context, _ auth.LoginInput) (storage.Account, error) {
	b.record("Login")
	b.called <- ctx
	<-ctx.Done()
	if b.late != nil {
		return *b.late, nil
	}
	return storage.Account{}, ctx.Err()
}

// within waits for a value from ch, failing the test after 10 s.
func within[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("after 10 s, still no %s", what)
	}
	var zero T
	return zero
}

// submitHeld presses enter on a filled form and runs the login command on
// a goroutine of its own, as Bubble Tea would; its message arrives on the
// returned channel.
func submitHeld(d *driver) <-chan tea.Msg {
	d.t.Helper()
	var login tea.Cmd
	for _, c := range d.pending(keyMsg("enter")) {
		if strings.Contains(cmdName(c), "loginCmd") {
			login = c
		}
	}
	if login == nil {
		d.t.Fatal("enter sent no login")
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- login() }()
	return done
}

func TestEscCancelsALoginInFlight(t *testing.T) {
	bullets := strings.Repeat("•", len(password))
	for _, tc := range []struct {
		name string
		late *storage.Account // what the cancelled login brings back
	}{
		{"its error", nil},
		{"an account the server had made", &storage.Account{SessionData: auth.SessionData{
			DID: did("late.test"), Handle: "late.test", Service: "https://pds.example.test"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc := &blockingLogin{stub: &stub{st: manyAccounts(1, t0)}, called: make(chan context.Context, 1), late: tc.late}
			d := newDriver(t, svc, newClock(), ui.Options{})
			d.secrets[password] = true
			d.boot()
			fillLogin(d, "https://pds.example.test", "late.test", password)
			done := submitHeld(d)
			ctx := within(t, svc.called, "call to Login")
			d.has("signing in…", "esc cancels")

			d.key("esc")
			if within(t, ctx.Done(), "cancellation of the login's context"); ctx.Err() != context.Canceled {
				t.Fatalf("the login's context ended with %v, want it cancelled", ctx.Err())
			}
			d.has("Add an account", "Sign-in cancelled.", "late.test", bullets)
			d.hasNot("signing in", password)

			// The cancelled login's result comes late: dropped.
			d.send(within(t, done, "result from the cancelled login"))
			d.has("Add an account", "Sign-in cancelled.", bullets)
			d.hasNot("Added", "context canceled", "Context canceled", password)
			if n := svc.count("Login"); n != 1 {
				t.Fatalf("%d logins, want 1", n)
			}
			// Nothing saved: the list is as the file has it.
			d.key("esc")
			d.has("1 account", "@user0000.example.test")
			d.hasNot("late.test", "Added")
		})
	}
}

// Against the fake PDS, with createSession held for a minute: esc ends the
// request at once, and nothing is saved or issued.
func TestEscCancelsALoginTheServerHolds(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.add(nil, "alice.test", false)
	w.srv.Inject(nsidCreate, fakepds.Fault{Kind: fakepds.FaultDelay, Delay: time.Minute, Times: 1})
	d := w.start(ui.Options{})
	fillLogin(d, w.srv.URL(), "alice.test", password)
	done := submitHeld(d)
	arrived := make(chan struct{})
	go func() {
		for w.srv.Calls(nsidCreate) == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		close(arrived)
	}()
	within(t, arrived, "createSession at the server")
	d.has("signing in…")

	d.key("esc")
	msg := within(t, done, "end of the held login (the server holds it a minute)")
	d.has("Add an account", "Sign-in cancelled.", strings.Repeat("•", len(password)))
	d.send(msg)
	d.has("Sign-in cancelled.")
	d.hasNot("signing in", "Added", "ontext canceled")
	if st := w.load(); len(st.Accounts) != 0 {
		t.Fatalf("%d accounts saved", len(st.Accounts))
	}
	for _, s := range w.srv.Secrets() {
		if strings.Count(s, ".") == 2 {
			t.Fatal("the server issued tokens for the cancelled login")
		}
	}
	// The form still works: the same password, sent again, signs in.
	d.key("enter")
	d.has("Added @alice.test")
}

// heldLogins is a stub whose every Login waits for the test's answer on
// the channel it hands over, or for its context to end (then it answers
// with late when set, as a login the server had completed, else with the
// context's error).
type heldLogins struct {
	*stub
	calls chan heldLogin
	late  *storage.Account
}

// heldLogin is one Login waiting: its context, and where its answer goes.
type heldLogin struct {
	ctx    context.Context
	answer chan error
}

func (h *heldLogins) Login(ctx context.Context, in auth.LoginInput) (storage.Account, error) {
	h.record("Login")
	answer := make(chan error, 1)
	h.calls <- heldLogin{ctx, answer}
	select {
	case err := <-answer:
		return storage.Account{}, err
	case <-ctx.Done():
	}
	if h.late != nil {
		return *h.late, nil
	}
	return storage.Account{}, ctx.Err()
}

// A login cancelled with esc, then sent again: the first one's result,
// arriving while the second is in flight, is not taken for the second's.
// The form stays busy until its own answer comes, and shows that one.
func TestACancelledLoginsResultIsNotTheNextAttempts(t *testing.T) {
	for _, tc := range []struct {
		name string
		late *storage.Account
	}{
		{"its error", nil},
		{"an account the server had made", &storage.Account{SessionData: auth.SessionData{
			DID: did("late.test"), Handle: "late.test", Service: "https://pds.example.test"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc := &heldLogins{stub: &stub{st: manyAccounts(1, t0)}, calls: make(chan heldLogin, 2), late: tc.late}
			d := newDriver(t, svc, newClock(), ui.Options{})
			d.secrets[password] = true
			d.boot()
			fillLogin(d, "https://pds.example.test", "late.test", password)
			first := submitHeld(d)
			within(t, svc.calls, "the first call to Login")
			d.key("esc")
			d.has("Sign-in cancelled.")
			late := within(t, first, "result from the cancelled login")

			second := submitHeld(d)
			held := within(t, svc.calls, "the second call to Login")
			d.has("signing in…")
			d.send(late)
			d.has("Add an account", "signing in…", "esc cancels")
			d.hasNot("Added", "ontext canceled", "Sign-in cancelled")

			held.answer <- &auth.Error{Method: nsidCreate, Status: 401, Name: "AuthenticationRequired", Message: "Invalid identifier or password"}
			d.send(within(t, second, "result from the second login"))
			d.has("Add an account", "Wrong identifier or password.")
			d.hasNot("signing in", "Added")
			if n := svc.count("Login"); n != 2 {
				t.Fatalf("%d logins, want 2", n)
			}
		})
	}
}
