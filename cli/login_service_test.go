package cli

import (
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// TestCLILoginBareLoopbackServiceSaysAddHTTP: `login --service
// localhost:2583` (a PDS on this machine, given without a scheme) is not
// sent as https, which fails as "did not speak TLS": it is refused before
// any request, saying to add http:// with the URL to write; written so,
// the login goes through.
func TestCLILoginBareLoopbackServiceSaysAddHTTP(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	e.addAccount("alice.test")
	hostPort := strings.TrimPrefix(e.srv.URL(), "http://")
	calls := e.guard.requests()
	r := e.run(testPassword+"\n", "login", "--service", hostPort, "--identifier", "alice.test", "--password-stdin")
	checkErr(t, r, exitFailure, "add http:// for a server on this machine without TLS (http://"+hostPort+")")
	if strings.Contains(r.stderr, "did not speak TLS") {
		t.Errorf("stderr: %q", r.stderr)
	}
	if n := e.guard.requests() - calls; n != 0 {
		t.Errorf("%d requests", n)
	}
	r = e.run(testPassword+"\n", "login", "--service", "http://"+hostPort, "--identifier", "alice.test", "--password-stdin")
	if r.code != 0 || !strings.Contains(r.stderr, "Logged in as @alice.test") {
		t.Fatalf("with http:// added: %s", r)
	}
}
