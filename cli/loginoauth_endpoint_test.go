package cli

// login --oauth with an authorization server whose metadata names a page
// that is not a plain web address: nothing is opened or printed.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// metaRewrite is a transport that hands the fake server's
// authorization-server metadata on with its authorization_endpoint
// replaced.
type metaRewrite struct {
	base     http.RoundTripper
	endpoint string
}

func (m metaRewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := m.base.RoundTrip(req)
	if err != nil || req.URL.Path != "/.well-known/oauth-authorization-server" {
		return resp, err
	}
	defer resp.Body.Close()
	var meta map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&meta); err != nil {
		return nil, err
	}
	meta["authorization_endpoint"] = m.endpoint
	b, _ := json.Marshal(meta)
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
	resp.Header.Del("Content-Length")
	return resp, nil
}

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
			e := newCLIEnv(t, fakepds.Options{})
			e.addAccount("alice.test")
			endpoint := tc.path
			if strings.HasPrefix(endpoint, "/") {
				endpoint = e.srv.OAuthIssuer() + endpoint
			}
			e.client.HTTP.Transport = metaRewrite{base: e.guard, endpoint: endpoint}
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
