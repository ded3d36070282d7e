package accounts_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

const password = "app-pass-word-1234"

var ctx = context.Background()

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type fixture struct {
	srv *fakepds.Server
	clk *clock
	m   *accounts.Manager
}

func setup(t *testing.T, opts fakepds.Options) *fixture {
	t.Helper()
	clk := &clock{t: time.Unix(1_800_000_000, 0)}
	opts.Now = clk.Now
	srv := fakepds.New(opts)
	t.Cleanup(srv.Close)
	for _, h := range []string{"alice.test", "bob.test"} {
		srv.AddAccount(fakepds.Account{Handle: h, Email: h + "@example.com", Password: password})
	}
	m := &accounts.Manager{
		Store:  storage.Open(filepath.Join(t.TempDir(), "skyswitch", "accounts.json")),
		Client: &auth.Client{Now: clk.Now, Timeout: 2 * time.Second, Resolver: &auth.Resolver{PLCURL: srv.URL()}},
		Now:    clk.Now,
	}
	return &fixture{srv: srv, clk: clk, m: m}
}

func (f *fixture) login(t *testing.T, handle string) storage.Account {
	t.Helper()
	a, err := f.m.Login(ctx, auth.LoginInput{Service: f.srv.URL(), Identifier: handle, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestLoginSavesAndActivates(t *testing.T) {
	f := setup(t, fakepds.Options{})
	alice := f.login(t, "alice.test")
	bob := f.login(t, "bob.test")
	st, err := f.m.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Active != bob.DID || st.Previous != alice.DID || len(st.Accounts) != 2 {
		t.Fatalf("active %s previous %s accounts %d", st.Active, st.Previous, len(st.Accounts))
	}
	f.clk.Advance(time.Hour)
	again := f.login(t, "alice.test")
	if !again.AddedAt.Equal(alice.AddedAt) {
		t.Fatal("logging in again forgot when the account was added")
	}
}

func TestLoginThatCannotBeSavedIsRevoked(t *testing.T) {
	f := setup(t, fakepds.Options{})
	if err := os.MkdirAll(f.m.Store.Path(), 0o700); err != nil { // a folder where the file should be
		t.Fatal(err)
	}
	_, err := f.m.Login(ctx, auth.LoginInput{Service: f.srv.URL(), Identifier: "alice.test", Password: password})
	if err == nil {
		t.Fatal("login succeeded although the session could not be saved")
	}
	if n := f.srv.Calls("com.atproto.server.deleteSession"); n != 1 {
		t.Fatalf("the unsaved session was not revoked: %d deleteSession calls", n)
	}
}

func TestTokenAdoptsAnotherProcesssRefresh(t *testing.T) {
	f := setup(t, fakepds.Options{Grace: fakepds.NoGrace, AccessLifetime: 10 * time.Minute})
	a := f.login(t, "alice.test")
	other := &accounts.Manager{Store: storage.Open(f.m.Store.Path()), Client: f.m.Client, Now: f.m.Now}
	f.clk.Advance(9*time.Minute + 30*time.Second) // under a minute left
	fresh, err := other.Token(ctx, "", accounts.TokenMinLeft)
	if err != nil || fresh.RefreshJwt == a.RefreshJwt {
		t.Fatalf("first process: %v", err)
	}
	got, err := f.m.Token(ctx, "alice.test", accounts.TokenMinLeft)
	if err != nil || got.AccessJwt != fresh.AccessJwt {
		t.Fatalf("second process did not adopt the stored tokens: %v", err)
	}
	if n := f.srv.Calls("com.atproto.server.refreshSession"); n != 1 {
		t.Fatalf("%d refreshes, want 1", n)
	}
}

func TestEndedSessionIsMarkedNotRemoved(t *testing.T) {
	f := setup(t, fakepds.Options{})
	a := f.login(t, "alice.test")
	f.srv.Takedown(a.DID)
	_, err := f.m.Refresh(ctx, "@alice.test")
	if !errors.Is(err, accounts.ErrSessionEnded) || !errors.Is(err, auth.ErrAccountTakedown) {
		t.Fatalf("got %v", err)
	}
	st, _ := f.m.Load(ctx)
	got, ok := st.Account(a.DID)
	if !ok || !got.SessionEnded || got.RefreshJwt != a.RefreshJwt {
		t.Fatal("the account should stay, marked ended, tokens untouched")
	}
	if s := accounts.Summarize(*got, true, f.clk.Now()); s.State != accounts.StateEnded {
		t.Fatalf("state %q", s.State)
	}
	if _, err := f.m.Token(ctx, "", time.Minute); !errors.Is(err, accounts.ErrSessionEnded) {
		t.Fatalf("token for an ended session: %v", err)
	}
	if n := f.srv.Calls("com.atproto.server.refreshSession"); n != 1 {
		t.Fatalf("an ended session was refreshed again (%d calls)", n)
	}
}

func TestTransientRefreshFailureKeepsTokens(t *testing.T) {
	f := setup(t, fakepds.Options{})
	a := f.login(t, "alice.test")
	f.srv.Inject("com.atproto.server.refreshSession", fakepds.Fault{Kind: fakepds.FaultStatus, Status: 503, Times: 1})
	if _, err := f.m.Refresh(ctx, ""); !auth.IsTransient(err) {
		t.Fatalf("got %v", err)
	}
	st, _ := f.m.Load(ctx)
	got, _ := st.Account(a.DID)
	if got.RefreshJwt != a.RefreshJwt || got.SessionEnded || got.LastRefreshError == "" {
		t.Fatalf("after a 503: ended %v error %q", got.SessionEnded, got.LastRefreshError)
	}
	if _, err := f.m.Refresh(ctx, ""); err != nil {
		t.Fatal(err)
	}
	st, _ = f.m.Load(ctx)
	if got, _ := st.Account(a.DID); got.LastRefreshError != "" {
		t.Fatal("recovery did not clear the error")
	}
}

// Logging out the active account leaves no account active, never the
// previous one: a script that logs out and goes on must fail (no active
// account) rather than act as an identity nobody chose. The previous one
// stays for "switch -", and the result names it.
func TestLogoutOfTheActiveAccountLeavesNoneActive(t *testing.T) {
	f := setup(t, fakepds.Options{})
	alice := f.login(t, "alice.test")
	bob := f.login(t, "bob.test") // active, alice previous
	res, err := f.m.Logout(ctx, alice.DID)
	if err != nil || res.WasActive || res.Active != bob.DID || res.ActiveHandle != "bob.test" {
		t.Fatalf("logout of the inactive one: was active %v, active %q (@%s), %v", res.WasActive, res.Active, res.ActiveHandle, err)
	}
	again := f.login(t, "alice.test") // active again, bob previous
	res, err = f.m.Logout(ctx, "")
	if err != nil || !res.WasActive || res.Account.DID != again.DID || res.Active != "" || res.ActiveHandle != "" ||
		res.PreviousHandle != "bob.test" {
		t.Fatalf("logout of the active one: @%s, was active %v, active %q (@%s), previous @%s, %v",
			res.Account.Handle, res.WasActive, res.Active, res.ActiveHandle, res.PreviousHandle, err)
	}
	st, _ := f.m.Load(ctx)
	if st.Active != "" || st.Previous != bob.DID {
		t.Fatalf("active %q previous %q", st.Active, st.Previous)
	}
	if _, err := f.m.Token(ctx, "", time.Minute); !errors.Is(err, accounts.ErrNoAccount) {
		t.Fatalf("token after logging out the active account: %v", err)
	}
}

func TestLogoutQueueAndBackoff(t *testing.T) {
	f := setup(t, fakepds.Options{})
	alice := f.login(t, "alice.test")
	f.login(t, "bob.test")
	f.srv.Inject("com.atproto.server.deleteSession", fakepds.Fault{Kind: fakepds.FaultStatus, Status: 502})
	res, err := f.m.Logout(ctx, "bob.test")
	if err != nil || !res.Queued || !res.WasActive || res.Active != "" || res.PreviousHandle != alice.Handle {
		t.Fatalf("logout: queued %v, was active %v, active %q, previous @%s, %v", res.Queued, res.WasActive, res.Active, res.PreviousHandle, err)
	}
	// Still unreachable: one attempt, then backoff.
	if n, left, err := f.m.RetryPendingLogouts(ctx); n != 0 || left != 1 || err != nil {
		t.Fatalf("retry: %d %d %v", n, left, err)
	}
	calls := f.srv.Calls("com.atproto.server.deleteSession")
	f.m.RetryPendingLogouts(ctx)
	if f.srv.Calls("com.atproto.server.deleteSession") != calls {
		t.Fatal("retried inside the backoff window")
	}
	f.srv.ClearFaults()
	f.clk.Advance(accounts.PendingBackoff(1))
	if n, left, err := f.m.RetryPendingLogouts(ctx); n != 1 || left != 0 || err != nil {
		t.Fatalf("retry after recovery: %d %d %v", n, left, err)
	}
	st, _ := f.m.Load(ctx)
	if len(st.PendingLogouts) != 0 || len(st.Accounts) != 1 {
		t.Fatalf("pending %d accounts %d", len(st.PendingLogouts), len(st.Accounts))
	}
}

func TestSwitchBack(t *testing.T) {
	f := setup(t, fakepds.Options{})
	alice := f.login(t, "alice.test")
	bob := f.login(t, "bob.test")
	if a, err := f.m.Switch(ctx, "-"); err != nil || a.DID != alice.DID {
		t.Fatalf("switch -: %v", err)
	}
	if a, err := f.m.Switch(ctx, "-"); err != nil || a.DID != bob.DID {
		t.Fatalf("switch - again: %v", err)
	}
	if _, err := f.m.Switch(ctx, "nobody.test"); !errors.Is(err, accounts.ErrNoAccount) {
		t.Fatalf("unknown: %v", err)
	}
}
