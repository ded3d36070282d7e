package ui_test

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/ui"
)

// TestFailedLoginFocusesTheFieldToFix: a login that failed for want of a
// server (no PDS found from the handle, an email alone, a service URL
// refused) leaves the focus in the service field, and one refused for its
// identifier in the account field, so that what is typed next goes where
// the error says. Other failures leave the focus where it was.
func TestFailedLoginFocusesTheFieldToFix(t *testing.T) {
	for _, tc := range []struct {
		name  string
		err   error
		field string // the label of the line typing goes to
	}{
		{"no PDS for the handle", fmt.Errorf("%w: handle nobody.test: no DNS record", auth.ErrResolve), "Service"},
		{"an email alone", auth.ErrServiceNeeded, "Service"},
		{"a refused service URL", fmt.Errorf("%w: no host", auth.ErrBadURL), "Service"},
		{"not an identifier", fmt.Errorf("%w: malformed DID", auth.ErrBadIdentifier), "Account"},
		{"a wrong password", auth.ErrAuthenticationRequired, "Password"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc := &stub{st: manyAccounts(1, t0), err: tc.err}
			d := newDriver(t, svc, newClock(), ui.Options{})
			d.boot()
			d.key("a")
			d.typ("nobody.test")
			d.key("tab")
			d.typ("pw")
			d.key("enter")
			if svc.count("Login") != 1 {
				t.Fatalf("calls: %v", svc.calls)
			}
			d.typ("zq")
			got := d.line(tc.field)
			want := "zq"
			if tc.field == "Password" {
				want = "••••" // "pw" and "zq", hidden
			}
			if !strings.Contains(got, want) {
				t.Errorf("typing after %q went elsewhere than %s:\n%s", tc.err, tc.field, d.view())
			}
		})
	}
}

// TestLoginFormBareLoopbackServiceSaysAddHTTP: a service typed as
// 127.0.0.1:port (a PDS on this machine, without a scheme) is refused
// before anything is sent, saying to add http://, as the command line
// says it; the focus is in the service field to add it.
func TestLoginFormBareLoopbackServiceSaysAddHTTP(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.add(nil, "alice.test", false)
	d := w.start(ui.Options{})
	hostPort := strings.TrimPrefix(w.srv.URL(), "http://")
	fillLogin(d, hostPort, "alice.test", password)
	d.key("enter")
	d.has("Unusable server URL: add http:// for a server on this machine without TLS (http://" + hostPort + "), or https:// if it has TLS.")
	d.hasNot("did not speak TLS")
	if n := w.srv.Calls(nsidCreate); n != 0 {
		t.Fatalf("%d logins reached the server", n)
	}
	d.typ("zq")
	if l := d.line("Service"); !strings.Contains(l, hostPort+"zq") {
		t.Errorf("typing went elsewhere than the service: %q", l)
	}
}

// TestLoginPlaceholdersFitTheWindow: the form's fields take the window's
// width, and each shows the longest of its hints that fits whole (at 80
// columns the service's whole "… (or https://bsky.social)", which was cut
// at "(or htt"); narrower windows show shorter hints, never a cut one, and
// no line is wider than the window, a long value scrolled in its field
// included, after a resize too.
func TestLoginPlaceholdersFitTheWindow(t *testing.T) {
	const full = "empty: find my PDS from my handle (or https://bsky.social)"
	for _, tc := range []struct {
		width            int
		service, account string
	}{
		{120, full, "alice.bsky.social, an email or a DID"},
		{80, full, "alice.bsky.social, an email or a DID"},
		{72, full, "alice.bsky.social, an email or a DID"},
		{60, "empty: from my handle (or https://bsky.social)", "alice.bsky.social, an email or a DID"},
		{50, "empty: from my handle", "alice.bsky.social, an email or a DID"},
		{40, "empty: from my handle", "handle, email or DID"},
		{30, "optional", "handle"},
	} {
		t.Run(fmt.Sprint(tc.width), func(t *testing.T) {
			d := newDriver(t, &stub{st: manyAccounts(1, t0)}, newClock(), ui.Options{})
			d.boot()
			d.send(tea.WindowSizeMsg{Width: tc.width, Height: 24})
			d.key("a")
			v := d.view()
			d.fits(v, tc.width, 24)
			for label, want := range map[string]string{"Service ": tc.service, "Account ": tc.account} {
				if got := hintOf(d.line(label), label); got != want {
					t.Errorf("%s shows %q, want %q:\n%s", label, got, want, v)
				}
			}
		})
	}
	// A value longer than its field, the cursor inside it, then a
	// narrower window: the field scrolls within the new width (and the
	// tip a password that is no app password brings wraps).
	d := newDriver(t, &stub{st: manyAccounts(1, t0)}, newClock(), ui.Options{})
	d.boot()
	d.key("a")
	d.key("tab")
	d.typ("not-an-app-password")
	d.key("shift+tab")
	d.typ(strings.Repeat("a", 40) + ".example.com")
	for range 40 {
		d.key("left")
	}
	for _, w := range []int{80, 40, 30, 100} {
		d.send(tea.WindowSizeMsg{Width: w, Height: 24})
		d.fits(d.has("Tip: an app password"), w, 24)
	}
	// The sign-in code form, too.
	d = newDriver(t, &stub{st: manyAccounts(1, t0), err: auth.ErrAuthFactorTokenRequired}, newClock(), ui.Options{})
	d.boot()
	d.send(tea.WindowSizeMsg{Width: 40, Height: 24})
	d.key("a")
	d.typ("alice.test")
	d.key("tab")
	d.typ("pw")
	d.key("enter")
	d.fits(d.has("Sign-in code", "XXXXX-XXXXX"), 40, 24)
}

// hintOf is what a form line shows after its label.
func hintOf(line, label string) string {
	_, after, _ := strings.Cut(line, label)
	return strings.TrimSpace(after)
}

// TestLoginFormOffersSavedServers: while the service field has the focus,
// a line under it offers the servers the saved accounts use (each once, in
// saved order; none that auth would not take as it is), and ctrl+n/ctrl+p
// fill them in, round and round; the line fits narrow windows.
func TestLoginFormOffersSavedServers(t *testing.T) {
	st := manyAccounts(3, t0) // all on https://pds.example.test
	for i, svc := range []string{"http://localhost:2583", "https://pds.example.test", "https://bsky.social", "ftp://evil.example", "https://Bsky.social/", "https://evil.example/\x1b[2J"} {
		a := st.Accounts[0]
		a.DID, a.Handle, a.Service = numberedDID(100+i), fmt.Sprintf("more%d.example.test", i), svc
		st.Upsert(a)
	}
	d := newDriver(t, &stub{st: st}, newClock(), ui.Options{})
	d.boot()
	d.key("a")
	d.hasNot("saved")
	d.key("shift+tab")
	const offer = "saved (ctrl+n): pds.example.test · http://localhost:2583 · bsky.social"
	if l := d.line("saved"); strings.TrimSpace(l) != offer {
		t.Errorf("offer %q, want %q", l, offer)
	}
	d.hasNot("evil", "ftp:", "Bsky")
	ctrl := func(r rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: r, Mod: tea.ModCtrl} }
	for _, step := range []struct {
		key  rune
		want string
	}{
		{'n', "https://pds.example.test"}, {'n', "http://localhost:2583"}, {'n', "https://bsky.social"},
		{'n', "https://pds.example.test"}, {'p', "https://bsky.social"}, {'p', "http://localhost:2583"},
	} {
		d.send(ctrl(step.key))
		if got := hintOf(d.line("Service "), "Service "); got != step.want {
			t.Fatalf("ctrl+%c: the service is %q, want %q", step.key, got, step.want)
		}
	}
	// Typed over, ctrl+p starts again from the last.
	d.typ("x")
	d.send(ctrl('p'))
	if got := hintOf(d.line("Service "), "Service "); got != "https://bsky.social" {
		t.Errorf("after typing, ctrl+p: %q", got)
	}
	for _, w := range []struct {
		width int
		line  string
	}{
		{60, "saved (ctrl+n): pds.example.test · +2 more"},
		{40, "3 saved (ctrl+n)"},
		{24, "3 saved (ctrl+n)"},
	} {
		d.send(tea.WindowSizeMsg{Width: w.width, Height: 24})
		v := d.view()
		d.fits(v, w.width, 24)
		if l := d.line("saved"); strings.TrimSpace(l) != w.line {
			t.Errorf("at %d: %q, want %q", w.width, l, w.line)
		}
	}
}
