package auth_test

import (
	"context"
	"testing"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// A refresh that meets a server error, a rate limit, a proxy's page or a
// dropped connection at the token endpoint keeps the OAuth session and
// its refresh token, which the server never took: on a server with no
// grace for a used token, the next refresh still works.
func TestOAuthRefreshFaultsKeepSession(t *testing.T) {
	for _, f := range []fakepds.Fault{
		{Kind: fakepds.FaultStatus, Status: 503, Times: 1},
		{Kind: fakepds.FaultRateLimit, Times: 1},
		{Kind: fakepds.FaultHTML, Times: 1},
		{Kind: fakepds.FaultDrop, Times: 1},
	} {
		e := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
		p, err := e.client.StartOAuth(context.Background(), auth.OAuthRequest{Service: e.srv.URL(), Identifier: "alice.test", RedirectURI: "http://127.0.0.1:1/callback"})
		if err != nil {
			t.Fatal(err)
		}
		cb, err := e.srv.ApproveOAuth(p.AuthorizeURL(), p.DID())
		if err != nil {
			t.Fatal(err)
		}
		d, err := p.Finish(context.Background(), cb)
		if err != nil {
			t.Fatal(err)
		}
		s := e.client.NewSession(d, auth.SessionOptions{OnEvent: e.ev.on})
		e.srv.Inject("/oauth/token", f)
		err = s.Refresh(context.Background())
		if err == nil || auth.EndsSession(err) || !auth.IsTransient(err) || s.Err() != nil || s.Data().RefreshJwt != d.RefreshJwt {
			t.Fatalf("fault %v: got %v (ends %v, session %v)", f.Kind, err, auth.EndsSession(err), s.Err())
		}
		noSecrets(t, err, d.AccessJwt, d.RefreshJwt, d.OAuth.DPoPKey)
		if err := s.Refresh(context.Background()); err != nil || e.srv.OAuthRefreshes() != 1 {
			t.Fatalf("fault %v: the refresh after it: %v (%d accepted)", f.Kind, err, e.srv.OAuthRefreshes())
		}
	}
}
