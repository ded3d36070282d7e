package ui_test

import (
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/auth/fakepds"
	"github.com/skyswitch/skyswitch/ui"
)

// fillLogin opens the form with a and fills service, account and password
// (focus starts on the account: shift+tab goes back to the service).
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
	d.has("Sign-in code", "That code was not accepted")
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
