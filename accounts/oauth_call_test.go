package accounts_test

import (
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

// Call sends an OAuth account's request with its DPoP-bound token and a
// proof: never a plain Bearer (which the server refuses).
func TestOAuthCallSignsWithDPoP(t *testing.T) {
	f := setup(t, fakepds.Options{})
	alice := f.oauthLogin(t, "alice.test")
	body, used, err := call(t, f.m, "", getSession)
	if err != nil || !strings.Contains(body, alice.DID) || used.AccessJwt != alice.AccessJwt {
		t.Fatalf("Call: %v %s", err, body)
	}
	last := f.srv.LastRequest(nsidGetSession)
	if !strings.HasPrefix(last.Header.Get("Authorization"), "DPoP ") || last.Header.Get("DPoP") == "" {
		t.Errorf("the request went with Authorization %q…, DPoP proof %v",
			strings.SplitN(last.Header.Get("Authorization"), " ", 2)[0], last.Header.Get("DPoP") != "")
	}
	if f.srv.OAuthRefreshes() != 0 {
		t.Error("a fresh token was refreshed")
	}
}

// An OAuth token's expiry is the one its token answer gave (the tokens
// are opaque): a token the answer said lives a minute more is refreshed
// before the call, whatever its text may hold. The old access token no
// longer works after, and the new tokens are saved.
func TestOAuthCallRefreshesBeforeExpiry(t *testing.T) {
	f := setup(t, fakepds.Options{})
	alice := f.oauthLogin(t, "alice.test")
	// As if the answer had said expires_in 1800 (the token's own text
	// says an hour): 28 minutes on, under the 5-minute margin.
	soon := f.clk.Now().Add(30 * time.Minute)
	err := f.m.Store.Update(func(st *storage.State) error {
		a, _ := st.Account(alice.DID)
		o := *a.OAuth
		o.AccessExpiresAt = soon
		a.OAuth = &o
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(28 * time.Minute)
	_, used, err := call(t, f.m, "", getSession)
	if err != nil || used.AccessJwt == alice.AccessJwt {
		t.Fatalf("Call: %v (refreshed first: %v)", err, used.AccessJwt != alice.AccessJwt)
	}
	if n := f.srv.OAuthRefreshes(); n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
	s := f.stored(t, alice.DID)
	switch {
	case s.AccessJwt != used.AccessJwt || s.RefreshJwt == alice.RefreshJwt:
		t.Error("the refreshed tokens were not saved")
	case !s.OAuth.AccessExpiresAt.After(soon) || s.OAuth.ClientID != alice.OAuth.ClientID || s.OAuth.DPoPKey != alice.OAuth.DPoPKey:
		t.Error("the saved session lost its expiry, client_id or key")
	case f.srv.OAuthAccessTokenValid(alice.AccessJwt):
		t.Error("the old access token still works")
	}
}

// A token the PDS refuses (401) is refreshed at the token endpoint and the
// request sent again, once.
func TestOAuthCallRefreshesOn401(t *testing.T) {
	f := setup(t, fakepds.Options{})
	alice := f.oauthLogin(t, "alice.test")
	before := f.srv.Calls(nsidGetSession) // the sign-in's
	f.srv.Inject(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultStatus, Status: 401, Name: "invalid_token", Times: 1})
	body, used, err := call(t, f.m, "", getSession)
	if err != nil || !strings.Contains(body, alice.DID) || used.RefreshJwt == alice.RefreshJwt {
		t.Fatalf("Call: %v %s", err, body)
	}
	if r, g := f.srv.OAuthRefreshes(), f.srv.Calls(nsidGetSession)-before; r != 1 || g != 2 {
		t.Errorf("refreshes %d (want 1), getSession %d (want 2)", r, g)
	}
	if liveOAuth(t, f.srv, alice.DID).Refreshes != 1 {
		t.Error("the server's session did not count the refresh")
	}
}

// A 401 that does not name the token (a service behind the PDS refusing,
// a proof refused) is answered as it is: no refresh rotates the session's
// single-use tokens for it, as @atproto/oauth-client reads such an answer.
// A password session's 401 still is a refresh and one more try.
func TestOAuthCallRefreshesOnlyForTheToken(t *testing.T) {
	f := setup(t, fakepds.Options{})
	alice := f.oauthLogin(t, "alice.test")
	for _, name := range []string{"AuthenticationRequired", "invalid_dpop_proof"} {
		f.srv.Inject(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultStatus, Status: 401, Name: name, Times: 1})
		_, used, err := call(t, f.m, "", getSession)
		if err == nil || !strings.Contains(err.Error(), name) || used.RefreshJwt != alice.RefreshJwt {
			t.Fatalf("a 401 %s: %v, refreshed %v", name, err, used.RefreshJwt != alice.RefreshJwt)
		}
	}
	if r := f.srv.OAuthRefreshes(); r != 0 {
		t.Errorf("%d refreshes for 401s that did not name the token", r)
	}
}

// A DPoP nonce that rotates mid-session costs one more request, and no
// refresh; the new nonce is saved with the session, so another process
// (a client with no nonces of its own) sends it at once: one request.
func TestOAuthNonceRotationCostsOneRetry(t *testing.T) {
	for _, rotate := range []string{"RotateDPoPNonce", "FaultRotateNonce"} {
		t.Run(rotate, func(t *testing.T) {
			f := setup(t, fakepds.Options{})
			alice := f.oauthLogin(t, "alice.test")
			before := f.srv.Calls(nsidGetSession) // the sign-in's
			if rotate == "RotateDPoPNonce" {
				f.srv.RotateDPoPNonce()
			} else {
				f.srv.Inject(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultRotateNonce, Times: 1})
			}
			if _, _, err := call(t, f.m, "", getSession); err != nil {
				t.Fatalf("Call after the nonce rotated: %v", err)
			}
			if n := f.srv.Calls(nsidGetSession) - before; n != 2 {
				t.Errorf("%d getSession requests, want 2 (one refused for its nonce)", n)
			}
			if f.srv.OAuthRefreshes() != 0 || f.stored(t, alice.DID).RefreshJwt != alice.RefreshJwt {
				t.Error("a new nonce cost a refresh")
			}
			if got := f.stored(t, alice.DID).OAuth.PDSNonce; got != f.srv.DPoPNonce() || got == alice.OAuth.PDSNonce {
				t.Error("the new nonce was not saved with the session")
			}
			if _, _, err := call(t, f.process(), "", getSession); err != nil {
				t.Fatal(err)
			}
			if n := f.srv.Calls(nsidGetSession) - before; n != 3 {
				t.Errorf("the next process needed %d requests, want 1", n-2)
			}
		})
	}
}

// Saving the nonces a call got never writes over tokens another process
// saved meanwhile: while this call waits for its answer (with a nonce
// that rotated), another process refreshes. The file then keeps the other
// process's tokens, which the server takes, and the call adopts them.
func TestOAuthNoncesNeverOverwriteNewerTokens(t *testing.T) {
	f := setup(t, fakepds.Options{})
	alice := f.oauthLogin(t, "alice.test")
	before := f.srv.Calls(nsidGetSession) // the sign-in's
	f.srv.RotateDPoPNonce()
	f.srv.Inject(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultDelay, Delay: 300 * time.Millisecond, Times: 1})
	done := make(chan error, 1)
	go func() { _, _, err := call(t, f.m, "", getSession); done <- err }()
	waitFor(t, func() bool { return f.srv.Calls(nsidGetSession) > before })
	other, err := f.process().Refresh(ctx, alice.DID)
	if err != nil {
		t.Fatalf("the other process's refresh: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Call: %v", err)
	}
	s := f.stored(t, alice.DID)
	switch {
	case s.RefreshJwt != other.RefreshJwt || s.AccessJwt != other.AccessJwt:
		t.Error("the call's save wrote over the other process's tokens")
	case !f.srv.OAuthAccessTokenValid(s.AccessJwt) || s.SessionEnded:
		t.Error("the stored session no longer works")
	case f.srv.OAuthRefreshes() != 1:
		t.Errorf("%d refreshes, want 1 (the call adopts the other's)", f.srv.OAuthRefreshes())
	}
	liveOAuth(t, f.srv, alice.DID)
}

// Token (which exec uses) goes by the same expiry: a token the answer
// said ends in 5 minutes is refreshed for a caller who wants 10.
func TestOAuthTokenGoesByTheAnswersExpiry(t *testing.T) {
	f := setup(t, fakepds.Options{})
	alice := f.oauthLogin(t, "alice.test")
	err := f.m.Store.Update(func(st *storage.State) error {
		a, _ := st.Account(alice.DID)
		o := *a.OAuth
		o.AccessExpiresAt = f.clk.Now().Add(5 * time.Minute)
		a.OAuth = &o
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.m.Token(ctx, "", 10*time.Minute)
	if err != nil || got.AccessJwt == alice.AccessJwt || f.srv.OAuthRefreshes() != 1 {
		t.Fatalf("Token: %v, refreshed %v, %d refreshes", err, got.AccessJwt != alice.AccessJwt, f.srv.OAuthRefreshes())
	}
	if again, err := f.m.Token(ctx, "", 10*time.Minute); err != nil || again.AccessJwt != got.AccessJwt || f.srv.OAuthRefreshes() != 1 {
		t.Fatalf("a fresh token was refreshed again: %v", err)
	}
}
