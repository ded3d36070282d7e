package auth

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Scaled-down bounds: headers within 100 ms; a body under 1 KiB/s over
// 200 ms fails.
const testTimeout = 100 * time.Millisecond

var testPace = pace{window: 200 * time.Millisecond, rate: 1024}

func scaledClient() *Client { return &Client{Timeout: testTimeout, pace: testPace} }

// trickler is a loopback server that reads a request, then sends answer
// a byte every tick until done or the client hangs up.
func trickler(t *testing.T, answer string, tick time.Duration) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				r := bufio.NewReader(conn)
				for line, err := r.ReadString('\n'); line != "\r\n"; line, err = r.ReadString('\n') {
					if err != nil {
						return
					}
				}
				for i := range len(answer) {
					select {
					case <-done:
						return
					case <-time.After(tick):
					}
					if _, err := conn.Write([]byte{answer[i]}); err != nil {
						return
					}
				}
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// wantBound checks that err is a transient *TransportError of kind that
// says so in skyswitch's words, not Go's.
func wantBound(t *testing.T, err error, kind TransportKind, says string) {
	t.Helper()
	var te *TransportError
	if !errors.As(err, &te) || te.Kind != kind {
		t.Fatalf("want a %q TransportError, got %T %v", kind, err, err)
	}
	if !strings.Contains(err.Error(), says) || strings.Contains(err.Error(), "context") {
		t.Errorf("the error says %q, want %q in our words", err, says)
	}
	if !IsTransient(err) || errors.Is(err, context.Canceled) {
		t.Errorf("not transient, or taken for a caller giving up: %v", err)
	}
}

// Headers that trickle a byte every 5 ms (400 bytes, 2 s) fail at the
// timeout, for every kind of call.
func TestTrickledHeadersTimeOut(t *testing.T) {
	answer := "HTTP/1.1 200 OK\r\nX-Pad: " + strings.Repeat("a", 400) + "\r\nContent-Length: 2\r\n\r\n{}"
	base := trickler(t, answer, 5*time.Millisecond)
	host := strings.TrimPrefix(base, "http://")
	says := "x.y.z: the server at " + host + " did not answer within 100ms"
	wantBound(t, scaledClient().Query(ctx(t), base, "x.y.z", "", nil, nil), TransportTimeout, says)
	_, err := scaledClient().Raw(ctx(t), base, "", RawRequest{Method: http.MethodGet, NSID: "x.y.z"})
	wantBound(t, err, TransportTimeout, says)
}

// A server that never answers, as the fake PDS's FaultDelay, is said
// the same way, with the real timeout.
func TestSilentServerTimesOut(t *testing.T) {
	base := trickler(t, "H", time.Hour)
	err := (&Client{Timeout: 30 * time.Millisecond}).Query(ctx(t), base, "x.y.z", "", nil, nil)
	wantBound(t, err, TransportTimeout, "did not answer within 30ms")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("errors.Is(DeadlineExceeded) lost: %v", err)
	}
}

// A body that trickles a byte every 5 ms (200 bytes/s, for 2 s) fails once
// it has run under 1 KiB/s for the window, for Raw's stream and for an
// answer read whole, while its timeout is still far.
func TestTricklingBodyFails(t *testing.T) {
	answer := "HTTP/1.1 200 OK\r\nContent-Length: 400\r\n\r\n" + strings.Repeat("a", 400)
	// The headers come at once: the trickle starts with the body.
	base := serveThenTrickle(t, answer[:strings.Index(answer, "\r\n\r\n")+4], answer[strings.Index(answer, "\r\n\r\n")+4:])
	host := strings.TrimPrefix(base, "http://")
	says := "the server at " + host + " stopped sending (under 1 KiB/s for 200ms)"
	resp, err := scaledClient().Raw(ctx(t), base, "", RawRequest{Method: http.MethodGet, NSID: "x.y.z"})
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	wantBound(t, err, TransportStalled, says)
	if strings.HasPrefix(err.Error(), "x.y.z") {
		t.Errorf("a stream's error names the call, which its reader names: %v", err)
	}
	if len(data) == 400 {
		t.Error("the whole body came")
	}
	patient := &Client{Timeout: time.Minute, pace: testPace}
	wantBound(t, patient.Query(ctx(t), base, "x.y.z", "", nil, nil), TransportStalled, "x.y.z: "+says)
}

// serveThenTrickle is a loopback server that sends head at once, then
// body a byte every 5 ms.
func serveThenTrickle(t *testing.T, head, body string) string {
	return serve(t, func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		buf.WriteString(head)
		buf.Flush()
		for i := range len(body) {
			time.Sleep(5 * time.Millisecond)
			if _, err := conn.Write([]byte{body[i]}); err != nil {
				return
			}
		}
	})
}

// A body that keeps moving (2 KiB every 10 ms, for 300 ms: three times
// the timeout, and longer than the window) is never cut: the timeout is
// the headers' alone.
func TestSteadyBodyOutlastsTheTimeout(t *testing.T) {
	const chunks = 30
	base := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.ipld.car")
		for range chunks {
			w.Write(make([]byte, 2048))
			w.(http.Flusher).Flush()
			time.Sleep(10 * time.Millisecond)
		}
	})
	resp, err := scaledClient().Raw(context.Background(), base, "", RawRequest{Method: http.MethodGet, NSID: "com.atproto.sync.getRepo"})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil || n != chunks*2048 {
		t.Fatalf("got %d bytes, %v; want all %d", n, err, chunks*2048)
	}
}

// An answer read whole must come whole within the timeout, however fast
// it moves: a call made under the account's lock ends within it.
func TestAnswerReadWholeHasTheTimeoutForAllOfIt(t *testing.T) {
	base := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"did":"`))
		for range 30 {
			w.Write([]byte(strings.Repeat("a", 2048)))
			w.(http.Flusher).Flush()
			time.Sleep(10 * time.Millisecond)
		}
		w.Write([]byte(`"}`))
	})
	host := strings.TrimPrefix(base, "http://")
	err := scaledClient().Query(ctx(t), base, "x.y.z", "", nil, &struct{}{})
	wantBound(t, err, TransportTimeout, "x.y.z: the server at "+host+" did not answer within 100ms")
}

// Time the caller spends away from the body (a paused pipe) is not the
// server's: a reader that stops for three windows still gets it all.
func TestPausedReaderIsNotCut(t *testing.T) {
	base := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write(make([]byte, 1<<20))
	})
	resp, err := scaledClient().Raw(context.Background(), base, "", RawRequest{Method: http.MethodGet, NSID: "com.atproto.sync.getRepo"})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	first := make([]byte, 1024)
	if _, err := io.ReadFull(resp.Body, first); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * testPace.window)
	if n, err := io.Copy(io.Discard, resp.Body); err != nil || n != 1<<20-1024 {
		t.Fatalf("after the pause: %d bytes, %v", n, err)
	}
}

// No request reaches another host because a server said 301–308, even
// with an HTTP client of the caller's that would follow it.
func TestNoRedirectIsFollowed(t *testing.T) {
	var reached atomic.Int32
	other := serve(t, func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		w.Write([]byte(`{}`))
	})
	for _, status := range []int{301, 302, 303, 307, 308} {
		base := serve(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other+r.URL.Path, status)
		})
		follows := &Client{HTTP: &http.Client{}} // Go's default: follow up to 10
		var xe *Error
		if err := follows.Query(ctx(t), base, "x.y.z", "", nil, nil); !errors.As(err, &xe) || xe.Status != status {
			t.Errorf("%d, Query: %v", status, err)
		}
		if _, err := follows.Raw(ctx(t), base, "tok", RawRequest{Method: http.MethodGet, NSID: "x.y.z"}); !errors.As(err, &xe) || xe.Status != status {
			t.Errorf("%d, Raw: %v", status, err)
		}
	}
	if n := reached.Load(); n != 0 {
		t.Fatalf("%d requests followed a redirect", n)
	}
}

// A buffered answer one byte over the cap is refused, not cut to the cap
// and used: here the first 64 bytes are a whole JSON answer, and the 65th
// would go unseen. At the cap it is taken.
func TestAnswerOverTheCapIsRefusedNotCut(t *testing.T) {
	const max = 64
	answer := `{"did":"did:plc:abc"}`
	for size, refused := range map[int]bool{max: false, max + 1: true} {
		body := answer + strings.Repeat(" ", size-len(answer))
		base := serve(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) })
		var out struct{ DID string }
		err := (&Client{MaxResponseBytes: max}).Query(ctx(t), base, "x.y.z", "", nil, &out)
		switch {
		case refused && (!errors.Is(err, ErrBadResponse) || !strings.Contains(err.Error(), "more than 64 bytes")):
			t.Errorf("%d bytes: want a refusal, got %v (did %q)", size, err, out.DID)
		case !refused && (err != nil || out.DID != "did:plc:abc"):
			t.Errorf("%d bytes: %v", size, err)
		}
	}
}

// An error answer whose body is over the cap keeps its status (and, for
// Raw, its headers); its body is not read for a message.
func TestErrorAnswerOverTheCapKeepsItsStatus(t *testing.T) {
	base := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(503)
		w.Write([]byte(`{"error":"ExpiredToken","message":"` + strings.Repeat("a", 100) + `"}`))
	})
	c := &Client{MaxResponseBytes: 64}
	_, rawErr := c.Raw(ctx(t), base, "", RawRequest{Method: http.MethodGet, NSID: "x.y.z"})
	for name, err := range map[string]error{"Query": c.Query(ctx(t), base, "x.y.z", "", nil, nil), "Raw": rawErr} {
		var xe *Error
		if !errors.As(err, &xe) || xe.Status != 503 || xe.Name != "" || xe.RetryAfter != 7*time.Second ||
			!strings.Contains(err.Error(), "too large to read") || !IsTransient(err) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
