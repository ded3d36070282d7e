package auth

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestCallbackListener(t *testing.T) {
	l, err := ListenCallback()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ru := l.RedirectURI()
	if err := checkRedirect(ru); err != nil || !strings.HasPrefix(ru, "http://127.0.0.1:") || !strings.HasSuffix(ru, "/callback") {
		t.Fatalf("redirect %s: %v", ru, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got := make(chan string, 1)
	go func() {
		u, err := l.Wait(ctx, "the-state")
		if err != nil {
			t.Error(err)
		}
		got <- u
	}()
	// Until Wait has the state, every callback is "not awaited"; wait for
	// it to be set rather than for a time.
	for {
		l.mu.Lock()
		set := l.state != ""
		l.mu.Unlock()
		if set {
			break
		}
		time.Sleep(time.Millisecond)
	}
	base := strings.TrimSuffix(ru, "/callback")
	if code, _ := get(t, base+"/other?state=the-state&code=x"); code != http.StatusNotFound {
		t.Fatalf("another path: HTTP %d", code)
	}
	code, body := get(t, ru+"?state=another&code=<script>x</script>")
	if code != http.StatusBadRequest || strings.Contains(body, "<script>") {
		t.Fatalf("another state: HTTP %d %s", code, body)
	}
	code, body = get(t, ru+"?state=the-state&code=c1&iss=http%3A%2F%2Fx")
	if code != http.StatusOK || !strings.Contains(body, "close this tab") || strings.Contains(body, "c1") {
		t.Fatalf("the callback: HTTP %d %s", code, body)
	}
	if u := <-got; u != ru+"?state=the-state&code=c1&iss=http%3A%2F%2Fx" {
		t.Fatalf("handed over %s", u)
	}
	// One good callback, then the listener is gone.
	if code, _ := get(t, ru+"?state=the-state&code=c2"); code != 0 {
		t.Fatalf("after the callback: HTTP %d", code)
	}
}

func TestCallbackListenerGivesUp(t *testing.T) {
	l, err := ListenCallback()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.Wait(ctx, "s"); err != context.Canceled {
		t.Fatalf("got %v", err)
	}
}

// A browser that comes back before Wait starts (one with a session, a
// fake one) is taken once Expect has the state: Wait then returns it.
func TestCallbackListenerExpectTakesAnEarlyCallback(t *testing.T) {
	l, err := ListenCallback()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ru := l.RedirectURI()
	l.Expect("the-state")
	if code, _ := get(t, ru+"?state=another&code=c0"); code != http.StatusBadRequest {
		t.Fatalf("another state: HTTP %d", code)
	}
	if code, _ := get(t, ru+"?state=the-state&code=c1"); code != http.StatusOK {
		t.Fatalf("the early callback: HTTP %d", code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := l.Wait(ctx, "other"); err == nil {
		t.Fatal("Wait took another state than the one expected")
	}
	u, err := l.Wait(ctx, "the-state")
	if err != nil || u != ru+"?state=the-state&code=c1" {
		t.Fatalf("Wait: %q, %v", u, err)
	}
}

// Stray requests while the callback is awaited or just taken (a browser's
// favicon, a HEAD, the same callback again from a reload) are answered
// and change nothing: Wait hands over the first callback alone.
func TestCallbackListenerIgnoresStrayRequests(t *testing.T) {
	l, err := ListenCallback()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ru := l.RedirectURI()
	base := strings.TrimSuffix(ru, CallbackPath)
	c := &http.Client{Timeout: 10 * time.Second}
	status := func(method, u string) int {
		req, _ := http.NewRequest(method, u, nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, u, err)
		}
		resp.Body.Close()
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" || resp.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s %s: Cache-Control %q, Referrer-Policy %q", method, u, cc, resp.Header.Get("Referrer-Policy"))
		}
		return resp.StatusCode
	}
	l.Expect("the-state")
	if code := status(http.MethodGet, base+"/favicon.ico"); code != http.StatusNotFound {
		t.Fatalf("favicon: HTTP %d", code)
	}
	if code := status(http.MethodHead, ru+"?state=the-state&code=h"); code != http.StatusNotFound {
		t.Fatalf("HEAD: HTTP %d", code)
	}
	if code := status(http.MethodGet, ru+"?state=the-state&code=c1"); code != http.StatusOK {
		t.Fatalf("the callback: HTTP %d", code)
	}
	if code := status(http.MethodGet, ru+"?state=the-state&code=c2"); code != http.StatusBadRequest {
		t.Fatalf("the callback again: HTTP %d", code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if u, err := l.Wait(ctx, "the-state"); err != nil || u != ru+"?state=the-state&code=c1" {
		t.Fatalf("Wait: %q, %v", u, err)
	}
}
