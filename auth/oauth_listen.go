package auth

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// CallbackPath is the path a loopback listener takes the browser back at.
const CallbackPath = "/callback"

// CallbackListener takes the browser's return from a sign-in: an HTTP
// server on 127.0.0.1 at a random port, answering at CallbackPath only,
// which hands over the first callback carrying the sign-in's state and
// then stops.
type CallbackListener struct {
	ln   net.Listener
	srv  *http.Server
	got  chan string
	stop sync.Once

	mu    sync.Mutex
	state string // the callback awaited; "" until Wait
	done  bool   // one was taken
}

// ListenCallback starts a listener on 127.0.0.1 at a port the system
// chooses. Close it when done (Wait does, once it has the callback).
func ListenCallback() (*CallbackListener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	l := &CallbackListener{ln: ln, got: make(chan string, 1)}
	l.srv = &http.Server{Handler: http.HandlerFunc(l.serve), ReadHeaderTimeout: 10 * time.Second}
	go l.srv.Serve(ln)
	return l, nil
}

// RedirectURI is the listener's address for OAuthRequest.RedirectURI:
// http://127.0.0.1:<port>/callback.
func (l *CallbackListener) RedirectURI() string {
	port := l.ln.Addr().(*net.TCPAddr).Port
	return "http://127.0.0.1:" + strconv.Itoa(port) + CallbackPath
}

// Expect has the listener take the callback carrying state from now on,
// before Wait is called: call it before the browser is opened, so that a
// browser that comes back at once (a session it already has, a test's or
// the demo's fake one) is not answered "not awaited" while Wait is still
// to start. Wait(ctx, state) does the same.
func (l *CallbackListener) Expect(state string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.state == "" {
		l.state = state
	}
}

// Wait returns the URL of the first callback carrying state (a
// pending sign-in's State), for OAuthPending.Finish, and stops the
// listener. Callbacks with another state are answered and ignored.
func (l *CallbackListener) Wait(ctx context.Context, state string) (string, error) {
	if state == "" {
		return "", errors.New("no state to wait for")
	}
	l.mu.Lock()
	if l.state != "" && l.state != state {
		l.mu.Unlock()
		return "", errors.New("the listener expects another sign-in")
	}
	l.state = state
	l.mu.Unlock()
	select {
	case u := <-l.got:
		l.Close()
		return u, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Close stops the listener; it may be called more than once.
func (l *CallbackListener) Close() error {
	var err error
	l.stop.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		err = l.srv.Shutdown(ctx)
	})
	return err
}

// serve answers a request: the awaited callback gets a page saying the tab
// may be closed and is handed to Wait; anything else a page saying it is
// not awaited. No page repeats what the request carried.
func (l *CallbackListener) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'")
	if r.URL.Path != CallbackPath || r.Method != http.MethodGet {
		w.WriteHeader(http.StatusNotFound)
		w.Write(page("Not found", "This address only takes a sign-in's return."))
		return
	}
	q := r.URL.Query()
	l.mu.Lock()
	ok := !l.done && l.state != "" && q.Get("state") == l.state
	l.done = l.done || ok
	l.mu.Unlock()
	if !ok {
		w.WriteHeader(http.StatusBadRequest)
		w.Write(page("Not awaited", "skyswitch is not waiting for this sign-in. Start it again from the terminal."))
		return
	}
	if q.Has("error") {
		w.Write(page("Sign-in not completed", "The sign-in was not completed. You can close this tab; the terminal says more."))
	} else {
		w.Write(page("Signed in", "skyswitch has the answer. You can close this tab and go back to the terminal."))
	}
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	l.got <- l.RedirectURI() + "?" + r.URL.RawQuery
}

// page is a small HTML page of fixed text.
func page(title, text string) []byte {
	return []byte("<!doctype html><meta charset=utf-8><title>skyswitch: " + title +
		"</title><body style=\"font-family:sans-serif;margin:3em\"><h1>" + title + "</h1><p>" + text + "</p></body>\n")
}
