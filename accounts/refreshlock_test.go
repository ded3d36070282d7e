package accounts_test

import (
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

const nsidRefresh = "com.atproto.server.refreshSession"

// TestTwoProcessesRefreshOnce: two Managers, each with its own Store on the
// same file as two processes would have, want a fresh token for the same
// account at once, on a server that revokes a refresh token the moment it
// is used. The account's refresh lock makes the second wait, re-read the
// file and adopt the first one's tokens: the server sees one
// refreshSession, and both end with the same, newest tokens. Without the
// lock the second spends the same refresh token again and the server ends
// the session.
func TestTwoProcessesRefreshOnce(t *testing.T) {
	f := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
	a := f.login(t, "alice.test")
	f.clk.Advance(3 * time.Hour) // the access token has expired; the refresh token lives
	other := &accounts.Manager{
		Store:  storage.Open(f.m.Store.Path()),
		Client: &auth.Client{Now: f.clk.Now, Timeout: 5 * time.Second, Resolver: &auth.Resolver{PLCURL: f.srv.URL()}},
		Now:    f.clk.Now,
	}
	// Each refresh is slow, so the second starts while the first is on the wire.
	f.srv.Inject(nsidRefresh, fakepds.Fault{Kind: fakepds.FaultDelay, Delay: 300 * time.Millisecond, Times: 2})

	type result struct {
		acct storage.Account
		err  error
	}
	first, second := make(chan result, 1), make(chan result, 1)
	go func() {
		acct, err := f.m.Token(ctx, a.DID, accounts.TokenMinLeft)
		first <- result{acct, err}
	}()
	for deadline := time.Now().Add(10 * time.Second); f.srv.Calls(nsidRefresh) == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the first refresh never reached the server")
		}
	}
	go func() {
		acct, err := other.Token(ctx, a.DID, accounts.TokenMinLeft)
		second <- result{acct, err}
	}()
	r1, r2 := <-first, <-second
	if r1.err != nil || r2.err != nil {
		t.Fatalf("first: %v; second: %v", r1.err, r2.err)
	}
	if n := f.srv.Calls(nsidRefresh); n != 1 {
		t.Errorf("the server saw %d refreshSession calls, want 1", n)
	}
	if r1.acct.RefreshJwt != r2.acct.RefreshJwt || r1.acct.AccessJwt != r2.acct.AccessJwt {
		t.Error("the two processes ended with different tokens")
	}
	st, err := f.m.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := st.Account(a.DID)
	switch {
	case stored.RefreshJwt == a.RefreshJwt:
		t.Error("the stored tokens were not refreshed")
	case stored.RefreshJwt != r1.acct.RefreshJwt || stored.AccessJwt != r1.acct.AccessJwt:
		t.Error("the stored tokens are not the ones both processes got")
	case !f.srv.RefreshTokenValid(stored.RefreshJwt) || !f.srv.AccessTokenValid(stored.AccessJwt):
		t.Error("the server does not accept the stored tokens")
	case stored.SessionEnded || stored.LastRefreshError != "":
		t.Errorf("the account was marked: ended %v, error %q", stored.SessionEnded, stored.LastRefreshError)
	}
}
