package ui_test

import (
	"fmt"
	"strings"
	"testing"

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
