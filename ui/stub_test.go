package ui_test

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/ui"
)

// stub is a Service with no server and no file: Load returns st (or
// loadErr); the other calls fail with err unless a test sets them.
// Warnings drains warnings, as the store does; a test adds to it with warn.
type stub struct {
	mu       sync.Mutex
	st       *storage.State
	loadErr  error
	err      error
	calls    []string
	warnings []string
	stamp    string // what Stamp says; change it to have the model reload
}

var _ ui.Service = (*stub)(nil)

func (s *stub) record(call string) { s.mu.Lock(); s.calls = append(s.calls, call); s.mu.Unlock() }

func (s *stub) Load(context.Context) (*storage.State, error) {
	s.record("Load")
	if s.loadErr != nil {
		return nil, s.loadErr
	}
	s.mu.Lock()
	src := s.st
	s.mu.Unlock()
	// A copy, as a fresh read of the file would be.
	c := *src
	c.Accounts = append([]storage.Account(nil), src.Accounts...)
	c.PendingLogouts = append([]storage.PendingLogout(nil), src.PendingLogouts...)
	return &c, nil
}
func (s *stub) Stamp() string { s.mu.Lock(); defer s.mu.Unlock(); return "stub" + s.stamp }

// replace makes st what the file holds, as another process's write would:
// the next tick reloads it.
func (s *stub) replace(st *storage.State) {
	s.mu.Lock()
	s.st = st
	s.stamp += "+"
	s.mu.Unlock()
}

// Warnings is not recorded in calls: every command reads it.
func (s *stub) Warnings() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.warnings
	s.warnings = nil
	return w
}

// warn raises warnings, as the store does while a command runs.
func (s *stub) warn(w ...string) { s.mu.Lock(); s.warnings = append(s.warnings, w...); s.mu.Unlock() }

// count is how many calls were recorded with this prefix.
func (s *stub) count(prefix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		if strings.HasPrefix(c, prefix) {
			n++
		}
	}
	return n
}
func (s *stub) Login(context.Context, auth.LoginInput) (storage.Account, error) {
	s.record("Login")
	return storage.Account{}, s.err
}
func (s *stub) LoginAgain(_ context.Context, did string, _ auth.LoginInput) (storage.Account, error) {
	s.record("LoginAgain " + did)
	return storage.Account{}, s.err
}
func (s *stub) StartOAuth(context.Context, auth.OAuthRequest) (*auth.OAuthPending, error) {
	s.record("StartOAuth")
	return nil, cmp.Or(s.err, errors.New("stub: no server"))
}
func (s *stub) FinishOAuth(context.Context, *auth.OAuthPending, string) (storage.Account, error) {
	s.record("FinishOAuth")
	return storage.Account{}, s.err
}
func (s *stub) FinishOAuthAgain(_ context.Context, did string, _ *auth.OAuthPending, _ string) (storage.Account, error) {
	s.record("FinishOAuthAgain " + did)
	return storage.Account{}, s.err
}
func (s *stub) Switch(_ context.Context, ident string) (storage.Account, error) {
	s.record("Switch " + ident)
	return storage.Account{}, s.err
}
func (s *stub) Refresh(_ context.Context, ident string) (storage.Account, error) {
	s.record("Refresh " + ident)
	return storage.Account{}, s.err
}
func (s *stub) Logout(_ context.Context, ident string) (accounts.LogoutResult, error) {
	s.record("Logout " + ident)
	return accounts.LogoutResult{}, s.err
}
func (s *stub) RetryPendingLogouts(context.Context) (int, int, error) { return 0, 0, nil }
func (s *stub) Check(_ context.Context, ident string) (storage.Account, error) {
	s.record("Check " + ident)
	return storage.Account{}, s.err
}

// fakeJWT is a token with the claims skyswitch reads; no server would
// accept it. An access token's scope is an app password's.
func fakeJWT(typ, sub string, iat time.Time, life time.Duration) string {
	scope := auth.ScopeAppPass
	if typ == "refresh+jwt" {
		scope = auth.ScopeRefresh
	}
	return scopedJWT(typ, scope, sub, iat, life)
}

// scopedJWT is fakeJWT with the scope given.
func scopedJWT(typ, scope, sub string, iat time.Time, life time.Duration) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]string{"typ": typ, "alg": "HS256"}) + "." +
		enc(map[string]any{"scope": scope, "sub": sub, "iat": iat.Unix(), "exp": iat.Add(life).Unix()}) +
		".c2lnbmF0dXJlLW5vdC1jaGVja2VkLWJ5LXNreXN3aXRjaA"
}

// manyAccounts is a state of n accounts on a made-up PDS, the middle one
// active.
func manyAccounts(n int, now time.Time) *storage.State {
	st := storage.NewState()
	for i := range n {
		d := numberedDID(i)
		iat := now.Add(-time.Duration(i) * time.Second)
		st.Upsert(storage.Account{SessionData: auth.SessionData{
			AccessJwt:  fakeJWT("at+jwt", d, iat, 2*time.Hour),
			RefreshJwt: fakeJWT("refresh+jwt", d, iat, 90*24*time.Hour),
			DID:        d, Handle: fmt.Sprintf("user%04d.example.test", i), Active: true,
			Service: "https://pds.example.test", PDSURL: "https://pds.example.test",
		}, AddedAt: iat, LastUsedAt: iat})
	}
	if n > 0 {
		_ = st.SetActive(st.Accounts[n/2].DID)
	}
	return st
}

// numberedDID is a distinct did:plc for each i.
func numberedDID(i int) string {
	const b32 = "abcdefghijklmnopqrstuvwxyz234567"
	id := []byte(strings.Repeat("a", 24))
	for j := 23; i > 0; j-- {
		id[j] = b32[i%32]
		i /= 32
	}
	return "did:plc:" + string(id)
}

func TestUnreadableFileShowsWhy(t *testing.T) {
	svc := &stub{loadErr: errors.New("accounts.json: line 3: invalid character")}
	d := newDriver(t, svc, newClock(), ui.Options{})
	d.boot()
	d.has("Cannot read the accounts file: accounts.json: line 3: invalid character",
		"The accounts file could not be read. Nothing was changed")
}

func TestSwitchFailureSaysSo(t *testing.T) {
	svc := &stub{st: manyAccounts(2, t0), err: errors.New("the disk is full")}
	d := newDriver(t, svc, newClock(), ui.Options{})
	d.boot()
	d.key("enter")
	d.has("Could not switch: the disk is full")
}

func TestLogoutFailureSaysSo(t *testing.T) {
	svc := &stub{st: manyAccounts(2, t0), err: errors.New("the file is locked")}
	d := newDriver(t, svc, newClock(), ui.Options{})
	d.boot()
	d.logOut()
	d.has("Could not log out: the file is locked", "@user0000.example.test")
}

// A long error from the inspector's status check is wrapped to the
// window, three lines at most.
func TestInspectorLongCheckErrorFits(t *testing.T) {
	svc := &stub{st: manyAccounts(2, t0), err: errors.New("the server said: " + strings.Repeat("very long reason ", 20))}
	d := newDriver(t, svc, newClock(), ui.Options{})
	d.boot()
	d.key("i")
	d.fits(d.has("Status check", "the server said: very long reason"), 80, 24)
}

func TestLongListScrollsWithTheCursor(t *testing.T) {
	svc := &stub{st: manyAccounts(1000, t0)}
	d := newDriver(t, svc, newClock(), ui.Options{Select: "user0000.example.test"})
	d.boot()
	v := d.has("1000 accounts", "@user0000.example.test")
	if n := strings.Count(v, "@user"); n > 24 {
		t.Fatalf("%d rows on a 24-line screen", n)
	}
	for range 30 {
		d.key("j")
	}
	if got := d.selectedRow(); got != "user0030.example.test" {
		t.Fatalf("selected %q", got)
	}
	d.hasNot("@user0000.example.test")
	d.key("/")
	d.typ("user0999")
	d.key("enter")
	d.has("@user0999.example.test")
	if got := d.selectedRow(); got != "user0999.example.test" {
		t.Fatalf("selected %q after filtering", got)
	}
}

// BenchmarkView1000 is one frame of the list with 1,000 saved accounts in
// a 120×40 window, the cursor in the middle. The frame is in true colour,
// as the model always draws it (Bubble Tea's renderer converts it to what
// the terminal shows).
func BenchmarkView1000(b *testing.B) {
	svc := &stub{st: manyAccounts(1000, t0)}
	m := ui.New(svc, ui.Options{Now: func() time.Time { return t0 }})
	m, _ = m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m, _ = m.Update(ui.LoadedMsg(svc)) // it opens on the active account, the middle one
	if v := screenOf(m.View()); strings.Count(v, "@user") > 40 || !strings.Contains(v, "@user0500.example.test") {
		b.Fatalf("unexpected frame:\n%s", v)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}
