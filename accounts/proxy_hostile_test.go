package accounts_test

// The proxy against what it must refuse or hold back: requests without
// the run's secret, what is not an XRPC call, bodies over the bound, and
// servers that quote the token, cut an answer or never answer.

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// Anything but "Bearer <secret>" is refused with a 401 XRPC error that
// never quotes what was sent, and nothing reaches the PDS.
func TestProxyRefusesAnythingButTheSecret(t *testing.T) {
	f := setup(t, fakepds.Options{})
	alice := f.login(t, "alice.test")
	p := startProxy(t, f.m, "", accounts.ProxyOptions{})
	secret := p.Secret()
	if b, err := base64.RawURLEncoding.DecodeString(secret); err != nil || len(b) != 32 {
		t.Errorf("the secret is not 32 bytes in base64url: %d bytes, %v", len(b), err)
	}
	if other := startProxy(t, f.m, "", accounts.ProxyOptions{}); other.Secret() == secret {
		t.Error("two runs share a secret")
	}
	for _, auth := range []string{
		"", "Bearer", "Bearer ", "Bearer wrong-secret-0123456789", "Bearer " + secret + "x", "Bearer " + secret[:len(secret)-1],
		"DPoP " + secret, "Basic " + secret, secret, "Bearer  " + secret, "Bearer " + alice.AccessJwt,
	} {
		a := send(t, p, http.MethodGet, "/xrpc/"+nsidGetSession, nil, map[string]string{"Authorization": auth})
		name, _ := a.xrpcError()
		if a.status != 401 || name != "AuthenticationRequired" || !strings.HasPrefix(a.header.Get("Content-Type"), "application/json") {
			t.Errorf("Authorization %q: %s", clipped(auth), a)
		}
		if sent := strings.TrimSpace(auth[strings.LastIndex(auth, " ")+1:]); len(sent) > 8 && strings.Contains(a.body, sent) {
			t.Errorf("Authorization %q: the refusal quotes what was sent", clipped(auth))
		}
	}
	// Twice, even with the secret once.
	req, _ := http.NewRequest(http.MethodGet, p.URL()+"/xrpc/"+nsidGetSession, nil)
	req.Header.Add("Authorization", "Bearer "+secret)
	req.Header.Add("Authorization", "Bearer wrong")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 401 {
		t.Errorf("two Authorization headers: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	// Nor in the query string, or any path.
	if a := send(t, p, http.MethodGet, "/xrpc/"+nsidGetSession+"?access_token="+secret, nil, nil); a.status != 401 || strings.Contains(a.body, secret) {
		t.Errorf("the secret as a parameter: %s", a)
	}
	if a := send(t, p, http.MethodGet, "/", nil, nil); a.status != 401 {
		t.Errorf("/ without the secret: %s", a)
	}
	if n := f.srv.Calls(nsidGetSession); n != 0 {
		t.Errorf("%d requests reached the PDS", n)
	}
	// The scheme in another case is still Bearer.
	if a := send(t, p, http.MethodGet, "/xrpc/"+nsidGetSession, nil, map[string]string{"Authorization": "bearer " + secret}); a.status != 200 {
		t.Errorf("bearer in lower case: %s", a)
	}
}

func clipped(s string) string { return s[:min(len(s), 12)] + "…" }

// Only /xrpc/<nsid>, GET and POST; a malformed query or atproto-proxy is
// the proxy's 400; none reaches the PDS.
func TestProxyTakesOnlyXRPCCalls(t *testing.T) {
	f := setup(t, fakepds.Options{})
	f.login(t, "alice.test")
	p := startProxy(t, f.m, "", accounts.ProxyOptions{})
	bearer := map[string]string{"Authorization": "Bearer " + p.Secret()}
	for _, path := range []string{"/", "/xrpc/", "/xrpc/getSession", "/xrpc/com.atproto.server.getSession/x", "/.well-known/atproto-did", "/XRPC/" + nsidGetSession, "/xrpc/com..atproto.x"} {
		a := send(t, p, http.MethodGet, path, nil, bearer)
		if name, _ := a.xrpcError(); a.status != 404 || name != "NotFound" {
			t.Errorf("GET %s: %s", path, a)
		}
	}
	for _, method := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions} {
		a := send(t, p, method, "/xrpc/"+nsidGetSession, nil, bearer)
		if name, _ := a.xrpcError(); a.status != 405 || name != "MethodNotAllowed" || a.header.Get("Allow") != "GET, POST" {
			t.Errorf("%s: %s", method, a)
		}
	}
	for path, h := range map[string]map[string]string{
		"/xrpc/" + nsidGetSession + "?a=%zz": nil,
		"/xrpc/" + nsidGetSession:            {"Atproto-Proxy": "not-a-did#x"},
	} {
		for k, v := range bearer {
			if h == nil {
				h = map[string]string{}
			}
			h[k] = v
		}
		if a := send(t, p, http.MethodGet, path, nil, h); a.status != 400 || strings.Contains(a.body, "not-a-did") {
			t.Errorf("GET %s %v: %s", path, h["Atproto-Proxy"], a)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, p.URL()+"/xrpc/"+nsidGetSession, nil)
	req.Header.Set("Authorization", "Bearer "+p.Secret())
	req.Header.Add("Atproto-Proxy", "did:web:api.bsky.chat#bsky_chat")
	req.Header.Add("Atproto-Proxy", "did:web:api.bsky.app#bsky_appview")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 400 {
		t.Errorf("atproto-proxy twice: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	if n := f.srv.Calls(nsidGetSession); n != 0 {
		t.Errorf("%d requests reached the PDS", n)
	}
}

// A body over the bound is refused unsent, with or without its length.
func TestProxyBoundsTheBody(t *testing.T) {
	f := setup(t, fakepds.Options{})
	f.login(t, "alice.test")
	p := startProxy(t, f.m, "", accounts.ProxyOptions{MaxBody: 1024})
	bearer := map[string]string{"Authorization": "Bearer " + p.Secret(), "Content-Type": "text/plain"}
	big := strings.Repeat("x", 1025)
	a := send(t, p, http.MethodPost, "/xrpc/com.atproto.repo.uploadBlob", strings.NewReader(big), bearer)
	if name, _ := a.xrpcError(); a.status != 413 || name != "PayloadTooLarge" {
		t.Errorf("1025 bytes: %s", a)
	}
	a = send(t, p, http.MethodPost, "/xrpc/com.atproto.repo.uploadBlob", struct{ *strings.Reader }{strings.NewReader(big)}, bearer) // no length: chunked
	if a.status != 413 {
		t.Errorf("1025 bytes chunked: %s", a)
	}
	if n := f.srv.Calls("com.atproto.repo.uploadBlob"); n != 0 {
		t.Errorf("%d uploads reached the PDS", n)
	}
	a = send(t, p, http.MethodPost, "/xrpc/com.atproto.repo.uploadBlob", strings.NewReader(big[:1024]), bearer)
	if got := f.srv.LastRequest("com.atproto.repo.uploadBlob"); a.status != 200 || len(got.Body) != 1024 || got.Header.Get("Content-Type") != "text/plain" {
		t.Errorf("1024 bytes: %s", a)
	}
}

// The server's answers pass with their status and body, and only the safe
// headers; a token the server quotes is withheld; a cut body is a cut
// answer; a server that cannot be reached is a 502.
func TestProxyPassesAnswersOnSafely(t *testing.T) {
	f := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
	alice := f.login(t, "alice.test")
	p := startProxy(t, f.m, "", accounts.ProxyOptions{})
	f.srv.Inject(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultRateLimit, Times: 1})
	a := get(t, p, "/xrpc/"+nsidGetSession)
	if name, _ := a.xrpcError(); a.status != 429 || name != "RateLimitExceeded" || a.header.Get("Retry-After") == "" || a.header.Get("Ratelimit-Remaining") != "0" {
		t.Errorf("rate limited: %s %v", a, a.header)
	}
	f.srv.Inject(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultEchoAuthorizationHeader, Times: 1})
	a = get(t, p, "/xrpc/"+nsidGetSession)
	if a.status != 400 || a.header.Get("X-Echo-Authorization") != "" {
		t.Errorf("a header echoing the token: %s %v", a, a.header)
	}
	f.srv.Inject(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultEchoAuthorizationBody, Times: 1})
	if a = get(t, p, "/xrpc/"+nsidGetSession); a.status != 200 || strings.Contains(a.body, alice.AccessJwt) || strings.Contains(a.body, alice.AccessJwt[len(alice.AccessJwt)-32:]) {
		t.Errorf("a body echoing the token reached the command (HTTP %d)", a.status)
	}
	f.srv.Inject(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultTruncated, Times: 1})
	if a = get(t, p, "/xrpc/"+nsidGetSession); a.err == nil {
		t.Errorf("a cut body came through whole: %s", a)
	}
	f.srv.Inject(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultHTML, Times: 1})
	if a = get(t, p, "/xrpc/"+nsidGetSession); a.status != 502 || !strings.Contains(a.body, `"error":"BadGateway"`) || !strings.HasPrefix(a.header.Get("Content-Type"), "application/json") {
		t.Errorf("an HTML 502: %s %v", a, a.header)
	}
	f.srv.Inject(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultDrop})
	if a = get(t, p, "/xrpc/"+nsidGetSession); a.status != 502 || !strings.Contains(a.body, "UpstreamFailure") {
		t.Errorf("no answer: %s", a)
	}
}

// Close waits for a request under way, then takes no more; past its wait
// it cuts what is left.
func TestProxyCloseWaitsBounded(t *testing.T) {
	f := setup(t, fakepds.Options{})
	f.login(t, "alice.test")
	p := startProxy(t, f.m, "", accounts.ProxyOptions{})
	f.srv.Inject(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultDelay, Delay: 200 * time.Millisecond, Times: 1})
	done := make(chan proxyAnswer, 1)
	go func() { done <- get(t, p, "/xrpc/"+nsidGetSession) }()
	waitFor(t, func() bool { return f.srv.Calls(nsidGetSession) == 1 })
	if err := p.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	select {
	case a := <-done:
		if a.status != 200 {
			t.Errorf("the request under way: %s", a)
		}
	default:
		t.Error("Close returned before the request under way was answered")
	}
	if a := get(t, p, "/xrpc/"+nsidGetSession); a.err == nil {
		t.Errorf("a request after Close: %s", a)
	}

	cut := startProxy(t, f.m, "", accounts.ProxyOptions{CloseWait: 20 * time.Millisecond})
	f.srv.Inject(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultDelay, Delay: 10 * time.Second, Times: 1})
	go func() { done <- get(t, cut, "/xrpc/"+nsidGetSession) }()
	waitFor(t, func() bool { return f.srv.Calls(nsidGetSession) == 2 })
	cut.Close()
	// Cut: no answer at all (the client's own 2 s timeout would give one).
	if a := <-done; a.err == nil {
		t.Errorf("a request past the wait was not cut: %s", a)
	}
}

// No way of printing a proxy shows its secret.
func TestProxyNeverPrintsItsSecret(t *testing.T) {
	f := setup(t, fakepds.Options{})
	f.login(t, "alice.test")
	p := startProxy(t, f.m, "", accounts.ProxyOptions{})
	s := fmt.Sprintf("%v %+v %#v %s %q %x %d", p, p, p, p, p, p, p)
	if strings.Contains(s, p.Secret()) || !strings.Contains(s, p.URL()) {
		t.Errorf("printed: %s", s)
	}
}

// waitFor polls cond until it holds, failing the test after 10 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the condition never held")
		}
	}
}
