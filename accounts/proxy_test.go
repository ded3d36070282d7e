package accounts_test

// Tests of the loopback proxy exec gives an OAuth account's command, with
// password accounts on the fake PDS: the proxy does not care which kind.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

const nsidCreateRecord = "com.atproto.repo.createRecord"

// proxyAnswer is one answer of the proxy, its body read whole.
type proxyAnswer struct {
	status int
	header http.Header
	body   string
	err    error // reading the answer
}

// xrpcError decodes an XRPC error body.
func (a proxyAnswer) xrpcError() (name, message string) {
	var e struct{ Error, Message string }
	_ = json.Unmarshal([]byte(a.body), &e)
	return e.Error, e.Message
}

func (a proxyAnswer) String() string { return fmt.Sprintf("HTTP %d %s (%v)", a.status, a.body, a.err) }

// startProxy starts a proxy for ident, closed when the test ends.
func startProxy(t *testing.T, m *accounts.Manager, ident string, opts accounts.ProxyOptions) *accounts.Proxy {
	t.Helper()
	p, err := m.StartProxy(ctx, ident, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// send makes a request to the proxy; header values "" are left out.
func send(t *testing.T, p *accounts.Proxy, method, path string, body io.Reader, header map[string]string) proxyAnswer {
	t.Helper()
	req, err := http.NewRequest(method, p.URL()+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return do(t, req)
}

// do sends req on a connection of its own and reads the answer whole.
func do(t *testing.T, req *http.Request) proxyAnswer {
	t.Helper()
	tr := &http.Transport{Proxy: nil}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return proxyAnswer{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return proxyAnswer{status: resp.StatusCode, header: resp.Header, body: string(b), err: err}
}

// get calls a query through the proxy with its secret.
func get(t *testing.T, p *accounts.Proxy, path string) proxyAnswer {
	t.Helper()
	return send(t, p, http.MethodGet, path, nil, map[string]string{"Authorization": "Bearer " + p.Secret()})
}

// getAtOnce sends n GETs of path through p at the same time.
func getAtOnce(t *testing.T, p *accounts.Proxy, path string, n int) []proxyAnswer {
	var wg sync.WaitGroup
	answers := make([]proxyAnswer, n)
	for i := range answers {
		wg.Go(func() { answers[i] = get(t, p, path) })
	}
	wg.Wait()
	return answers
}

// A query goes to the PDS as the account, with its real token in place of
// the run's secret; the answer comes back as it came.
func TestProxyCallsAsTheAccount(t *testing.T) {
	f := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
	alice := f.login(t, "alice.test")
	p := startProxy(t, f.m, "", accounts.ProxyOptions{})
	if !strings.HasPrefix(p.URL(), "http://127.0.0.1:") || p.DID() != alice.DID {
		t.Errorf("proxy at %s for %s", p.URL(), p.DID())
	}
	a := get(t, p, "/xrpc/"+nsidGetSession)
	if a.status != 200 || !strings.Contains(a.body, `"handle":"alice.test"`) || !strings.HasPrefix(a.header.Get("Content-Type"), "application/json") {
		t.Fatalf("getSession through the proxy: %s", a)
	}
	got := f.srv.LastRequest(nsidGetSession)
	if got.Header.Get("Authorization") != "Bearer "+alice.AccessJwt {
		t.Error("the PDS did not get the account's own token")
	}
	// Query parameters pass; a method the PDS lacks is its answer, as it came.
	a = get(t, p, "/xrpc/com.atproto.identity.resolveHandle?handle=bob.test")
	if q := f.srv.LastRequest("com.atproto.identity.resolveHandle").Query.Get("handle"); q != "bob.test" || a.status != 200 {
		t.Errorf("resolveHandle?handle=bob.test: %s (the PDS got %q)", a, q)
	}
	a = get(t, p, "/xrpc/com.example.nothing.here")
	if name, _ := a.xrpcError(); a.status != 501 || name != "MethodNotImplemented" {
		t.Errorf("an unknown method: %s", a)
	}
}

// A POST's body reaches the PDS with its Content-Type, and the headers a
// client sends with it pass; the client's Authorization and others do not.
func TestProxyPostsABody(t *testing.T) {
	f := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
	alice := f.login(t, "alice.test")
	p := startProxy(t, f.m, "", accounts.ProxyOptions{})
	body := `{"repo":"` + alice.DID + `","collection":"app.bsky.feed.post","record":{"$type":"app.bsky.feed.post","text":"through the proxy","createdAt":"2026-01-01T00:00:00Z"}}`
	a := send(t, p, http.MethodPost, "/xrpc/"+nsidCreateRecord, strings.NewReader(body), map[string]string{
		"Authorization":           "Bearer " + p.Secret(),
		"Content-Type":            "application/json",
		"Accept":                  "application/json",
		"Accept-Language":         "fr",
		"Atproto-Proxy":           "did:web:api.bsky.chat#bsky_chat",
		"Atproto-Accept-Labelers": "did:plc:ar7c4by46qjdydhdevvrndac;redact",
		"Cookie":                  "session=from-the-client",
		"X-Custom":                "not forwarded",
	})
	if a.status != 200 || !strings.Contains(a.body, `"uri":"at://`+alice.DID+`/app.bsky.feed.post/`) {
		t.Fatalf("createRecord through the proxy: %s", a)
	}
	got := f.srv.LastRequest(nsidCreateRecord)
	if string(got.Body) != body || got.Header.Get("Content-Type") != "application/json" {
		t.Errorf("the PDS got %q as %q", got.Body, got.Header.Get("Content-Type"))
	}
	for k, want := range map[string]string{
		"Authorization": "Bearer " + alice.AccessJwt, "Accept": "application/json", "Accept-Language": "fr",
		"Atproto-Proxy": "did:web:api.bsky.chat#bsky_chat", "Atproto-Accept-Labelers": "did:plc:ar7c4by46qjdydhdevvrndac;redact",
		"Cookie": "", "X-Custom": "",
	} {
		if got.Header.Get(k) != want {
			t.Errorf("the PDS got %s: %q, want %q", k, got.Header.Get(k), want)
		}
	}
	// A POST without a body sends none.
	a = send(t, p, http.MethodPost, "/xrpc/"+nsidCreateRecord, nil, map[string]string{"Authorization": "Bearer " + p.Secret()})
	if name, _ := a.xrpcError(); a.status != 400 || name != "InvalidRequest" || len(f.srv.LastRequest(nsidCreateRecord).Body) != 0 {
		t.Errorf("a POST without a body: %s", a)
	}
}

// The account is fixed by its DID when the proxy starts: a switch in
// another terminal, or the account renamed, changes nothing.
func TestProxyKeepsItsAccountWhateverIsActive(t *testing.T) {
	f := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
	f.login(t, "bob.test")
	alice := f.login(t, "alice.test") // active
	p := startProxy(t, f.m, "", accounts.ProxyOptions{})
	other := &accounts.Manager{Store: storage.Open(f.m.Store.Path()), Client: f.m.Client, Now: f.m.Now}
	if _, err := other.Switch(ctx, "bob.test"); err != nil {
		t.Fatal(err)
	}
	a := get(t, p, "/xrpc/"+nsidGetSession)
	if a.status != 200 || !strings.Contains(a.body, alice.DID) {
		t.Errorf("after a switch to bob: %s", a)
	}
	// Started by handle, it keeps the DID too.
	pb := startProxy(t, f.m, "bob.test", accounts.ProxyOptions{})
	if _, err := other.Switch(ctx, alice.DID); err != nil {
		t.Fatal(err)
	}
	if a := get(t, pb, "/xrpc/"+nsidGetSession); a.status != 200 || !strings.Contains(a.body, `"handle":"bob.test"`) {
		t.Errorf("the proxy started for bob.test: %s", a)
	}
}

// Requests at once through a token about to expire make one refresh,
// under the account's lock, and all are answered.
func TestProxyRefreshesOnceForRequestsAtOnce(t *testing.T) {
	f := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
	f.login(t, "alice.test")
	p := startProxy(t, f.m, "", accounts.ProxyOptions{})
	f.clk.Advance(fakepds.DefaultAccessLifetime - 2*time.Minute)
	answers := getAtOnce(t, p, "/xrpc/"+nsidGetSession, 6)
	for i, a := range answers {
		if a.status != 200 {
			t.Errorf("request %d: %s", i, a)
		}
	}
	if n := f.srv.Calls(nsidRefresh); n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
}

// A session that ends while the command runs gives it a 401 with an XRPC
// error it can read; so does the account logged out meanwhile.
func TestProxyOnASessionThatEnds(t *testing.T) {
	f := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
	alice := f.login(t, "alice.test")
	p := startProxy(t, f.m, "", accounts.ProxyOptions{})
	if a := get(t, p, "/xrpc/"+nsidGetSession); a.status != 200 {
		t.Fatalf("before: %s", a)
	}
	if err := f.m.Client.DeleteSession(ctx, alice.SessionData); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(3 * time.Hour)
	a := get(t, p, "/xrpc/"+nsidGetSession)
	if name, msg := a.xrpcError(); a.status != 401 || name != "SessionEnded" || !strings.Contains(msg, "log in again") {
		t.Errorf("an ended session: %s", a)
	}
	bob := f.login(t, "bob.test")
	pb := startProxy(t, f.m, bob.DID, accounts.ProxyOptions{})
	if _, err := f.m.Logout(ctx, bob.DID); err != nil {
		t.Fatal(err)
	}
	if a := get(t, pb, "/xrpc/"+nsidGetSession); a.status != 401 || !strings.Contains(a.body, "SessionEnded") {
		t.Errorf("an account logged out: %s", a)
	}
}
