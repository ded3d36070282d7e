package accounts_test

import (
	"errors"
	"testing"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

// The token endpoint's invalid_grant ends an OAuth session: the account
// is kept, marked ended (the CLI's exit 4, the switcher's "log in again"),
// and nothing is sent for it any more. The fake answers it, and ends the
// whole session on its side, for a refresh token spent already (by a copy
// of the session that did not save what it got), or presented with a key
// or a client_id the session was not issued to.
func TestOAuthInvalidGrantEndsTheSession(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spoil func(t *testing.T, f *fixture, a *storage.Account)
	}{
		{"replayed refresh token", func(t *testing.T, f *fixture, a *storage.Account) {
			c := &auth.Client{Now: f.clk.Now, Resolver: &auth.Resolver{PLCURL: f.srv.URL()}}
			if _, err := c.RefreshSession(ctx, a.SessionData); err != nil {
				t.Fatalf("the copy's refresh: %v", err)
			}
		}},
		{"foreign DPoP key", func(t *testing.T, f *fixture, a *storage.Account) {
			key, err := auth.NewDPoPKey()
			if err != nil {
				t.Fatal(err)
			}
			a.OAuth.DPoPKey = key
		}},
		{"foreign client_id", func(t *testing.T, f *fixture, a *storage.Account) {
			a.OAuth.ClientID = auth.LoopbackClientID("http://127.0.0.1:2/callback", a.OAuth.Scope)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t, fakepds.Options{})
			alice := f.oauthLogin(t, "alice.test")
			err := f.m.Store.Update(func(st *storage.State) error {
				a, _ := st.Account(alice.DID)
				o := *a.OAuth
				a.OAuth = &o
				tc.spoil(t, f, a)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.m.Refresh(ctx, "")
			if !errors.Is(err, accounts.ErrSessionEnded) || !errors.Is(err, auth.ErrInvalidGrant) {
				t.Fatalf("Refresh: %v, want the session ended by invalid_grant", err)
			}
			s := f.stored(t, alice.DID)
			if !s.SessionEnded || s.LastRefreshError == "" {
				t.Fatalf("the account is not marked ended (error %q)", s.LastRefreshError)
			}
			if st := accounts.Summarize(s, true, f.clk.Now()); st.State != accounts.StateEnded {
				t.Errorf("state %q, want %q", st.State, accounts.StateEnded)
			}
			if n := len(f.srv.OAuthSessions(alice.DID)); n != 0 {
				t.Errorf("%d sessions live on the server", n)
			}
			sent := f.srv.Calls(pathToken) + f.srv.Calls(nsidGetSession)
			if _, _, err := f.m.Call(ctx, "", getSession); !errors.Is(err, accounts.ErrSessionEnded) {
				t.Errorf("Call on the ended session: %v", err)
			}
			if _, err := f.m.Token(ctx, "", accounts.TokenMinLeft); !errors.Is(err, accounts.ErrSessionEnded) {
				t.Errorf("Token on the ended session: %v", err)
			}
			if n := f.srv.Calls(pathToken) + f.srv.Calls(nsidGetSession) - sent; n != 0 {
				t.Errorf("%d requests went for an ended session", n)
			}
		})
	}
}
