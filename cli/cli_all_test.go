package cli

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// inFlight is a transport that counts the requests under way at once and
// holds each one a while, longer for those carrying slowToken.
type inFlight struct {
	next      http.RoundTripper
	slowToken string
	mu        sync.Mutex
	now, most int
}

func (f *inFlight) RoundTrip(req *http.Request) (*http.Response, error) {
	f.mu.Lock()
	f.now++
	f.most = max(f.most, f.now)
	f.mu.Unlock()
	defer func() { f.mu.Lock(); f.now--; f.mu.Unlock() }()
	hold := 200 * time.Millisecond
	if f.slowToken != "" && strings.Contains(req.Header.Get("Authorization"), f.slowToken) {
		hold = 800 * time.Millisecond
	}
	time.Sleep(hold)
	return f.next.RoundTrip(req)
}

func (f *inFlight) peak() int { f.mu.Lock(); defer f.mu.Unlock(); return f.most }

// refresh --all and logout --all work on the accounts side by side, and
// still print in the saved order, whichever server answers first.
func TestCLIAllAccountsAtOnceInOrder(t *testing.T) {
	t.Parallel()
	for _, cmd := range []string{"refresh", "logout"} {
		t.Run(cmd, func(t *testing.T) {
			e := newCLIEnv(t, fakepds.Options{})
			handles := []string{"alice.test", "bob.test", "carol.test"}
			for _, h := range handles {
				e.addAccount(h)
				e.login(h)
			}
			e.clock.Set(e.clock.Now().Add(2 * time.Second))
			flight := &inFlight{next: e.guard, slowToken: e.state().Accounts[0].RefreshJwt}
			e.client.HTTP.Transport = flight
			r := e.run("", cmd, "--all")
			wantCode(t, r, exitOK)
			if got := flight.peak(); got != len(handles) {
				t.Errorf("%d requests at once at most, want all %d", got, len(handles))
			}
			var order []string
			for _, line := range strings.Split(r.stderr, "\n") {
				for _, h := range handles {
					if strings.Contains(line, "@"+h+":") || strings.Contains(line, "@"+h+" ") {
						order = append(order, h)
					}
				}
			}
			if strings.Join(order, " ") != strings.Join(handles, " ") {
				t.Errorf("printed in the order %v, want the saved order %v:\n%s", order, handles, r.stderr)
			}
		})
	}
}

// Three accounts on a server that never answers: the waits run side by
// side (all three are sent before any ends), and each failure is said in
// the saved order. A refresh sent outlives the command's deadline (its
// rotated token must be kept) and ends at the client's timeout, 2 s here
// (30 s by default).
func TestCLIRefreshAllOnADeadServer(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	handles := []string{"alice.test", "bob.test", "carol.test"}
	for _, h := range handles {
		e.addAccount(h)
		e.login(h)
	}
	e.srv.Inject(nsidRefresh, fakepds.Fault{Kind: fakepds.FaultDelay, Delay: time.Minute})
	e.deadline = 2 * time.Second // the whole command's, as a user's ctrl+c would be
	e.client.Timeout = 2 * time.Second
	flight := &inFlight{next: e.guard}
	e.client.HTTP.Transport = flight
	r := e.run("", "refresh", "--all")
	wantError(t, r, exitFailure, "refresh failed for 3 of 3 accounts")
	if got := flight.peak(); got != len(handles) {
		t.Errorf("%d requests at once at most, want all %d", got, len(handles))
	}
	var order []string
	for _, line := range strings.Split(r.stderr, "\n") {
		if h, ok := strings.CutPrefix(line, "skyswitch: @"); ok {
			order = append(order, h[:strings.Index(h, ":")])
		}
	}
	if strings.Join(order, " ") != strings.Join(handles, " ") {
		t.Errorf("failures in the order %v, want %v:\n%s", order, handles, r.stderr)
	}
}
