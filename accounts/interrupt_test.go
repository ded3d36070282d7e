package accounts_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

// heldRefresh makes the strict server rotate alice's token at the next
// refresh and hold the answer for a while.
func heldRefresh(f *fixture, hold time.Duration) {
	f.srv.Inject(nsidRefresh, fakepds.Fault{Kind: fakepds.FaultRotateThenDelay, Delay: hold, Times: 1})
}

// waitRotated waits until the server has rotated tok away (no grace).
func waitRotated(t *testing.T, f *fixture, tok string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); f.srv.RefreshTokenValid(tok); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the refresh never reached the server")
		}
	}
}

// wantRotatedSaved: the accounts file holds a refresh token the strict
// server accepts, not the spent one, and the next refresh works.
func wantRotatedSaved(t *testing.T, f *fixture, old storage.Account) {
	t.Helper()
	st, err := f.m.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := st.Account(old.DID)
	switch {
	case a == nil:
		t.Fatal("the account is gone")
	case a.RefreshJwt == old.RefreshJwt:
		t.Fatal("the rotated tokens were lost: the file still holds the spent refresh token")
	case !f.srv.RefreshTokenValid(a.RefreshJwt) || a.SessionEnded:
		t.Fatalf("the saved refresh token is not accepted (ended %v)", a.SessionEnded)
	}
	if _, err := f.m.Refresh(ctx, old.DID); err != nil {
		t.Fatalf("the next refresh: %v", err)
	}
}

// A refresh whose caller gives up after the server rotated the token, as
// ctrl-c or a script's timeout does, is still waited for and saved; then
// the caller hears of the cancellation. Every path that spends a refresh
// token is tried: token, refresh, a call refreshing before expiry, a call
// refreshing after a rejected token, and the inspector's check.
func TestInterruptedRefreshKeepsTheRotatedTokens(t *testing.T) {
	for _, tc := range []struct {
		name    string
		prepare func(f *fixture)
		run     func(ctx context.Context, m *accounts.Manager) error
	}{
		{"token", func(f *fixture) { f.clk.Advance(3 * time.Hour) }, func(ctx context.Context, m *accounts.Manager) error {
			_, err := m.Token(ctx, "", accounts.TokenMinLeft)
			return err
		}},
		{"refresh", func(*fixture) {}, func(ctx context.Context, m *accounts.Manager) error {
			_, err := m.Refresh(ctx, "")
			return err
		}},
		{"call before expiry", func(f *fixture) { f.clk.Advance(2*time.Hour - 2*time.Minute) }, callGetSession},
		{"call after a rejected token", func(f *fixture) {
			f.srv.Inject(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultQuoteCredentials, Status: 401, Name: "ExpiredToken", Times: 1})
		}, callGetSession},
		{"check", func(f *fixture) { f.clk.Advance(3 * time.Hour) }, func(ctx context.Context, m *accounts.Manager) error {
			_, err := m.Check(ctx, "")
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
			alice := f.login(t, "alice.test")
			tc.prepare(f)
			heldRefresh(f, 300*time.Millisecond)
			cctx, cancel := context.WithCancel(ctx)
			errc := make(chan error, 1)
			go func() { errc <- tc.run(cctx, f.m) }()
			waitRotated(t, f, alice.RefreshJwt)
			cancel()
			if err := <-errc; !errors.Is(err, context.Canceled) {
				t.Errorf("the interrupted call: %v, want the cancellation", err)
			}
			wantRotatedSaved(t, f, alice)
		})
	}
}

func callGetSession(ctx context.Context, m *accounts.Manager) error {
	resp, _, err := m.Call(ctx, "", getSession)
	if err == nil {
		resp.Body.Close()
	}
	return err
}

// A ctx that ended before the refresh was sent sends nothing.
func TestRefreshCancelledBeforeSendingSendsNothing(t *testing.T) {
	f := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
	alice := f.login(t, "alice.test")
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := f.m.Refresh(cctx, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("Refresh: %v", err)
	}
	if n := f.srv.Calls(nsidRefresh); n != 0 || !f.srv.RefreshTokenValid(alice.RefreshJwt) {
		t.Errorf("%d refreshes sent", n)
	}
}

// Settle, as the switcher calls it on quitting, waits for a refresh already
// sent to be saved, and from then on sends none.
func TestSettleWaitsForARefreshInFlight(t *testing.T) {
	f := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
	alice := f.login(t, "alice.test")
	heldRefresh(f, 300*time.Millisecond)
	go f.m.Refresh(ctx, "") // a tea.Cmd: nobody waits for it
	waitRotated(t, f, alice.RefreshJwt)
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := f.m.Settle(sctx); err != nil {
		t.Fatalf("Settle: %v", err)
	}
	st, err := f.m.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := st.Account(alice.DID); a.RefreshJwt == alice.RefreshJwt || !f.srv.RefreshTokenValid(a.RefreshJwt) {
		t.Fatal("Settle returned before the rotated tokens were saved")
	}
	if _, err := f.m.Refresh(ctx, ""); !errors.Is(err, accounts.ErrSettling) || f.srv.Calls(nsidRefresh) != 1 {
		t.Errorf("a refresh after Settle: %v, %d sent in all", err, f.srv.Calls(nsidRefresh))
	}
	// With nothing in flight, Settle returns at once.
	idle := &accounts.Manager{Store: f.m.Store, Client: f.m.Client, Now: f.m.Now}
	done, cancelDone := context.WithCancel(ctx)
	cancelDone()
	if err := idle.Settle(done); err != nil {
		t.Errorf("Settle with nothing in flight: %v", err)
	}
}

// A check that gave up while its refresh was out still records what the
// server said when it lands: here, that the session is over, in the
// server's words, not "context canceled".
func TestInterruptedCheckRecordsAnEndedSession(t *testing.T) {
	f := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
	alice := f.login(t, "alice.test")
	if err := f.m.Client.DeleteSession(ctx, alice.SessionData); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(3 * time.Hour) // the check refreshes first
	f.srv.Inject(nsidRefresh, fakepds.Fault{Kind: fakepds.FaultDelay, Delay: 300 * time.Millisecond, Times: 1})
	cctx, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() { _, err := f.m.Check(cctx, ""); errc <- err }()
	for deadline := time.Now().Add(10 * time.Second); f.srv.Calls(nsidRefresh) == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the refresh never reached the server")
		}
	}
	cancel()
	if err := <-errc; !errors.Is(err, accounts.ErrSessionEnded) {
		t.Errorf("Check: %v, want ErrSessionEnded", err)
	}
	st, _ := f.m.Load(ctx)
	if a, _ := st.Account(alice.DID); !a.SessionEnded || a.LastRefreshError == "" || strings.Contains(a.LastRefreshError, "context") {
		t.Errorf("ended %v, reason %q", a.SessionEnded, a.LastRefreshError)
	}
}

// Settle waits for a logout already sent too, so that the account the
// server no longer knows is removed from the file.
func TestSettleWaitsForALogoutInFlight(t *testing.T) {
	f := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
	alice := f.login(t, "alice.test")
	const nsidDelete = "com.atproto.server.deleteSession"
	f.srv.Inject(nsidDelete, fakepds.Fault{Kind: fakepds.FaultDelay, Delay: 300 * time.Millisecond, Times: 1})
	go f.m.Logout(ctx, "")
	for deadline := time.Now().Add(10 * time.Second); f.srv.Calls(nsidDelete) == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the logout never reached the server")
		}
	}
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := f.m.Settle(sctx); err != nil {
		t.Fatalf("Settle: %v", err)
	}
	st, _ := f.m.Load(ctx)
	if _, ok := st.Account(alice.DID); ok || f.srv.ActiveSessions(alice.DID) != 0 {
		t.Errorf("after Settle: still saved %v, %d sessions on the server", ok, f.srv.ActiveSessions(alice.DID))
	}
}
