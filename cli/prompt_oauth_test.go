package cli

// prompt's colour for an OAuth account.

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

// promptOAuthAccount signs handle in through the browser at the fake server, as
// the switcher's form does, with a browser that approves at once. The
// account becomes the active one.
func (e *cliEnv) promptOAuthAccount(handle string) storage.Account {
	e.t.Helper()
	e.addAccount(handle)
	mgr := &accounts.Manager{Store: storage.Open(e.path), Client: e.client, Now: e.clock.Now}
	l, err := auth.ListenCallback()
	if err != nil {
		e.t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	p, err := mgr.StartOAuth(ctx, auth.OAuthRequest{Service: e.srv.URL(), Identifier: handle, RedirectURI: l.RedirectURI()})
	if err != nil {
		e.t.Fatalf("StartOAuth: %v", err)
	}
	l.Expect(p.State())
	resp, err := http.Get(p.AuthorizeURL()) // the fake approves, and sends the browser back
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	cb, err := l.Wait(ctx, p.State())
	if err != nil {
		e.t.Fatal(err)
	}
	a, err := mgr.FinishOAuth(ctx, p, cb)
	if err != nil {
		e.t.Fatalf("FinishOAuth: %v", err)
	}
	e.noteTokens()
	return a
}

// An OAuth account is coloured by the nearer of its access token's expiry
// and its session's end: a token refreshed just before the end does not
// make it green.
func TestPromptColoursAnOAuthAccountByTheNearerEnd(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	a := e.promptOAuthAccount("carol.test")
	exp, end := a.OAuth.AccessExpiresAt, a.OAuth.SessionEndsAt
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{e.clock.Now(), green},
		{exp.Add(-14 * time.Minute), amber}, // the access token is nearer
		{exp.Add(-90 * time.Second), red},
		{end.Add(-20 * time.Minute), green}, // both far: the token refreshed below
		{end.Add(-10 * time.Minute), amber}, // the end is nearer than the fresh token
		{end.Add(-time.Minute), red},
		{end.Add(time.Minute), red},
	} {
		e.clock.Set(tc.at)
		if tc.at.After(exp) {
			// As a refresh just before would leave it: a new hour's token.
			setAccessExpiry(t, e, a.DID, tc.at.Add(55*time.Minute))
		}
		out := e.promptRun(nil)
		if want := tc.want + "@carol.test"; !strings.HasPrefix(out, want) {
			t.Errorf("%v before the session's end: prompt printed %q, want %q…", end.Sub(tc.at), out, want)
		}
	}
}

// setAccessExpiry sets the saved expiry of an OAuth account's access token.
func setAccessExpiry(t *testing.T, e *cliEnv, did string, exp time.Time) {
	t.Helper()
	err := storage.Open(e.path).Update(func(st *storage.State) error {
		a, _ := st.Account(did)
		a.OAuth.AccessExpiresAt = exp
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
