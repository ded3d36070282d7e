package accounts_test

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

// A refresh of alice answered with bob's working tokens (FaultSubMismatch)
// saves nothing of the answer: alice's stored session stays as it was, and
// no token the server issued in that answer reaches the file. Token, which
// `token` and `exec` use, hands out none of bob's tokens as alice's.
func TestRefreshForAnotherAccountSavesNothing(t *testing.T) {
	f := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
	bob := f.login(t, "bob.test")
	alice := f.login(t, "alice.test")
	known := map[string]bool{}
	for _, s := range f.srv.Secrets() {
		known[s] = true
	}
	f.srv.Inject("com.atproto.server.refreshSession", fakepds.Fault{Kind: fakepds.FaultSubMismatch, DID: bob.DID, Times: 1})
	got, err := f.m.Token(ctx, "alice.test", 24*time.Hour) // more than the token has: refresh first
	if !errors.Is(err, auth.ErrBadResponse) || !strings.Contains(err.Error(), "tokens for another account ("+bob.DID+")") {
		t.Fatalf("got %v, want a refusal naming bob", err)
	}
	if got.AccessJwt != "" && got.AccessJwt != alice.AccessJwt {
		t.Fatal("Token handed out a token that is not alice's")
	}
	if errors.Is(err, accounts.ErrSessionEnded) {
		t.Fatal("the refusal ended the session")
	}
	st, err := f.m.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a, ok := st.Account(alice.DID)
	if !ok || !reflect.DeepEqual(a.SessionData, alice.SessionData) {
		t.Fatal("alice's stored session changed")
	}
	if b, _ := st.Account(bob.DID); b.SessionData.AccessJwt != bob.AccessJwt {
		t.Fatal("bob's stored session changed")
	}
	file, err := os.ReadFile(f.m.Store.Path())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range f.srv.Secrets() {
		if !known[s] && strings.Contains(string(file), s) {
			t.Fatal("a token of the refused answer is in the file")
		}
	}
}

// A login answered with another account's tokens saves nothing.
func TestLoginForAnotherAccountSavesNothing(t *testing.T) {
	f := setup(t, fakepds.Options{})
	f.srv.Inject("com.atproto.server.createSession", fakepds.Fault{Kind: fakepds.FaultSubMismatch, Times: 1})
	_, err := f.m.Login(ctx, auth.LoginInput{Service: f.srv.URL(), Identifier: "alice.test", Password: password})
	if !errors.Is(err, auth.ErrBadResponse) || !strings.Contains(err.Error(), "tokens for another account") {
		t.Fatalf("got %v, want a refusal", err)
	}
	st, err := f.m.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Accounts) != 0 || st.Active != "" {
		t.Fatalf("a refused login saved %d accounts", len(st.Accounts))
	}
}

// A session saved with another account's token (by a skyswitch from before
// such answers were refused, or by hand) is never used: Token refuses it
// (exit 4 for token and exec), and Call sends nothing with it.
func TestASavedTokenOfAnotherAccountIsNeverUsed(t *testing.T) {
	for _, which := range []string{"access", "refresh"} {
		t.Run(which, func(t *testing.T) {
			f := setup(t, fakepds.Options{})
			bob := f.login(t, "bob.test")
			alice := f.login(t, "alice.test")
			err := f.m.Store.UpdateContext(ctx, func(st *storage.State) error {
				a, _ := st.Account(alice.DID)
				if which == "access" {
					a.AccessJwt = bob.AccessJwt
				} else {
					a.RefreshJwt = bob.RefreshJwt
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			before := f.srv.Calls("app.bsky.actor.getProfile")
			_, err = f.m.Token(ctx, alice.DID, time.Minute)
			if !errors.Is(err, accounts.ErrSessionEnded) || !strings.Contains(err.Error(), bob.DID) {
				t.Fatalf("Token: got %v, want the session refused, naming bob's DID", err)
			}
			_, _, err = f.m.Call(ctx, alice.DID, auth.RawRequest{Method: "GET", NSID: "app.bsky.actor.getProfile"})
			if !errors.Is(err, accounts.ErrSessionEnded) {
				t.Fatalf("Call: got %v, want the session refused", err)
			}
			if n := f.srv.Calls("app.bsky.actor.getProfile"); n != before {
				t.Fatalf("Call sent %d requests with another account's token", n-before)
			}
		})
	}
}
