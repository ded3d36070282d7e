package accounts_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

// pathToken is the fake's token endpoint, as faults name it.
const pathToken = "/oauth/token"

// Eight processes (each a Manager with its own Store on the one file and
// its own client) want a fresh token of one OAuth account at once, its
// access token expired, the first refresh slow. The fake ends the whole
// session on any second spend of a refresh token. The account's refresh
// lock makes each wait, read the file again and adopt the first one's
// tokens: the server accepts exactly one refresh, everyone ends with the
// same tokens, and the session lives. Through Token, Call and Check (the
// switcher's status check, which refreshes inside an auth.Session).
func TestOAuthManyProcessesRefreshOnce(t *testing.T) {
	for _, via := range []string{"token", "call", "check"} {
		t.Run(via, func(t *testing.T) {
			f := setup(t, fakepds.Options{})
			alice := f.oauthLogin(t, "alice.test")
			f.clk.Advance(61 * time.Minute) // the access token has expired
			f.srv.Inject(pathToken, fakepds.Fault{Kind: fakepds.FaultDelay, Delay: 200 * time.Millisecond, Times: 1})
			const n = 8
			got := make([]storage.Account, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				m := f.process()
				wg.Go(func() {
					switch via {
					case "token":
						got[i], errs[i] = m.Token(ctx, alice.DID, accounts.TokenMinLeft)
						return
					case "check":
						got[i], errs[i] = m.Check(ctx, alice.DID)
						return
					}
					var resp *auth.RawResponse
					if resp, got[i], errs[i] = m.Call(ctx, alice.DID, getSession); errs[i] == nil {
						resp.Body.Close()
					}
				})
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("process %d: %v", i, err)
				}
				if got[i].RefreshJwt != got[0].RefreshJwt || got[i].AccessJwt != got[0].AccessJwt {
					t.Errorf("process %d ended with other tokens", i)
				}
			}
			if r := f.srv.OAuthRefreshes(); r != 1 {
				t.Errorf("the server accepted %d refreshes, want 1", r)
			}
			s := f.stored(t, alice.DID)
			switch {
			case s.RefreshJwt == alice.RefreshJwt || s.RefreshJwt != got[0].RefreshJwt:
				t.Error("the file does not hold the one refresh's tokens")
			case s.SessionEnded || s.LastRefreshError != "":
				t.Errorf("the account was marked: ended %v, error %q", s.SessionEnded, s.LastRefreshError)
			case !f.srv.OAuthAccessTokenValid(s.AccessJwt):
				t.Error("the server does not take the stored access token")
			}
			if liveOAuth(t, f.srv, alice.DID).Refreshes != 1 {
				t.Error("the live session is not the one refreshed once")
			}
		})
	}
}

// A refresh whose answer never arrives may or may not have been spent on
// the server. accounts keeps to the password sessions' rule: nothing is
// sent again within the refresh (the error is transient, recorded, and the
// tokens stay); the next refresh, under the lock, sends the stored token
// once. For an OAuth session that answers the question the lost answer
// left open: when the server never got the request (a dropped connection)
// the session goes on; when it had rotated the tokens (the answer lost or
// cut after), the stored token is spent, the server takes its second use
// as a replay and ends the session, and the account is marked ended (log
// in again): the session was lost with the answer that held its only live
// tokens.
func TestOAuthLostRefreshAnswer(t *testing.T) {
	for _, tc := range []struct {
		name    string
		kind    fakepds.FaultKind
		rotated bool
	}{
		{"dropped before the server read it", fakepds.FaultDrop, false},
		{"answer lost after the rotation", fakepds.FaultLostResponse, true},
		{"answer cut after the rotation", fakepds.FaultTruncated, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t, fakepds.Options{})
			f.m.Client.Timeout = 500 * time.Millisecond
			alice := f.oauthLogin(t, "alice.test")
			sent := f.srv.Calls(pathToken)
			f.srv.Inject(pathToken, fakepds.Fault{Kind: tc.kind, Times: 1})
			_, err := f.m.Refresh(ctx, "")
			if !auth.IsTransient(err) || errors.Is(err, accounts.ErrSessionEnded) {
				t.Fatalf("want a transient error, got %v", err)
			}
			if n := f.srv.Calls(pathToken) - sent; n != 1 {
				t.Fatalf("the refresh token went %d times", n)
			}
			s := f.stored(t, alice.DID)
			if s.SessionEnded || s.LastRefreshError == "" || s.RefreshJwt != alice.RefreshJwt {
				t.Fatalf("after the lost answer: ended %v, error recorded %v, tokens kept %v",
					s.SessionEnded, s.LastRefreshError != "", s.RefreshJwt == alice.RefreshJwt)
			}
			if got := f.srv.OAuthRefreshes(); got != map[bool]int{true: 1, false: 0}[tc.rotated] {
				t.Fatalf("the server rotated %d times", got)
			}
			_, err = f.m.Refresh(ctx, "")
			s = f.stored(t, alice.DID)
			if !tc.rotated {
				if err != nil || s.SessionEnded || !f.srv.OAuthAccessTokenValid(s.AccessJwt) {
					t.Fatalf("the next refresh: %v (ended %v)", err, s.SessionEnded)
				}
				liveOAuth(t, f.srv, alice.DID)
				return
			}
			if !errors.Is(err, accounts.ErrSessionEnded) || !errors.Is(err, auth.ErrInvalidGrant) || !s.SessionEnded {
				t.Fatalf("the next refresh of the spent token: %v (marked ended %v)", err, s.SessionEnded)
			}
			if n := len(f.srv.OAuthSessions(alice.DID)); n != 0 {
				t.Errorf("%d sessions live on the server", n)
			}
		})
	}
}

// A refresh whose caller gives up once the server has rotated the tokens
// (ctrl-c, a script's timeout) is waited for and its tokens saved, as a
// password session's is: the session lives on.
func TestOAuthInterruptedRefreshKeepsTheRotatedTokens(t *testing.T) {
	f := setup(t, fakepds.Options{})
	alice := f.oauthLogin(t, "alice.test")
	f.srv.Inject(pathToken, fakepds.Fault{Kind: fakepds.FaultRotateThenDelay, Delay: 300 * time.Millisecond, Times: 1})
	cctx, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() { _, err := f.m.Refresh(cctx, ""); errc <- err }()
	waitFor(t, func() bool { return f.srv.OAuthRefreshes() == 1 })
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("the interrupted refresh: %v, want the cancellation", err)
	}
	s := f.stored(t, alice.DID)
	if s.RefreshJwt == alice.RefreshJwt || s.SessionEnded || !f.srv.OAuthAccessTokenValid(s.AccessJwt) {
		t.Fatal("the rotated tokens were not saved")
	}
	if _, err := f.m.Refresh(ctx, ""); err != nil {
		t.Fatalf("the next refresh: %v", err)
	}
	liveOAuth(t, f.srv, alice.DID)
}
