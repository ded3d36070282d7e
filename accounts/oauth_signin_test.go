package accounts_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
)

const pathRevoke = "/oauth/revoke"

// FinishOAuth saves the session as Login does: the account becomes the
// active identity, the one before it the previous, and its OAuth data
// (client_id, key, endpoints, the session's end) is kept.
func TestFinishOAuthSavesAndActivates(t *testing.T) {
	f := setup(t, fakepds.Options{})
	alice := f.oauthLogin(t, "alice.test")
	bob := f.oauthLogin(t, "bob.test")
	st, err := f.m.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Active != bob.DID || st.Previous != alice.DID || len(st.Accounts) != 2 {
		t.Fatalf("active %s previous %s accounts %d", st.Active, st.Previous, len(st.Accounts))
	}
	s := f.stored(t, alice.DID)
	switch o := s.OAuth; {
	case o == nil:
		t.Fatal("the saved session is no OAuth session")
	case o.ClientID != alice.OAuth.ClientID || o.DPoPKey == "" || o.TokenEndpoint != f.srv.OAuthIssuer()+pathToken ||
		o.RevocationEndpoint != f.srv.OAuthIssuer()+pathRevoke:
		t.Errorf("the saved OAuth data: client %q, key %v, endpoints %q %q", o.ClientID, o.DPoPKey != "", o.TokenEndpoint, o.RevocationEndpoint)
	case !o.SessionEndsAt.Equal(f.clk.Now().Add(auth.OAuthSessionLimit)):
		t.Errorf("the session ends %v", o.SessionEndsAt)
	}
	if !f.srv.OAuthAccessTokenValid(s.AccessJwt) || liveOAuth(t, f.srv, alice.DID).ClientID != s.OAuth.ClientID {
		t.Error("the saved session is not the server's")
	}
}

// One DID, one live session, across kinds: an OAuth sign-in for a DID
// saved with a password session replaces it and revokes it
// (deleteSession), and a password login for a DID saved with OAuth
// revokes the OAuth session at the revocation endpoint. Nothing is left
// queued.
func TestOAuthAndPasswordReplaceEachOther(t *testing.T) {
	f := setup(t, fakepds.Options{})
	pw := f.login(t, "alice.test")
	o := f.oauthLogin(t, "alice.test")
	if f.srv.RefreshTokenValid(pw.RefreshJwt) || f.srv.ActiveSessions(pw.DID) != 0 {
		t.Error("the password session replaced by OAuth still works")
	}
	if s := f.stored(t, pw.DID); s.Kind() != auth.KindOAuth || s.RefreshJwt != o.RefreshJwt {
		t.Errorf("the saved session is %s", s.Kind())
	}
	again := f.login(t, "alice.test")
	if n := f.srv.Calls(pathRevoke); n != 1 {
		t.Errorf("%d revocations, want 1", n)
	}
	if n := len(f.srv.OAuthSessions(o.DID)); n != 0 || f.srv.OAuthAccessTokenValid(o.AccessJwt) {
		t.Errorf("the OAuth session replaced by a password login still lives (%d rows)", n)
	}
	if s := f.stored(t, o.DID); s.Kind() != auth.KindPassword || s.OAuth != nil || s.RefreshJwt != again.RefreshJwt {
		t.Errorf("the saved session is %s", s.Kind())
	}
	st, _ := f.m.Load(ctx)
	if len(st.PendingLogouts) != 0 || len(st.Accounts) != 1 {
		t.Errorf("%d accounts, %d pending logouts", len(st.Accounts), len(st.PendingLogouts))
	}
	if ws := f.m.Warnings(); len(ws) != 0 {
		t.Errorf("notes: %q", ws)
	}
}

// A replaced OAuth session whose revocation endpoint cannot be reached is
// queued, with its OAuth data, and revoked there later.
func TestReplacedOAuthSessionIsQueuedWhenUnreachable(t *testing.T) {
	f := setup(t, fakepds.Options{})
	o := f.oauthLogin(t, "alice.test")
	f.srv.Inject(pathRevoke, fakepds.Fault{Kind: fakepds.FaultStatus, Status: 503})
	f.login(t, "alice.test")
	st, _ := f.m.Load(ctx)
	if len(st.PendingLogouts) != 1 || st.PendingLogouts[0].Session.OAuth == nil || st.PendingLogouts[0].Session.RefreshJwt != o.RefreshJwt {
		t.Fatalf("%d pending logouts, or not the OAuth session", len(st.PendingLogouts))
	}
	if ws := strings.Join(f.m.Warnings(), "\n"); !strings.Contains(ws, "skyswitch will retry") {
		t.Errorf("notes: %q", ws)
	}
	f.srv.ClearFaults()
	f.clk.Advance(accounts.PendingBackoff(1))
	if n, left, err := f.m.RetryPendingLogouts(ctx); n != 1 || left != 0 || err != nil {
		t.Fatalf("retry: %d revoked, %d left, %v", n, left, err)
	}
	if n := len(f.srv.OAuthSessions(o.DID)); n != 0 {
		t.Errorf("%d OAuth sessions live after the retry", n)
	}
}

// FinishOAuthAgain is for the account named: a sign-in that comes back
// for another account is revoked and refused, and nothing is saved; one
// for the account renews its session and leaves the active identity.
func TestFinishOAuthAgain(t *testing.T) {
	f := setup(t, fakepds.Options{})
	alice := f.oauthLogin(t, "alice.test")
	bob := f.login(t, "bob.test") // active
	p := f.startOAuth(t, f.m, "bob.test")
	_, err := f.m.FinishOAuthAgain(ctx, alice.DID, p, f.approve(t, p, bob.DID))
	if !errors.Is(err, accounts.ErrOtherAccount) {
		t.Fatalf("FinishOAuthAgain for another account: %v", err)
	}
	if n := len(f.srv.OAuthSessions(bob.DID)); n != 0 {
		t.Errorf("the other account's session was not revoked (%d rows)", n)
	}
	if s := f.stored(t, bob.DID); s.Kind() != auth.KindPassword || s.RefreshJwt != bob.RefreshJwt {
		t.Error("the other account's saved session changed")
	}
	if s := f.stored(t, alice.DID); s.RefreshJwt != alice.RefreshJwt {
		t.Error("the named account's session changed")
	}

	p = f.startOAuth(t, f.m, "alice.test")
	got, err := f.m.FinishOAuthAgain(ctx, alice.DID, p, f.approve(t, p, alice.DID))
	if err != nil || got.RefreshJwt == alice.RefreshJwt || got.Kind() != auth.KindOAuth {
		t.Fatalf("FinishOAuthAgain: %v", err)
	}
	st, _ := f.m.Load(ctx)
	if st.Active != bob.DID {
		t.Errorf("the active identity moved to %s", st.Active)
	}
	if rows := liveOAuth(t, f.srv, alice.DID); rows.JKT == "" || f.srv.OAuthAccessTokenValid(alice.AccessJwt) {
		t.Error("the replaced OAuth session still works")
	}
}

// A sign-in cancelled (esc in the form, ctrl-c) after the server made the
// session, while its first getSession is under way, is revoked and
// nothing is saved.
func TestFinishOAuthCancelledIsRevoked(t *testing.T) {
	f := setup(t, fakepds.Options{})
	carol := f.srv.AddAccount(fakepds.Account{Handle: "carol.test", Email: "carol@example.com", Password: password})
	p := f.startOAuth(t, f.m, "carol.test")
	cb := f.approve(t, p, carol.DID)
	f.srv.Inject(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultDelay, Delay: 5 * time.Second, Times: 1})
	cctx, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() { _, err := f.m.FinishOAuth(cctx, p, cb); errc <- err }()
	waitFor(t, func() bool { return f.srv.Calls(nsidGetSession) > 0 })
	if n := len(f.srv.OAuthSessions(carol.DID)); n != 1 {
		t.Fatalf("%d sessions made", n)
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("FinishOAuth: %v", err)
	}
	if n := len(f.srv.OAuthSessions(carol.DID)); n != 0 {
		t.Errorf("the cancelled sign-in's session was not revoked (%d rows)", n)
	}
	if st, _ := f.m.Load(ctx); len(st.Accounts) != 0 || len(st.PendingLogouts) != 0 {
		t.Errorf("%d accounts, %d pending logouts saved", len(st.Accounts), len(st.PendingLogouts))
	}
}
