package fakepds_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// FaultRotateThenDelay rotates at once and holds the answer: a client that
// gives up meanwhile has spent its token and never learns the new one; one
// that waits gets the rotated pair, which works.
func TestFaultRotateThenDelay(t *testing.T) {
	s, _, _ := newServer(t, fakepds.Options{Grace: fakepds.NoGrace})
	sess := mustLogin(t, s, "alice.test", testPassword)
	const nsid = "com.atproto.server.refreshSession"
	s.Inject(nsid, fakepds.Fault{Kind: fakepds.FaultRotateThenDelay, Delay: time.Hour, Times: 1})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, "POST", s.URL()+"/xrpc/"+nsid, nil)
		req.Header.Set("Authorization", "Bearer "+sess.RefreshJwt)
		resp, err := (&http.Client{Transport: &http.Transport{}}).Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	for deadline := time.Now().Add(10 * time.Second); s.RefreshTokenValid(sess.RefreshJwt); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the held refresh never rotated the token")
		}
	}
	cancel()
	if err := <-errc; err == nil {
		t.Fatal("the answer arrived although it is held for an hour")
	}
	if s.ActiveSessions(sess.DID) != 1 {
		t.Errorf("%d active sessions", s.ActiveSessions(sess.DID))
	}
	// Held briefly, the answer comes, and its tokens work.
	s.Inject(nsid, fakepds.Fault{Kind: fakepds.FaultRotateThenDelay, Delay: 20 * time.Millisecond, Times: 1})
	other := mustLogin(t, s, "alice.test", testPassword)
	resp, body, err := rawDo(s, "POST", nsid, other.RefreshJwt)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("held answer: %v %v", err, resp)
	}
	var fresh session
	if err := json.Unmarshal(body, &fresh); err != nil || !s.RefreshTokenValid(fresh.RefreshJwt) || s.RefreshTokenValid(other.RefreshJwt) {
		t.Errorf("held answer's tokens: %v, new valid %v, old valid %v", err, s.RefreshTokenValid(fresh.RefreshJwt), s.RefreshTokenValid(other.RefreshJwt))
	}
	if got := fakepds.FaultRotateThenDelay.String(); got != "rotate-then-delay" {
		t.Errorf("String = %q", got)
	}
}
