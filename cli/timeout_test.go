package cli

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// A server that stops answering is said in skyswitch's words, with the
// client's real timeout, by a buffered call (refresh) and by api alike;
// never Go's "context deadline exceeded".
func TestCLIServerTimeoutSaidInOurWords(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	e.addAccount("alice.test")
	e.login("alice.test")
	e.client.Timeout = 200 * time.Millisecond
	u, err := url.Parse(e.srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		nsid string
		args []string
	}{
		{nsidRefresh, []string{"refresh"}},
		{nsidGetSession, []string{"api", nsidGetSession}},
	} {
		e.srv.Inject(tc.nsid, fakepds.Fault{Kind: fakepds.FaultDelay, Delay: 5 * time.Second, Times: 1})
		r := e.run("", tc.args...)
		wantError(t, r, exitFailure, "the server at "+u.Host+" did not answer within 200ms")
		if strings.Contains(r.stderr, "context deadline exceeded") {
			t.Errorf("Go's words:\n%s", r)
		}
		e.srv.ClearFaults()
	}
}

// The command's own deadline, reached while waiting for the server, is
// said the same way, with the time waited.
func TestCLICommandDeadlineSaidInOurWords(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	e.addAccount("alice.test")
	e.login("alice.test")
	e.deadline = 300 * time.Millisecond
	e.srv.Inject(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultDelay, Delay: 5 * time.Second, Times: 1})
	r := e.run("", "api", nsidGetSession)
	wantError(t, r, exitFailure, nsidGetSession+": the server at ", " did not answer within ")
	if strings.Contains(r.stderr, "context deadline exceeded") {
		t.Errorf("Go's words:\n%s", r)
	}
}
