package accounts_test

import (
	"testing"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

// testRedirect is where the fake's approval sends the browser back; no
// listener is needed: the callback URL is handed to FinishOAuth.
const testRedirect = "http://127.0.0.1:1/callback"

// startOAuth begins a sign-in of handle at the fake through m.
func (f *fixture) startOAuth(t *testing.T, m *accounts.Manager, handle string) *auth.OAuthPending {
	t.Helper()
	p, err := m.StartOAuth(ctx, auth.OAuthRequest{Service: f.srv.URL(), Identifier: handle, RedirectURI: testRedirect})
	if err != nil {
		t.Fatalf("StartOAuth: %v", err)
	}
	return p
}

// approve is the person at the browser consenting to p as did.
func (f *fixture) approve(t *testing.T, p *auth.OAuthPending, did string) string {
	t.Helper()
	cb, err := f.srv.ApproveOAuth(p.AuthorizeURL(), did)
	if err != nil {
		t.Fatalf("ApproveOAuth: %v", err)
	}
	return cb
}

// oauthLogin signs handle in through the browser (the fake approving at
// once) and saves the session with FinishOAuth.
func (f *fixture) oauthLogin(t *testing.T, handle string) storage.Account {
	t.Helper()
	p := f.startOAuth(t, f.m, handle)
	a, err := f.m.FinishOAuth(ctx, p, f.approve(t, p, p.DID()))
	if err != nil {
		t.Fatalf("FinishOAuth: %v", err)
	}
	if a.Kind() != auth.KindOAuth {
		t.Fatalf("FinishOAuth saved a %s session", a.Kind())
	}
	return a
}

// process is another Manager on f's file with a client of its own (its
// own nonces), as another skyswitch process would have.
func (f *fixture) process() *accounts.Manager {
	return &accounts.Manager{
		Store:  storage.Open(f.m.Store.Path()),
		Client: &auth.Client{Now: f.clk.Now, Timeout: f.m.Client.Timeout, Resolver: &auth.Resolver{PLCURL: f.srv.URL()}},
		Now:    f.clk.Now,
	}
}

// stored is did's account as the file holds it now.
func (f *fixture) stored(t *testing.T, did string) storage.Account {
	t.Helper()
	st, err := f.m.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a, ok := st.Account(did)
	if !ok {
		t.Fatalf("%s is not saved", did)
	}
	return *a
}

// liveOAuth is the fake's one live session row of did; it fails the test
// when there is not exactly one.
func liveOAuth(t *testing.T, srv *fakepds.Server, did string) fakepds.OAuthSession {
	t.Helper()
	rows := srv.OAuthSessions(did)
	if len(rows) != 1 {
		t.Fatalf("%d live OAuth sessions on the server, want 1", len(rows))
	}
	return rows[0]
}
