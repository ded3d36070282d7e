package auth_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// A server that answers alice's login or refresh with bob's working tokens
// (FaultSubMismatch) is refused: nothing of the answer is kept, no event
// says otherwise, and bob's tokens are not used, not even to revoke them.
func TestTokensForAnotherAccountAreRefused(t *testing.T) {
	e := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
	bob := e.srv.AddAccount(fakepds.Account{Handle: "bob.test", Password: "bobs password"})
	wantRefusal := func(t *testing.T, what string, err error) {
		t.Helper()
		if !errors.Is(err, auth.ErrBadResponse) || !strings.Contains(err.Error(), "holds tokens for another account ("+bob.DID+")") {
			t.Fatalf("%s: got %v, want a refusal naming %s", what, err, bob.DID)
		}
		noSecrets(t, err, e.srv.Secrets()...)
	}

	e.srv.Inject("com.atproto.server.createSession", fakepds.Fault{Kind: fakepds.FaultSubMismatch, Times: 1})
	s, err := e.client.Login(ctx, auth.LoginInput{Service: e.srv.URL(), Identifier: "alice.test", Password: password},
		auth.SessionOptions{OnEvent: e.ev.on})
	wantRefusal(t, "login", err)
	if s != nil || len(e.ev.kinds()) != 0 {
		t.Fatalf("a refused login made a session (%d events)", len(e.ev.kinds()))
	}
	if n := e.srv.Calls("com.atproto.server.deleteSession") + e.srv.Calls("com.atproto.server.getSession"); n != 0 {
		t.Errorf("bob's tokens were used %d times", n)
	}

	s = e.login(t)
	before := s.Data()
	e.srv.Inject("com.atproto.server.refreshSession", fakepds.Fault{Kind: fakepds.FaultSubMismatch, Times: 1})
	wantRefusal(t, "refresh", s.Refresh(ctx))
	if got := s.Data(); got.AccessJwt != before.AccessJwt || got.RefreshJwt != before.RefreshJwt {
		t.Fatal("the refused refresh changed the session's tokens")
	}
	if ev := e.ev.last(); ev.Kind != auth.EventUpdateFailed || ev.Data.RefreshJwt != before.RefreshJwt {
		t.Fatalf("last event %v: want update failed with the old tokens", ev.Kind)
	}
	// The session is not ended by the refusal; on this strict server the
	// spent token ends it at the next refresh, which is the truth.
	if s.Err() != nil {
		t.Fatalf("the refusal ended the session: %v", s.Err())
	}
	if err := s.Refresh(ctx); !auth.EndsSession(err) {
		t.Fatalf("the next refresh: %v", err)
	}
}

// A server that writes an answer's booleans and numbers as strings
// (FaultLooseTypes) costs what those members said, never the answer: a
// refresh on a strict server keeps the rotated pair (the old refresh token
// is spent), and a login is made. What names the account and the tokens
// must still be as written: a did of the wrong type is refused.
func TestLooseTypesKeepTheAnswer(t *testing.T) {
	e := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
	e.srv.Inject("com.atproto.server.createSession", fakepds.Fault{Kind: fakepds.FaultLooseTypes, Times: 1})
	s := e.login(t)
	before := s.Data()
	e.srv.Inject("com.atproto.server.refreshSession", fakepds.Fault{Kind: fakepds.FaultLooseTypes, Times: 1})
	if err := s.Refresh(ctx); err != nil {
		t.Fatalf("a refresh answered with loose types: %v", err)
	}
	if got := s.Data(); got.RefreshJwt == before.RefreshJwt || got.DID != e.acct.DID || got.Handle != "alice.test" {
		t.Fatalf("after the refresh: did %s, handle %s, rotated %v", got.DID, got.Handle, got.RefreshJwt != before.RefreshJwt)
	}
	if err := s.Refresh(ctx); err != nil {
		t.Fatalf("the session did not survive: %v", err)
	}

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"accessJwt":"a.b.c","refreshJwt":"d.e.f","did":5,"handle":"alice.test"}`)
	}))
	t.Cleanup(srv.Close)
	d := auth.SessionData{DID: e.acct.DID, AccessJwt: "x", RefreshJwt: "y", PDSURL: srv.URL, Service: srv.URL}
	if _, err := e.client.RefreshSession(ctx, d); !errors.Is(err, auth.ErrBadResponse) {
		t.Fatalf("a did of the wrong type: %v", err)
	}
}
