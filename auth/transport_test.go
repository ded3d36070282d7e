package auth

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/skyswitch/skyswitch/internal/sanitize"
	"github.com/skyswitch/skyswitch/internal/testcert"
)

// unsafeIn describes the first rune of s a terminal could act on, or "".
func unsafeIn(s string) string {
	for i, r := range s {
		if r == utf8.RuneError || sanitize.Unsafe(r) {
			return fmt.Sprintf("%U at byte %d", r, i)
		}
	}
	return ""
}

// A certificate's names, a CA's name and whatever else the other side of a
// TLS connection chooses never reach the error text: each failure is said
// in our words, and the error still tells callers what it is.
func TestCertificateErrorsSayOurWords(t *testing.T) {
	ca := testcert.NewCA(t)
	now := time.Now()
	hour := time.Hour
	loopback := []net.IP{net.IPv4(127, 0, 0, 1)}
	hostile := serveTLS(t, ca.Leaf(t, testcert.Hostile, nil, now.Add(-hour), now.Add(hour)))
	expired := serveTLS(t, ca.Leaf(t, []string{"localhost"}, loopback, now.Add(-2*hour), now.Add(-hour)))
	good := serveTLS(t, ca.Leaf(t, []string{"localhost"}, loopback, now.Add(-hour), now.Add(hour)))
	plain := strings.TrimPrefix(serve(t, func(w http.ResponseWriter, r *http.Request) {}), "http://")
	in := map[string]string{"identifier": "alice.test", "password": "Pw-7f3k-not-in-any-error"}

	// The world is right: a good certificate from the same CA works.
	if err := (&Client{HTTP: trusting(ca.Pool)}).Procedure(ctx(t), "https://localhost:"+good, "x.y.z", "", in, nil); err != nil {
		t.Fatalf("a valid certificate was refused: %v", err)
	}
	for _, tc := range []struct {
		name, base string
		pool       bool // trust the test CA
		kind       TransportKind
		says       string
	}{
		{"hostile names, asked by name", "https://localhost:" + hostile, true, TransportCertName, "certificate is not valid for this host"},
		{"hostile names, asked by address", "https://127.0.0.1:" + hostile, true, TransportCertName, "certificate is not valid for this host"},
		{"an unknown authority", "https://localhost:" + good, false, TransportCertAuthority, "not signed by a trusted authority"},
		{"expired", "https://localhost:" + expired, true, TransportCertExpired, "expired or is not yet valid"},
		{"not TLS", "https://" + plain, true, TransportNotTLS, "did not speak TLS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hc := trusting(ca.Pool)
			if !tc.pool {
				hc = trusting(testcert.NewCA(t).Pool) // another CA: ours is unknown
			}
			err := (&Client{HTTP: hc}).Procedure(ctx(t), tc.base, "com.atproto.server.createSession", "", in, nil)
			var te *TransportError
			if !errors.As(err, &te) || te.Kind != tc.kind {
				t.Fatalf("want a TransportError of kind %q, got %T (%s)", tc.kind, err, sanitize.Line(fmt.Sprint(err)))
			}
			text := err.Error()
			if bad := unsafeIn(text); bad != "" {
				t.Errorf("the error text holds %s: %s", bad, sanitize.Line(text))
			}
			for _, quoted := range []string{"pwned", "52;c", "[2J", "evil.example", "test CA"} {
				if strings.Contains(text, quoted) {
					t.Errorf("the error quotes the certificate (%q): %s", quoted, sanitize.Line(text))
				}
			}
			if !strings.Contains(text, tc.says) || !strings.HasPrefix(text, "com.atproto.server.createSession: ") {
				t.Errorf("the error does not say %q: %s", tc.says, text)
			}
			if IsTransient(err) {
				t.Error("a refused certificate counts as transient")
			}
		})
	}
}

// Malformed answers are said in our words, stay transient bad responses,
// and the raw bytes (here: our own credentials echoed) are never shown.
func TestMalformedAnswersAreNotQuoted(t *testing.T) {
	const bearer, password = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkaWQ6cGxjOmFiYyJ9.c2lnbmF0dXJlLXNpZ25hdHVyZS0xMjM0NTY", "Pw-no-spaces-0123456789"
	hijacked := func(answer string) string {
		return serve(t, func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				return
			}
			defer conn.Close()
			conn.Write([]byte(answer))
		})
	}
	body := `{"identifier":"alice.test","password":"` + password + `"}`
	for _, tc := range []struct{ name, answer string }{
		{"the body echoed as a status line", body + "\r\n\r\n"},
		{"the token echoed as a header line", "HTTP/1.1 200 OK\r\nX-Echo Bearer " + bearer + "\r\n\r\n"},
		{"the token as the status code", "HTTP/1.1 " + bearer + " OK\r\n\r\n"},
		{"the token as the version", "HTTP/" + bearer + " 200 OK\r\n\r\n"},
		{"chunked, the token in a trailer", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nX-Echo " + bearer + "\r\n\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := map[string]string{"identifier": "alice.test", "password": password}
			err := (&Client{}).Procedure(ctx(t), hijacked(tc.answer), "com.atproto.server.createSession", bearer, in, &struct{}{})
			if err == nil {
				t.Fatal("a malformed answer was taken")
			}
			text := err.Error()
			for _, secret := range []string{password, bearer[len(bearer)-quoteLen:], "X-Echo"} {
				if strings.Contains(sanitize.Fold(text), secret) {
					t.Fatalf("the error quotes the answer (%d bytes)", len(text))
				}
			}
			if !strings.Contains(text, "the server sent a malformed answer") {
				t.Errorf("the error does not say the answer was malformed: %s", text)
			}
			if !errors.Is(err, ErrBadResponse) || !IsTransient(err) {
				t.Errorf("not a transient ErrBadResponse: %s", text)
			}
		})
	}
}

// A network failure keeps Go's text, which names our own address, and what
// callers test it with.
func TestNetworkErrorsKeepGoText(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	err = (&Client{}).Query(ctx(t), "http://"+addr, "x.y.z", "tok", nil, nil)
	var te *TransportError
	var ne net.Error
	if !errors.As(err, &te) || te.Kind != TransportNetwork || !errors.As(err, &ne) || !IsTransient(err) {
		t.Fatalf("want a transient network TransportError, got %T %v", err, err)
	}
	if !strings.Contains(err.Error(), "x.y.z: "+addr+": dial tcp "+addr) || !strings.Contains(err.Error(), "refused") {
		t.Errorf("Go's text is lost: %v", err)
	}
}

// Every error text is checked against the credentials in flight, folded:
// a Go text quoting one, split by invisible characters, is withheld too.
func TestWithholdCredentialsCoversEveryError(t *testing.T) {
	const token = "eyJ0eXAiOiJhdCtqd3QifQ.eyJzdWIiOiJkaWQ6cGxjOmFiYyJ9.c2lnLTAxMjM0NTY3ODlhYmNkZWY"
	split := strings.Join(strings.Split(token[len(token)-20:], ""), "\u200b")
	cs := requestCredentials("", nil, token)
	for name, err := range map[string]error{
		"a transport error": &TransportError{Method: "x.y.z", Host: "h", Kind: TransportNetwork, Detail: "read " + split, Err: context.DeadlineExceeded},
		"a plain error":     fmt.Errorf("x.y.z: %w: %s", ErrBadResponse, split),
	} {
		got := withholdCredentials("x.y.z", err, cs)
		if got.Error() != "x.y.z: "+withheld {
			t.Errorf("%s: not withheld (%d bytes)", name, len(got.Error()))
		}
		if !errors.Is(got, err) {
			t.Errorf("%s: the withheld error lost its meaning", name)
		}
	}
	clean := &TransportError{Method: "x.y.z", Host: "h", Kind: TransportNetwork, Detail: "connection refused", Err: context.DeadlineExceeded}
	if got := withholdCredentials("x.y.z", clean, cs); got != clean {
		t.Errorf("a clean error was replaced: %v", got)
	}
}

// A session's calls must not quote its other token either: the refresh
// token in an error answered to a call made with the access token.
func TestSessionErrorsQuoteNeitherToken(t *testing.T) {
	const access, refresh = "opaque-access-token-0123456789", "eyJ0eXAiOiJyZWZyZXNoK2p3dCJ9.eyJzdWIiOiJkaWQ6cGxjOmFiYyJ9.cmVmcmVzaC1zaWduYXR1cmUtMDEyMzQ1"
	base := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(400)
		fmt.Fprintf(w, `{"error":"InvalidRequest","message":"session of %s"}`, strings.Join(strings.Split(refresh, ""), "\u200b"))
	})
	s := (&Client{}).NewSession(SessionData{DID: "did:plc:abc", AccessJwt: access, RefreshJwt: refresh, PDSURL: base}, SessionOptions{})
	_, err := s.GetSession(ctx(t))
	var xe *Error
	if !errors.As(err, &xe) || xe.Status != 400 {
		t.Fatalf("want the 400, got %v", err)
	}
	if xe.Message != withheld || strings.Contains(sanitize.Fold(err.Error()), refresh[len(refresh)-quoteLen:]) {
		t.Errorf("the message quoting the refresh token was kept (%d bytes)", len(err.Error()))
	}
}

// recorder is a RoundTripper that records requests and answers 200 {}.
type recorder struct {
	mu   sync.Mutex
	reqs []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req.Method+" "+req.URL.String())
	r.mu.Unlock()
	return &http.Response{StatusCode: 200, Header: http.Header{}, Body: http.NoBody, Request: req}, nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.reqs)
}

// A URL read from the accounts file is held to the network's rules: no
// credential goes to plain http (but loopback), nor to a URL
// NormalizeServiceURL refuses, and not one byte is sent.
func TestCredentialsOnlyOverHTTPS(t *testing.T) {
	const access, refresh = "opaque-access-token-0123456789", "opaque-refresh-token-9876543210"
	for _, bad := range []string{"http://pds.example.com", "http://pds.example.com:80/", "http://10.0.0.1", "ftp://pds.example.com",
		"https://user:pw@pds.example.com", "https://pds.example.com/path", "pds.example.com", "http://pds\u202e.example.com"} {
		t.Run(bad, func(t *testing.T) {
			rec := &recorder{}
			c := &Client{HTTP: &http.Client{Transport: rec}}
			d := SessionData{DID: "did:plc:abc", AccessJwt: access, RefreshJwt: refresh, Service: "https://bsky.social", PDSURL: bad}
			errs := map[string]error{}
			_, errs["refresh"] = c.RefreshSession(ctx(t), d)
			errs["logout"] = c.DeleteSession(ctx(t), d)
			_, errs["getSession"] = c.NewSession(d, SessionOptions{}).GetSession(ctx(t))
			errs["password"] = c.Procedure(ctx(t), bad, "com.atproto.server.createSession", "", map[string]string{"password": "Pw-long-enough-to-be-real"}, nil)
			errs["bearer"] = c.Query(ctx(t), bad, "x.y.z", access, nil, nil)
			for call, err := range errs {
				if !errors.Is(err, ErrBadURL) || !strings.Contains(err.Error(), "refusing to send credentials to "+sanitize.Line(bad)) {
					t.Errorf("%s: want a refusal naming the URL, got %v", call, err)
				}
				if bad := unsafeIn(err.Error()); bad != "" {
					t.Errorf("%s: the error holds %s", call, bad)
				}
			}
			if n := rec.count(); n != 0 {
				t.Fatalf("%d requests were sent", n)
			}
		})
	}
	// What the rules allow is sent: https, http to loopback, and a call
	// carrying no credential anywhere.
	rec := &recorder{}
	c := &Client{HTTP: &http.Client{Transport: rec}}
	for _, good := range []string{"https://pds.example.com", "https://pds.example.com/", "http://127.0.0.1:2583", "http://localhost:2583"} {
		if _, err := c.RefreshSession(ctx(t), SessionData{DID: "did:plc:abc", RefreshJwt: refresh, PDSURL: good}); !errors.Is(err, ErrBadResponse) {
			t.Errorf("%s: %v", good, err) // the recorder's empty answer holds no tokens
		}
	}
	if err := c.Query(ctx(t), "http://pds.example.com", "com.atproto.server.describeServer", "", nil, nil); err != nil {
		t.Errorf("a call without credentials: %v", err)
	}
	if n := rec.count(); n != 5 {
		t.Errorf("%d requests sent, want 5", n)
	}
}

// ctx is a context for one test call, bounded generously.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

// Loopback is localhost, a name under .localhost, or a loopback address:
// nothing that merely contains, ends or starts like one. A password or a
// token to any other host over plain http is refused unsent.
func TestPlainHTTPOnlyToLoopback(t *testing.T) {
	const password = "Pw-long-enough-to-be-real"
	login := map[string]string{"identifier": "alice.test", "password": password}
	for _, bad := range []string{"http://evillocalhost:2583", "http://evil-localhost", "http://localhostx", "http://localhost.evil.com",
		"http://localhost.evil.com.", "http://foo.localhost.evil", "http://127.0.0.1.evil", "http://127.0.0.1.nip.io",
		"http://2130706433", "http://127.1", "http://[::2]:1", "http://0.0.0.0"} {
		rec := &recorder{}
		c := &Client{HTTP: &http.Client{Transport: rec}}
		errP := c.Procedure(ctx(t), bad, "com.atproto.server.createSession", "", login, nil)
		errB := c.Query(ctx(t), bad, "com.atproto.server.getSession", "opaque-access-token-0123456789", nil, nil)
		if !errors.Is(errP, ErrBadURL) || !errors.Is(errB, ErrBadURL) || rec.count() != 0 {
			t.Errorf("%s: %d sent; %v; %v", bad, rec.count(), errP, errB)
		}
	}
	for _, good := range []string{"http://localhost", "http://LOCALHOST:2583", "http://localhost.", "http://foo.localhost:1",
		"http://a.b.localhost", "http://127.0.0.1:2583", "http://127.255.0.1", "http://[::1]:2583"} {
		rec := &recorder{}
		c := &Client{HTTP: &http.Client{Transport: rec}}
		if err := c.Procedure(ctx(t), good, "com.atproto.server.createSession", "", login, nil); err != nil || rec.count() != 1 {
			t.Errorf("%s: %d sent; %v", good, rec.count(), err)
		}
	}
}
