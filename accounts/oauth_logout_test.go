package accounts_test

import (
	"net/url"
	"testing"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// Logout of an OAuth account revokes its session at the revocation
// endpoint, with its refresh token, its client_id and a DPoP proof: the
// server's row is gone and the access token no longer works. (The
// endpoint answers 200 whatever it revoked, so the server's side is what
// is checked.)
func TestOAuthLogoutRevokes(t *testing.T) {
	f := setup(t, fakepds.Options{})
	alice := f.oauthLogin(t, "alice.test")
	res, err := f.m.Logout(ctx, "")
	if err != nil || res.Queued || res.Err != nil || !res.WasActive {
		t.Fatalf("Logout: queued %v (%v), %v", res.Queued, res.Err, err)
	}
	if n := len(f.srv.OAuthSessions(alice.DID)); n != 0 || f.srv.OAuthAccessTokenValid(alice.AccessJwt) {
		t.Fatalf("the session lives on the server (%d rows)", n)
	}
	req := f.srv.LastRequest(pathRevoke)
	form, _ := url.ParseQuery(string(req.Body))
	if form.Get("token") != alice.RefreshJwt || form.Get("client_id") != alice.OAuth.ClientID || req.Header.Get("DPoP") == "" {
		t.Error("the revocation did not carry the refresh token, the client_id and a proof")
	}
	if f.srv.Calls("com.atproto.server.deleteSession") != 0 {
		t.Error("an OAuth session was sent to deleteSession")
	}
	if st, _ := f.m.Load(ctx); len(st.Accounts) != 0 || len(st.PendingLogouts) != 0 {
		t.Errorf("%d accounts, %d pending logouts left", len(st.Accounts), len(st.PendingLogouts))
	}
}

// When the revocation endpoint cannot be reached (refused, or failing),
// the account is removed all the same and its session queued, with its
// OAuth data, until RetryPendingLogouts revokes it there, after the
// backoff.
func TestOAuthLogoutQueuedWhenUnreachable(t *testing.T) {
	for _, down := range []string{"connection refused", "503"} {
		t.Run(down, func(t *testing.T) {
			f := setup(t, fakepds.Options{})
			alice := f.oauthLogin(t, "alice.test")
			client := f.m.Client.HTTP
			if down == "503" {
				f.srv.Inject(pathRevoke, fakepds.Fault{Kind: fakepds.FaultStatus, Status: 503})
			} else {
				f.m.Client.HTTP = refusing()
			}
			res, err := f.m.Logout(ctx, "")
			if err != nil || !res.Queued || res.Err == nil {
				t.Fatalf("Logout: queued %v (%v), %v", res.Queued, res.Err, err)
			}
			st, _ := f.m.Load(ctx)
			if len(st.Accounts) != 0 || len(st.PendingLogouts) != 1 {
				t.Fatalf("%d accounts, %d pending logouts", len(st.Accounts), len(st.PendingLogouts))
			}
			if q := st.PendingLogouts[0].Session; q.OAuth == nil || q.OAuth.DPoPKey != alice.OAuth.DPoPKey || q.RefreshJwt != alice.RefreshJwt {
				t.Fatal("the queued logout lost the OAuth session")
			}
			liveOAuth(t, f.srv, alice.DID)
			f.m.RetryPendingLogouts(ctx) // still down: one attempt, then backoff
			f.srv.ClearFaults()
			f.m.Client.HTTP = client
			if n, left, err := f.m.RetryPendingLogouts(ctx); n != 0 || left != 1 || err != nil {
				t.Fatalf("retry inside the backoff: %d revoked, %d left, %v", n, left, err)
			}
			f.clk.Advance(accounts.PendingBackoff(1))
			if n, left, err := f.m.RetryPendingLogouts(ctx); n != 1 || left != 0 || err != nil {
				t.Fatalf("retry: %d revoked, %d left, %v", n, left, err)
			}
			if n := len(f.srv.OAuthSessions(alice.DID)); n != 0 || f.srv.OAuthAccessTokenValid(alice.AccessJwt) {
				t.Errorf("the session lives on the server after the retry (%d rows)", n)
			}
		})
	}
}
