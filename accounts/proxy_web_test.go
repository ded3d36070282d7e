package accounts_test

// The proxy against the web and its own answers: requests for another
// host (DNS rebinding, an absolute URI), the headers of the errors it
// writes, the challenge of its 401s.

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// A request naming another host is refused, secret or not, and nothing
// reaches the PDS: a web page that rebinds its own name to 127.0.0.1
// (DNS rebinding) names itself in Host, and an absolute request URI for
// another host asks for an open proxy. The proxy's own address passes, by
// 127.0.0.1 or localhost.
func TestProxyAnswersOnlyForItsOwnHost(t *testing.T) {
	f := setup(t, fakepds.Options{})
	f.login(t, "alice.test")
	p := startProxy(t, f.m, "", accounts.ProxyOptions{})
	port := p.URL()[strings.LastIndex(p.URL(), ":")+1:]
	for _, host := range []string{"rebind.example:" + port, "rebind.example", "127.0.0.1", "127.0.0.2:" + port, "[::1]:" + port, "127.0.0.1:1"} {
		a := sendHost(t, p, host, "/xrpc/"+nsidGetSession, map[string]string{"Authorization": "Bearer " + p.Secret()})
		if name, _ := a.xrpcError(); a.status != http.StatusMisdirectedRequest || name != "MisdirectedRequest" || strings.Contains(a.body, host) {
			t.Errorf("Host %s: %s", host, a)
		}
	}
	// An absolute request URI, as a client told to use a proxy sends it.
	conn, err := net.Dial("tcp", strings.TrimPrefix(p.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET http://rebind.example/xrpc/%s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nConnection: close\r\n\r\n",
		nsidGetSession, strings.TrimPrefix(p.URL(), "http://"), p.Secret())
	if resp, err := http.ReadResponse(bufio.NewReader(conn), nil); err != nil || resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("an absolute URI for another host: %v %v", resp, err)
	}
	if n := f.srv.Calls(nsidGetSession); n != 0 {
		t.Errorf("%d requests reached the PDS", n)
	}
	for _, host := range []string{strings.TrimPrefix(p.URL(), "http://"), "localhost:" + port, "LOCALHOST:" + port} {
		if a := sendHost(t, p, host, "/xrpc/"+nsidGetSession, map[string]string{"Authorization": "Bearer " + p.Secret()}); a.status != 200 {
			t.Errorf("Host %s: %s", host, a)
		}
	}
}

// sendHost is a GET to the proxy naming host in its Host header.
func sendHost(t *testing.T, p *accounts.Proxy, host, path string, header map[string]string) proxyAnswer {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, p.URL()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return do(t, req)
}

// An error the proxy writes itself (its JSON for the server's HTML page)
// carries none of the headers that described the server's body: a
// Content-Encoding the JSON is not in would make the command's client
// fail to read it. What is about the request (Retry-After) stays.
func TestProxyErrorsDescribeTheirOwnBody(t *testing.T) {
	f := setup(t, fakepds.Options{})
	f.login(t, "alice.test")
	p := startProxy(t, f.m, "", accounts.ProxyOptions{})
	page := http.Header{
		"Content-Encoding": {"br"}, "Content-Language": {"fr"}, "Content-Disposition": {`attachment; filename="502.html"`},
		"Etag": {`"page"`}, "Last-Modified": {"Mon, 07 Dec 2026 10:00:00 GMT"}, "Retry-After": {"5"},
	}
	f.srv.Inject(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultHTML, Header: page, Times: 1})
	a := get(t, p, "/xrpc/"+nsidGetSession)
	if name, _ := a.xrpcError(); a.status != 502 || name != "BadGateway" || !strings.HasPrefix(a.header.Get("Content-Type"), "application/json") {
		t.Fatalf("an HTML 502: %s", a)
	}
	for _, h := range []string{"Content-Encoding", "Content-Language", "Content-Disposition", "Etag", "Last-Modified"} {
		if v := a.header.Get(h); v != "" {
			t.Errorf("the proxy's JSON error says %s: %s", h, v)
		}
	}
	if a.header.Get("Retry-After") != "5" {
		t.Errorf("Retry-After %q, want 5", a.header.Get("Retry-After"))
	}
}

// Every 401 of the proxy says how to authenticate to it, as HTTP wants a
// 401 to: a Bearer challenge, never the server's DPoP one (nor its
// nonce), whether the proxy refuses the request itself, the session
// ended, or the server refused the token even after a refresh.
func TestProxy401sChallengeBearer(t *testing.T) {
	f := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
	alice := f.oauthLogin(t, "alice.test")
	p := startProxy(t, f.m, "", accounts.ProxyOptions{})
	answers := map[string]proxyAnswer{
		"no secret": send(t, p, http.MethodGet, "/xrpc/"+nsidGetSession, nil, nil),
	}
	f.srv.Inject(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultStatus, Status: 401, Name: "invalid_token", Times: 2})
	answers["refused after a refresh"] = get(t, p, "/xrpc/"+nsidGetSession)
	if err := f.process().Client.DeleteSession(ctx, f.stored(t, alice.DID).SessionData); err != nil {
		t.Fatal(err)
	}
	answers["session ended"] = get(t, p, "/xrpc/"+nsidGetSession)
	for what, a := range answers {
		if c := a.header.Values("Www-Authenticate"); a.status != 401 || len(c) != 1 || !strings.HasPrefix(c[0], "Bearer ") || a.header.Get("Dpop-Nonce") != "" {
			t.Errorf("%s: %s, WWW-Authenticate %q", what, a, c)
		}
	}
}
