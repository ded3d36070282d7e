package ui_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/ui"
)

// fillLogin opens the form with a and fills service, account and password
// (focus starts on the account, drawn first; shift+tab goes round to the
// service, drawn last).
func fillLogin(d *driver, service, ident, pw string) {
	d.t.Helper()
	d.key("a")
	d.has("Add an account", "Service", "Account", "Password")
	d.key("shift+tab")
	d.typ(service)
	d.key("tab")
	d.typ(ident)
	d.key("tab")
	d.typ(pw)
}

func TestLoginWithSignInCode(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	w.add(nil, "carol.test", true)
	d := w.start(ui.Options{})
	fillLogin(d, w.srv.URL(), "carol.test", password)
	v := d.has("••••••••••••••••••")
	if strings.Contains(v, password) {
		t.Fatal("the password is shown")
	}
	d.key("enter")
	d.has("Sign-in code", "A sign-in code was sent to your email")
	code := w.srv.SignInCode(did("carol.test"))
	if code == "" {
		t.Fatal("the server sent no code")
	}

	// A malformed code is refused here; a wrong one by the server. Both
	// keep the form, with an error.
	d.typ("nope")
	d.key("enter")
	d.has("Sign-in code", "A sign-in code has 10 letters and digits")
	for range 4 {
		d.key("backspace")
	}
	d.typ("ZZZZZ-ZZZZZ")
	d.key("enter")
	d.has("Sign-in code", "The sign-in code is wrong or has expired; check the newest email and try again.")
	if st := w.load(); len(st.Accounts) != 1 {
		t.Fatal("a wrong code saved an account")
	}

	// esc goes back to the form, which still has what was typed.
	d.key("esc")
	d.has("Add an account", "carol.test", "••••")
	d.hasNot("Sign-in code")
	d.key("enter")
	d.has("Sign-in code")
	code = w.srv.SignInCode(did("carol.test"))
	d.typ(strings.ToLower(code))
	d.key("enter")
	d.has("Added @carol.test; it is now the active account.", "@alice.test", "@carol.test", "2 accounts")
	if l := d.row("carol.test"); !strings.Contains(l, "●") || !strings.HasPrefix(l, "> ") {
		t.Errorf("carol not active and selected: %q", l)
	}
	if st := w.load(); st.Active != did("carol.test") {
		t.Fatal("carol is not the active account in the file")
	}
	// The flow ended: the password is gone from a new form.
	d.key("a")
	d.hasNot("••")
	d.has("xxxx-xxxx-xxxx-xxxx")
}

func TestLoginWrongPasswordKeepsTheForm(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.add(nil, "alice.test", false)
	d := w.start(ui.Options{})
	fillLogin(d, w.srv.URL(), "alice.test", "not-the-password")
	d.key("enter")
	d.has("Add an account", "Wrong identifier or password.", "alice.test")
	if st := w.load(); len(st.Accounts) != 0 {
		t.Fatal("a failed login saved an account")
	}
	// Fix the password and submit again.
	for range len("not-the-password") {
		d.key("backspace")
	}
	d.typ(password)
	d.key("enter")
	d.has("Added @alice.test")
}

func TestLoginFormValidatesAndEscCancels(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	d := w.start(ui.Options{})
	d.key("a")
	d.key("enter")
	d.has("Enter your handle, email or DID.")
	d.typ("alice.test")
	d.key("enter")
	d.has("Enter the (app) password.")
	d.typ("secret-password")
	d.has("Tip: an app password (xxxx-xxxx-xxxx-xxxx) is safer")
	if n := w.srv.Calls(nsidCreate); n != 0 {
		t.Fatalf("%d logins reached the server", n)
	}
	d.key("esc")
	d.has("No accounts yet.")
	// The password typed is dropped with the form.
	d.key("a")
	d.hasNot("••", "alice.test")
}

func TestLoginUnknownServerSaysSo(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	d := w.start(ui.Options{})
	fillLogin(d, "ftp://example", "alice.test", password)
	d.key("enter")
	d.has("Add an account")
	if v := d.view(); !strings.Contains(strings.ToLower(v), "url") && !strings.Contains(v, "http") {
		t.Fatalf("no word about the bad URL:\n%s", d.redact(v))
	}
}

// paste is what Bubble Tea delivers for a bracketed paste.
func paste(s string) tea.PasteMsg { return tea.PasteMsg{Content: s} }

// timedPaste pastes s and fails the test if the model took long over it.
func timedPaste(d *driver, s string) {
	d.t.Helper()
	start := time.Now()
	d.send(paste(s))
	if took := time.Since(start); took > 5*time.Second {
		d.t.Fatalf("a %d-byte paste took %v", len(s), took)
	}
}

// A megabyte pasted into any field of the login form is refused as too
// long, quickly, with the form still inside the window, and nothing goes
// to the server; values at the limits still go.
func TestLoginFormOverlongPastes(t *testing.T) {
	const mib = 1 << 20
	w := newWorld(t, fakepds.Options{})
	w.add(nil, "alice.test", false)
	w.add(nil, "carol.test", true)
	cases := []struct {
		name   string
		fill   func(d *driver) // leaves the focus where enter submits
		want   string
		toServ bool // the values are within the limits: the login goes out
	}{
		{"service", func(d *driver) {
			d.key("shift+tab")
			// Loopback, so that a cut paste sent anyway stays here.
			timedPaste(d, w.srv.URL()+strings.Repeat(" ", mib))
			d.key("tab")
			d.typ("alice.test")
			d.key("tab")
			d.typ(password)
		}, "The service URL is too long: at most 2048 characters.", false},
		{"identifier", func(d *driver) {
			d.key("shift+tab")
			d.typ(w.srv.URL())
			d.key("tab")
			timedPaste(d, "did:plc:"+strings.Repeat("a", mib))
			d.key("tab")
			d.typ(password)
		}, "The handle, email or DID is too long: at most 2048 characters.", false},
		{"password", func(d *driver) {
			d.key("shift+tab")
			d.typ(w.srv.URL())
			d.key("tab")
			d.typ("alice.test")
			d.key("tab")
			timedPaste(d, strings.Repeat("p", mib))
		}, "The password is too long: at most 1024 characters.", false},
		{"password typed one too long", func(d *driver) {
			d.key("tab")
			timedPaste(d, strings.Repeat("p", 1024))
			d.typ("p")
		}, "The password is too long", false},
		{"every field at its limit", func(d *driver) {
			d.key("shift+tab")
			timedPaste(d, w.srv.URL()+strings.Repeat(" ", 2048-len(w.srv.URL())))
			d.key("tab")
			timedPaste(d, "did:plc:"+strings.Repeat("a", 2048-8))
			d.key("tab")
			timedPaste(d, strings.Repeat("p", 1024))
		}, "Wrong identifier or password.", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			calls := w.srv.Calls(nsidCreate)
			d := newDriver(t, w.mgr, w.clk, ui.Options{})
			d.w = w
			d.boot()
			d.key("a")
			tc.fill(d)
			d.key("enter")
			v := d.has("Add an account", tc.want)
			d.fits(v, 80, 24)
			if got := w.srv.Calls(nsidCreate) - calls; got != map[bool]int{true: 1, false: 0}[tc.toServ] {
				t.Fatalf("%d logins reached the server", got)
			}
			if st := w.load(); len(st.Accounts) != 0 {
				t.Fatal("an account was saved")
			}
		})
	}
	// The sign-in code form.
	t.Run("code", func(t *testing.T) {
		d := w.start(ui.Options{})
		fillLogin(d, w.srv.URL(), "carol.test", password)
		d.key("enter")
		d.has("Sign-in code")
		calls := w.srv.Calls(nsidCreate)
		timedPaste(d, strings.Repeat("A", mib))
		d.key("enter")
		d.fits(d.has("Sign-in code", "A sign-in code has 10 letters and digits"), 80, 24)
		if n := w.srv.Calls(nsidCreate) - calls; n != 0 {
			t.Fatalf("%d logins reached the server", n)
		}
	})
	// Nothing longer than the limits ever reached the server.
	for _, r := range w.srv.Requests(nsidCreate) {
		var in struct{ Identifier, Password, AuthFactorToken string }
		if err := json.Unmarshal(r.Body, &in); err != nil {
			t.Fatal(err)
		}
		if len(in.Identifier) > 2048 || len(in.Password) > 1024 || len(in.AuthFactorToken) > 32 {
			t.Errorf("the server got an identifier of %d bytes, a password of %d, a code of %d",
				len(in.Identifier), len(in.Password), len(in.AuthFactorToken))
		}
	}
}
