package accounts_test

// The proxy for what it is made for: an OAuth account, on a strict server
// (no grace for a spent refresh token).

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// The command's requests go with the session's DPoP-bound token and a
// proof, never its own Authorization; a POST refused for a stale nonce is
// sent again whole; answers quoting the token hold it back.
func TestProxyForAnOAuthSession(t *testing.T) {
	f := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
	alice := f.oauthLogin(t, "alice.test")
	p := startProxy(t, f.m, "", accounts.ProxyOptions{})
	if a := get(t, p, "/xrpc/"+nsidGetSession); a.status != 200 || !strings.Contains(a.body, alice.DID) {
		t.Fatalf("getSession: %s", a)
	}
	got := f.srv.LastRequest(nsidGetSession)
	if got.Header.Get("Authorization") != "DPoP "+alice.AccessJwt || got.Header.Get("Dpop") == "" {
		t.Error("the PDS did not get the session's token with a proof")
	}
	const upload = "com.atproto.repo.uploadBlob"
	f.srv.Inject(upload, fakepds.Fault{Kind: fakepds.FaultRotateNonce, Times: 1})
	a := send(t, p, http.MethodPost, "/xrpc/"+upload, strings.NewReader("a blob's bytes"),
		map[string]string{"Authorization": "Bearer " + p.Secret(), "Content-Type": "text/plain", "Dpop": "from-the-command"})
	if last := f.srv.LastRequest(upload); a.status != 200 || f.srv.Calls(upload) != 2 || string(last.Body) != "a blob's bytes" || last.Header.Get("Dpop") == "from-the-command" {
		t.Errorf("a POST after the nonce rotated: %s, %d requests, the PDS got %q", a, f.srv.Calls(upload), last.Body)
	}
	if f.srv.OAuthRefreshes() != 0 {
		t.Error("a new nonce cost a refresh")
	}
	f.srv.Inject(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultEchoAuthorizationBody, Times: 1})
	if a := get(t, p, "/xrpc/"+nsidGetSession); a.status != 200 || strings.Contains(a.body, alice.AccessJwt) || strings.Contains(a.body, alice.AccessJwt[len(alice.AccessJwt)-32:]) {
		t.Errorf("a body echoing the token reached the command (HTTP %d)", a.status)
	}
	f.srv.Inject(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultEchoAuthorizationHeader, Times: 1})
	if a := get(t, p, "/xrpc/"+nsidGetSession); strings.Contains(a.String()+a.header.Get("X-Echo-Authorization"), alice.AccessJwt) || a.header.Get("Www-Authenticate") != "" || a.header.Get("Dpop-Nonce") != "" {
		t.Errorf("a header echoing the token: %s %v", a, a.header)
	}
}

// Requests at once as the token expires make one refresh, from the
// stored tokens, and all are answered with the new token; a session the
// server ended is a 401 SessionEnded the command can read, and the
// account is marked ended: nothing more is sent.
func TestProxyOAuthRefreshAndEnd(t *testing.T) {
	f := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
	alice := f.oauthLogin(t, "alice.test")
	p := startProxy(t, f.m, "", accounts.ProxyOptions{})
	f.clk.Advance(fakepds.DefaultOAuthAccessLifetime - time.Minute)
	answers := getAtOnce(t, p, "/xrpc/"+nsidGetSession, 6)
	for i, a := range answers {
		if a.status != 200 {
			t.Errorf("request %d: %s", i, a)
		}
	}
	s := f.stored(t, alice.DID)
	if n := f.srv.OAuthRefreshes(); n != 1 || s.SessionEnded || s.RefreshJwt == alice.RefreshJwt || f.srv.OAuthAccessTokenValid(alice.AccessJwt) {
		t.Fatalf("%d refreshes (want 1); ended %v", n, s.SessionEnded)
	}
	if err := f.process().Client.DeleteSession(ctx, s.SessionData); err != nil {
		t.Fatal(err)
	}
	a := get(t, p, "/xrpc/"+nsidGetSession)
	if name, msg := a.xrpcError(); a.status != 401 || name != "SessionEnded" || !strings.Contains(msg, "log in again") {
		t.Errorf("an ended session: %s", a)
	}
	if !f.stored(t, alice.DID).SessionEnded {
		t.Error("the account is not marked ended")
	}
	calls, refreshes := f.srv.Calls(nsidGetSession), f.srv.OAuthRefreshes()
	if a := get(t, p, "/xrpc/"+nsidGetSession); a.status != 401 || f.srv.Calls(nsidGetSession) != calls || f.srv.OAuthRefreshes() != refreshes {
		t.Errorf("after the end: %s, and it was sent", a)
	}
}
