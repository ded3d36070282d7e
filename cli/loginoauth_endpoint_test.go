package cli

// login --oauth with an authorization server whose metadata names a page
// that is not a plain web address: nothing is opened or printed.

import (
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// The page to open comes from the server's metadata: one that is not an
// http(s) address of printable ASCII (another scheme; a C1 control or a
// bidirectional override in its path, which would reach the terminal
// escaped, and the opener not at all) ends the sign-in before anything is
// opened or printed, with the same refusal with or without a browser. The
// metadata's checks refuse most; a quote, which they let through, is
// refused by browser.Check before the page is opened.
func TestOAuthLoginRefusesAStrangeSignInPage(t *testing.T) {
	for _, tc := range []struct{ name, path string }{
		{"javascript", "javascript:alert(1)"},
		{"file", "file:///etc/passwd"},
		{"C1 control", "/oauth/authorize\u009b31m"},
		{"bidi override", "/oauth/\u202eezirohtua"},
		{"quote", `/oauth/"authorize`},
	} {
		defer func(d time.Duration) { oauthWaitLimit = d }(oauthWaitLimit)
		oauthWaitLimit = 10 * time.Millisecond // a wait that starts fails fast
		for _, noBrowser := range []bool{false, true} {
			e := newCLIEnv(t, fakepds.Options{AuthorizationEndpoint: tc.path})
			e.addAccount("alice.test")
			opened := false
			args := []string{"login", "--oauth", "--service", e.srv.URL(), "--identifier", "alice.test"}
			if noBrowser {
				args = append(args, "--no-browser")
			}
			r := e.runCLI(&App{OpenBrowser: func(string) error { opened = true; return nil }}, args...)
			if r.code != exitFailure || opened || strings.Contains(r.stderr, "Open this address") ||
				strings.ContainsAny(r.stderr, "\u202e\u009b") || strings.Contains(r.stderr, "Waiting") ||
				!strings.Contains(r.stderr, "skyswitch: ") {
				t.Errorf("%s (no browser: %v): opened %v: %s", tc.name, noBrowser, opened, r)
			}
			if st := e.state(); len(st.Accounts) != 0 {
				t.Fatalf("%s: saved an account", tc.name)
			}
		}
	}
}
