package cli

// An OAuth account used by the built binary from two processes at once.

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

// oauthSignIn signs handle in through the browser (the fake approving at
// once) into p's accounts file, as `login --oauth` would.
func (p *procEnv) oauthSignIn(handle string) storage.Account {
	p.t.Helper()
	ctx := context.Background()
	m := &accounts.Manager{Store: storage.Open(p.path()), Client: &auth.Client{Timeout: 5 * time.Second, Resolver: &auth.Resolver{PLCURL: p.srv.URL()}}}
	pending, err := m.StartOAuth(ctx, auth.OAuthRequest{Service: p.srv.URL(), Identifier: handle, RedirectURI: "http://127.0.0.1:1/callback"})
	if err != nil {
		p.t.Fatalf("StartOAuth: %v", err)
	}
	cb, err := p.srv.ApproveOAuth(pending.AuthorizeURL(), pending.DID())
	if err != nil {
		p.t.Fatal(err)
	}
	a, err := m.FinishOAuth(ctx, pending, cb)
	if err != nil {
		p.t.Fatalf("FinishOAuth: %v", err)
	}
	return a
}

// Two processes call getSession through `api` for one OAuth account, 50
// times each, with 2-second access tokens, a little apart so the calls
// span several lifetimes: refreshes before expiry race between the two,
// on a server that ends the whole session on a second spend of a refresh
// token. Then both run `refresh` at the same moment, three times over:
// each refresh starts from the other's tokens. Every command must succeed
// and the session must live, refreshed exactly as often as the server
// says it accepted.
func TestProcessOAuthConcurrentCalls(t *testing.T) {
	t.Parallel()
	srv := newProcServer(t, fakepds.Options{OAuthAccessLifetime: 2 * time.Second})
	alice := srv.AddAccount(fakepds.Account{Handle: "alice.test", Email: "alice@example.com", Password: testPassword})
	p := newProcEnv(t, srv)
	p.oauthSignIn("alice.test")
	start := time.Now()

	both := func(each func(w, i int) bool, times int) {
		var wg sync.WaitGroup
		for w := range 2 {
			wg.Go(func() {
				for i := range times {
					if !each(w, i) {
						return
					}
				}
			})
		}
		wg.Wait()
	}
	both(func(w, i int) bool {
		r := p.run(nil, "api", nsidGetSession)
		var s map[string]any
		if r.code != exitOK || json.Unmarshal([]byte(r.stdout), &s) != nil || s["did"] != alice.DID {
			t.Errorf("worker %d, call %d: %s", w, i, r)
			return false
		}
		time.Sleep(50 * time.Millisecond)
		return true
	}, 50)
	if t.Failed() {
		return
	}
	if n, need := srv.OAuthRefreshes(), int(time.Since(start)/(2*time.Second)); n < max(need, 1) {
		t.Errorf("only %d refreshes in %v of calls with 2-second tokens", n, time.Since(start).Round(time.Millisecond))
	}
	t.Logf("%d refreshes in %v", srv.OAuthRefreshes(), time.Since(start).Round(time.Millisecond))
	before := srv.OAuthRefreshes()
	both(func(w, i int) bool {
		r := p.run(nil, "refresh")
		if r.code != exitOK {
			t.Errorf("worker %d, refresh %d: %s", w, i, r)
		}
		return r.code == exitOK
	}, 3)
	if n := srv.OAuthRefreshes() - before; n != 6 && !t.Failed() {
		t.Errorf("the server accepted %d of 6 refreshes", n)
	}
	st, err := storage.Open(p.path()).Load()
	if err != nil {
		t.Fatal(err)
	}
	a, ok := st.Account(alice.DID)
	if !ok || a.SessionEnded || a.LastRefreshError != "" {
		t.Fatalf("account saved %v, ended %v, last error %q", ok, a != nil && a.SessionEnded, a.LastRefreshError)
	}
	if rows := srv.OAuthSessions(alice.DID); len(rows) != 1 || !srv.OAuthAccessTokenValid(a.AccessJwt) {
		t.Errorf("the session did not survive: %d live rows, stored token valid %v", len(rows), srv.OAuthAccessTokenValid(a.AccessJwt))
	}
	wantCode(t, p.run(nil, "api", nsidGetSession), exitOK)
}
