package cli

// token and an OAuth account.

import (
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// token refuses an OAuth account's token (bound to its DPoP key): nothing
// on stdout, exit 1, api and exec named, and nothing refreshed first.
func TestTokenRefusesOAuth(t *testing.T) {
	e := newCLIEnv(t, fakepds.Options{})
	alice := e.addAccount("alice.test")
	open, _ := fakeBrowser(t, func(u string) (string, error) { return e.srv.ApproveOAuth(u, alice.DID) })
	wantCode(t, e.oauthLogin(open, "alice.test"), exitOK)
	e.clock.Set(e.account(alice.DID).AccessExpiry()) // due for a refresh
	r := e.run("", "token")
	wantCode(t, r, exitFailure)
	if r.stdout != "" {
		t.Errorf("token printed %d bytes for an OAuth account", len(r.stdout))
	}
	for _, want := range []string{"@alice.test is signed in with OAuth", "skyswitch api", "skyswitch exec"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("want %q: %s", want, r)
		}
	}
	if n := e.srv.OAuthRefreshes(); n != 0 {
		t.Errorf("token refreshed the session %d times before refusing it", n)
	}
}
