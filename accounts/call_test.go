package accounts_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

const nsidGetSession = "com.atproto.server.getSession"

var getSession = auth.RawRequest{Method: http.MethodGet, NSID: nsidGetSession}

// call makes r as ident and returns the answer's body.
func call(t *testing.T, m *accounts.Manager, ident string, r auth.RawRequest) (string, storage.Account, error) {
	t.Helper()
	resp, a, err := m.Call(ctx, ident, r)
	if err != nil {
		return "", a, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return string(body), a, err
}

// A token with plenty of life is used as it is: one request, no refresh.
func TestCallUsesAValidTokenAsItIs(t *testing.T) {
	f := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
	alice := f.login(t, "alice.test")
	body, used, err := call(t, f.m, "", getSession)
	if err != nil || !strings.Contains(body, `"handle":"alice.test"`) {
		t.Fatalf("Call: %v %s", err, body)
	}
	if used.AccessJwt != alice.AccessJwt || f.srv.Calls(nsidRefresh) != 0 || f.srv.Calls(nsidGetSession) != 1 {
		t.Errorf("refreshes %d, getSession %d", f.srv.Calls(nsidRefresh), f.srv.Calls(nsidGetSession))
	}
}

// A token about to expire is refreshed first, and the new tokens are saved.
func TestCallRefreshesBeforeExpiry(t *testing.T) {
	f := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
	alice := f.login(t, "alice.test")
	f.clk.Advance(2*time.Hour - 2*time.Minute) // under the 5-minute margin
	if _, used, err := call(t, f.m, "alice.test", getSession); err != nil || used.AccessJwt == alice.AccessJwt {
		t.Fatalf("Call: %v (token refreshed: %v)", err, used.AccessJwt != alice.AccessJwt)
	}
	if n := f.srv.Calls(nsidRefresh); n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
	st, _ := f.m.Load(ctx)
	if a, _ := st.Account(alice.DID); a.AccessJwt == alice.AccessJwt || !f.srv.RefreshTokenValid(a.RefreshJwt) {
		t.Error("the refreshed tokens were not saved")
	}
}

// A token the server rejects (ExpiredToken) is refreshed once, and the
// request sent again, once.
func TestCallRetriesOnceAfterExpiredToken(t *testing.T) {
	f := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
	f.login(t, "alice.test")
	f.srv.Inject(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultQuoteCredentials, Status: 400, Name: "ExpiredToken", Times: 1})
	body, _, err := call(t, f.m, "", getSession)
	if err != nil || !strings.Contains(body, "alice.test") {
		t.Fatalf("Call: %v %s", err, body)
	}
	if r, g := f.srv.Calls(nsidRefresh), f.srv.Calls(nsidGetSession); r != 1 || g != 2 {
		t.Errorf("refreshes %d (want 1), getSession %d (want 2)", r, g)
	}
	// Rejected twice: the second answer stands; no second refresh.
	f.srv.Inject(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultQuoteCredentials, Status: 400, Name: "ExpiredToken", Times: 2})
	_, _, err = call(t, f.m, "", getSession)
	if !auth.TokenRejected(auth.SessionData{}, err) || f.srv.Calls(nsidRefresh) != 2 {
		t.Errorf("rejected twice: %v, %d refreshes in all (want 2)", err, f.srv.Calls(nsidRefresh))
	}
}

// When another process refreshed while this call was rejected, its tokens
// are adopted: no second refresh spends the rotated token.
func TestCallAdoptsAnotherProcesssRefresh(t *testing.T) {
	f := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
	f.login(t, "alice.test")
	other := &accounts.Manager{Store: storage.Open(f.m.Store.Path()), Client: f.m.Client, Now: f.m.Now}
	f.srv.Inject(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultQuoteCredentials, Status: 401, Name: "ExpiredToken", Times: 1})
	f.m.Client.HTTP = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err == nil && strings.HasSuffix(r.URL.Path, nsidGetSession) && resp.StatusCode == 401 {
			if _, err := other.Refresh(ctx, "alice.test"); err != nil {
				t.Errorf("the other process's refresh: %v", err)
			}
		}
		return resp, err
	})}
	if _, _, err := call(t, f.m, "", getSession); err != nil {
		t.Fatal(err)
	}
	if n := f.srv.Calls(nsidRefresh); n != 1 {
		t.Errorf("%d refreshes, want the other process's only", n)
	}
}

// An ended session is said as such; Call never logs in.
func TestCallOnAnEndedSession(t *testing.T) {
	f := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
	alice := f.login(t, "alice.test")
	if err := f.m.Client.DeleteSession(ctx, alice.SessionData); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(3 * time.Hour) // the access token expired too
	_, _, err := call(t, f.m, "", getSession)
	if !errors.Is(err, accounts.ErrSessionEnded) {
		t.Fatalf("Call: %v, want ErrSessionEnded", err)
	}
	if n := f.srv.Calls("com.atproto.server.createSession"); n != 1 {
		t.Errorf("%d logins, want only the first", n)
	}
}

// A refresh before expiry adopts the tokens another process refreshed
// meanwhile: it does not spend the rotated-away token again.
func TestCallBeforeExpiryAdoptsAnotherProcesssRefresh(t *testing.T) {
	f := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
	f.login(t, "alice.test")
	f.clk.Advance(2*time.Hour - 2*time.Minute) // under the 5-minute margin
	other := &accounts.Manager{Store: storage.Open(f.m.Store.Path()),
		Client: &auth.Client{Now: f.clk.Now, Timeout: 5 * time.Second}, Now: f.clk.Now}
	// Slow refreshes, so the second call starts while the first is on the wire.
	f.srv.Inject(nsidRefresh, fakepds.Fault{Kind: fakepds.FaultDelay, Delay: 300 * time.Millisecond, Times: 2})
	first := make(chan error, 1)
	go func() { first <- callGetSession(ctx, f.m) }()
	for deadline := time.Now().Add(10 * time.Second); f.srv.Calls(nsidRefresh) == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the first refresh never reached the server")
		}
	}
	if err := callGetSession(ctx, other); err != nil {
		t.Errorf("the second process: %v", err)
	}
	if err := <-first; err != nil {
		t.Errorf("the first process: %v", err)
	}
	if n := f.srv.Calls(nsidRefresh); n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
}

// A refresh that fails for a passing reason while the token still lives
// does not fail the call: the request goes out with the token in hand, and
// the failure is recorded.
func TestCallKeepsAValidTokenWhenARefreshFails(t *testing.T) {
	f := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
	alice := f.login(t, "alice.test")
	f.clk.Advance(2*time.Hour - 2*time.Minute)
	f.srv.Inject(nsidRefresh, fakepds.Fault{Kind: fakepds.FaultStatus, Status: 503, Times: 1})
	body, used, err := call(t, f.m, "", getSession)
	if err != nil || used.AccessJwt != alice.AccessJwt {
		t.Fatalf("Call: %v (the old token used: %v) %s", err, used.AccessJwt == alice.AccessJwt, body)
	}
	st, _ := f.m.Load(ctx)
	if a, _ := st.Account(alice.DID); a.LastRefreshError == "" {
		t.Error("the failed refresh was not recorded")
	}
}

// An expired token is never sent: when its refresh fails, the call fails
// with that error, and neither the request nor a second refresh goes out.
func TestCallNeverSendsAnExpiredToken(t *testing.T) {
	f := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
	f.login(t, "alice.test")
	f.clk.Advance(3 * time.Hour)
	f.srv.Inject(nsidRefresh, fakepds.Fault{Kind: fakepds.FaultStatus, Status: 503, Times: 1})
	_, _, err := call(t, f.m, "", getSession)
	if err == nil || !auth.IsTransient(err) {
		t.Fatalf("Call: %v, want the refresh's 503", err)
	}
	if r, g := f.srv.Calls(nsidRefresh), f.srv.Calls(nsidGetSession); r != 1 || g != 0 {
		t.Errorf("refreshes %d (want 1), getSession %d (want 0)", r, g)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
