package accounts_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// Logging in again to a saved account revokes the session it replaces: one
// DID, one live session, and nothing left in the queue.
func TestLoginAgainRevokesTheReplacedSession(t *testing.T) {
	f := setup(t, fakepds.Options{})
	first := f.login(t, "alice.test")
	second := f.login(t, "alice.test")
	if f.srv.RefreshTokenValid(first.RefreshJwt) {
		t.Error("the replaced session still works on the server")
	}
	if !f.srv.RefreshTokenValid(second.RefreshJwt) {
		t.Error("the new session does not work")
	}
	if n := f.srv.ActiveSessions(first.DID); n != 1 {
		t.Errorf("%d live sessions on the server, want 1", n)
	}
	st, err := f.m.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.PendingLogouts) != 0 || len(st.Accounts) != 1 {
		t.Errorf("after the second login: %d accounts, %d pending logouts", len(st.Accounts), len(st.PendingLogouts))
	}
	if ws := f.m.Warnings(); len(ws) != 0 {
		t.Errorf("notes for a plain login again: %q", ws)
	}
}

// A login on another server whose answer claims a DID already saved from a
// different PDS: the person is told the PDS changed, and the old session
// is revoked on the old PDS, or queued for it while that one is down.
func TestLoginElsewhereForASavedDIDSaysSoAndRevokesTheOld(t *testing.T) {
	f := setup(t, fakepds.Options{})
	old := f.login(t, "alice.test")
	other := fakepds.New(fakepds.Options{Now: f.clk.Now, IncludeDIDDoc: true})
	t.Cleanup(other.Close)
	other.AddAccount(fakepds.Account{DID: old.DID, Handle: "alice.test", Email: "alice.test@example.com", Password: password})
	f.srv.Inject("com.atproto.server.deleteSession", fakepds.Fault{Kind: fakepds.FaultDrop, Times: 1})

	a, err := f.m.Login(ctx, auth.LoginInput{Service: other.URL(), Identifier: "alice.test", Password: password})
	if err != nil {
		t.Fatal(err)
	}
	if a.PDSURL != other.URL() {
		t.Fatalf("the account's PDS is %s, want the new one %s", a.PDSURL, other.URL())
	}
	notes := strings.Join(f.m.Warnings(), "\n")
	for _, want := range []string{"now lives on " + accounts.HostOf(other.URL()), "could not be revoked", "will retry"} {
		if !strings.Contains(notes, want) {
			t.Errorf("the notes do not say %q:\n%s", want, notes)
		}
	}
	if strings.Contains(notes, old.RefreshJwt) || strings.Contains(notes, old.AccessJwt) {
		t.Error("a note quotes a token")
	}
	st, err := f.m.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p, ok := st.PendingLogout(old.RefreshJwt)
	if !ok || p.Attempts != 1 || p.Session.Endpoint() != old.Endpoint() {
		t.Fatalf("the old session is not queued for its own PDS: %+v", st.PendingLogouts)
	}
	if !f.srv.RefreshTokenValid(old.RefreshJwt) {
		t.Fatal("the old server revoked the session although its answer was dropped")
	}
	// Later, the queue revokes it on the old PDS.
	f.clk.Advance(accounts.PendingBackoff(1))
	if revoked, left, err := f.m.RetryPendingLogouts(ctx); err != nil || revoked != 1 || left != 0 {
		t.Fatalf("RetryPendingLogouts: %d revoked, %d left, %v", revoked, left, err)
	}
	if f.srv.RefreshTokenValid(old.RefreshJwt) {
		t.Error("the old session still works on the old PDS")
	}
}

// cancelAfter is a transport that reads each whole answer, then cancels
// the request's context (as esc in the form would, the moment the server
// has answered) before handing the answer on.
type cancelAfter struct {
	next   http.RoundTripper
	cancel context.CancelFunc
	nsid   string
}

func (c *cancelAfter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err != nil || !strings.HasSuffix(req.URL.Path, c.nsid) {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	c.cancel()
	return resp, nil
}

// A login cancelled once the server had made the session saves nothing and
// leaves no session alive on the server.
func TestLoginCancelledAfterTheServerAnsweredIsRevoked(t *testing.T) {
	f := setup(t, fakepds.Options{})
	carol := f.srv.AddAccount(fakepds.Account{Handle: "carol.test", Email: "carol@example.com", Password: password})
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	f.m.Client.HTTP = &http.Client{Transport: &cancelAfter{next: http.DefaultTransport, cancel: cancel, nsid: "com.atproto.server.createSession"}}
	_, err := f.m.Login(cctx, auth.LoginInput{Service: f.srv.URL(), Identifier: "carol.test", Password: password})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Login: %v, want context.Canceled", err)
	}
	st, err := f.m.Load(ctx)
	if err != nil || len(st.Accounts) != 0 {
		t.Fatalf("saved after a cancel: %v, %d accounts", err, len(st.Accounts))
	}
	if n := f.srv.ActiveSessions(carol.DID); n != 0 {
		t.Errorf("%d sessions left alive on the server", n)
	}
}
