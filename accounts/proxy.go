package accounts

// The loopback proxy `skyswitch exec` gives an OAuth account's command.
// An OAuth access token is bound to the session's DPoP key, so the
// command cannot use it: it talks to the proxy instead, with a secret of
// this run, and the proxy makes each request through Manager.Call, which
// adds the account's credentials (and refreshes them under the account's
// lock). The command never sees a token or a key.
//
//	command ──Bearer <run secret>──▶ Proxy (127.0.0.1:random)
//	                                   │ checks the secret, the path, the method
//	                                   ▼
//	                     Manager.Call(account's DID) ──▶ the PDS
//	                                   │
//	command ◀── status, safe headers, body (streamed) ──┘

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/skyswitch/skyswitch/auth"
)

// Bounds of a Proxy, the defaults of ProxyOptions.
const (
	// DefaultProxyMaxBody bounds a request body the proxy takes: the
	// whole body is held, so that Call can send it again after a refresh.
	// It is room for a video blob.
	DefaultProxyMaxBody = 100 << 20
	// DefaultProxyCloseWait bounds how long Close waits for the requests
	// under way before it cuts them.
	DefaultProxyCloseWait = 5 * time.Second
	// proxyHeaderWait bounds how long a client may take to send a
	// request's headers.
	proxyHeaderWait = 10 * time.Second
)

// ProxyOptions tune a Proxy; the zero value gives the defaults.
type ProxyOptions struct {
	MaxBody   int64         // 0: DefaultProxyMaxBody
	CloseWait time.Duration // 0: DefaultProxyCloseWait
}

// Proxy is a loopback XRPC proxy acting as one saved account, fixed by
// its DID when it starts: a switch of the active account meanwhile does
// not change it. It accepts only requests for its own address (the Host
// header) with "Authorization: Bearer <Secret>",
// forwards GET and POST requests to /xrpc/<nsid> through Manager.Call,
// and streams the answers back. Its String and Format never show the
// secret.
type Proxy struct {
	m      *Manager
	did    string
	url    string
	hosts  [2]string // the Host a request may name: 127.0.0.1:<port>, localhost:<port>
	secret string
	opts   ProxyOptions
	srv    *http.Server
	served chan struct{}
	closed sync.Once
}

// StartProxy starts a Proxy for the account ident names (a handle, a DID,
// or "" for the active one), listening on 127.0.0.1 at a port the system
// picks, with a new random secret. ctx's values reach each request; its
// end does not stop the proxy: Close does.
func (m *Manager) StartProxy(ctx context.Context, ident string, opts ProxyOptions) (*Proxy, error) {
	a, err := m.lookup(ctx, ident)
	if err != nil {
		return nil, err
	}
	secret, err := newProxySecret()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("starting the proxy: %w", err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	p := &Proxy{m: m, did: a.DID, url: "http://" + addr.String(), secret: secret, opts: opts, served: make(chan struct{}),
		hosts: [2]string{addr.String(), net.JoinHostPort("localhost", strconv.Itoa(addr.Port))}}
	p.srv = &http.Server{
		Handler:           p,
		ReadHeaderTimeout: proxyHeaderWait,
		ErrorLog:          log.New(io.Discard, "", 0),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	go func() {
		defer close(p.served)
		_ = p.srv.Serve(ln)
	}()
	return p, nil
}

// newProxySecret is 32 random bytes, base64url without padding.
func newProxySecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making the proxy's secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// URL is the proxy's base URL, http://127.0.0.1:<port>: the command's
// ATP_PDS_URL.
func (p *Proxy) URL() string { return p.url }

// Secret is the bearer the proxy accepts: the command's ATP_ACCESS_TOKEN.
func (p *Proxy) Secret() string { return p.secret }

// DID is the account the proxy acts as.
func (p *Proxy) DID() string { return p.did }

// String names the proxy by its URL and account, never its secret.
func (p *Proxy) String() string { return "skyswitch proxy at " + p.url + " for " + p.did }

// Format prints String for every verb, so that no %v or %#v of a Proxy
// shows its secret.
func (p *Proxy) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, p.String()) }

// Close stops the proxy: it takes no more requests and waits for those
// under way, at most CloseWait, then cuts them. A refresh a cut request
// started still lands and is saved (see Manager.Settle). Close may be
// called more than once.
func (p *Proxy) Close() error {
	var err error
	p.closed.Do(func() {
		wait := p.opts.CloseWait
		if wait <= 0 {
			wait = DefaultProxyCloseWait
		}
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if p.srv.Shutdown(ctx) != nil {
			err = p.srv.Close()
		}
		<-p.served
	})
	return err
}

// ServeHTTP answers one request from the command.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !p.ownHost(r.Host) {
		writeXRPCError(w, errOtherHost)
		return
	}
	if !p.authorized(r.Header) {
		writeXRPCError(w, errNotAuthorized)
		return
	}
	req, perr := p.rawRequest(w, r)
	if perr != nil {
		writeXRPCError(w, perr)
		return
	}
	resp, _, err := p.m.Call(r.Context(), p.did, req)
	if err != nil {
		writeXRPCError(w, callFailure(err))
		return
	}
	defer resp.Body.Close()
	writeAnswer(w, resp)
}

// authorized: exactly one Authorization header, "Bearer <secret>" (the
// scheme in any case), the secret compared in constant time.
func (p *Proxy) authorized(h http.Header) bool {
	vs := h.Values("Authorization")
	if len(vs) != 1 {
		return false
	}
	scheme, tok, ok := strings.Cut(vs[0], " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(tok), []byte(p.secret)) == 1
}

// ownHost: the request names the proxy itself (Host, or the host of an
// absolute request URI, which Go puts in r.Host). A web page the browser
// was tricked into sending here through a name that resolves to 127.0.0.1
// (DNS rebinding) names that name, and is refused before its credentials
// are even looked at; so is a request for another host, as an open proxy
// would take it.
func (p *Proxy) ownHost(host string) bool {
	for _, h := range p.hosts {
		if strings.EqualFold(host, h) {
			return true
		}
	}
	return false
}

// errOtherHost answers a request that names another host; it never quotes
// the name.
var errOtherHost = &proxyError{http.StatusMisdirectedRequest, "MisdirectedRequest",
	"this proxy answers only requests for its own address, ATP_PDS_URL", nil}

// errNotAuthorized answers a request without the run's secret; it never
// quotes what was sent.
var errNotAuthorized = &proxyError{http.StatusUnauthorized, "AuthenticationRequired",
	"this proxy takes only Authorization: Bearer $ATP_ACCESS_TOKEN, the secret skyswitch exec gave the command", nil}

// proxyError is an answer the proxy makes itself: an XRPC error.
type proxyError struct {
	status  int
	name    string
	message string
	header  http.Header // headers of the server's answer to pass on, if any
}

// callFailure is the answer for Call's error: the server's XRPC error as it
// came (status, name, message, safe headers); an ended session or an
// account logged out meanwhile 401, which the command can read; no answer
// from the server 502.
func callFailure(err error) *proxyError {
	var xe *auth.Error
	switch {
	case errors.Is(err, ErrSessionEnded), errors.Is(err, ErrNoAccount):
		return &proxyError{http.StatusUnauthorized, "SessionEnded", err.Error(), nil}
	case errors.As(err, &xe):
		return &proxyError{xe.Status, orStatusName(xe.Name, xe.Status), xe.Message, xe.Header}
	case errors.As(err, new(*auth.TransportError)):
		return &proxyError{http.StatusBadGateway, "UpstreamFailure", err.Error(), nil}
	}
	return &proxyError{http.StatusInternalServerError, "InternalServerError", err.Error(), nil}
}

// orStatusName is name, or for an answer that gave none (an HTML page) its
// status's name, such as BadGateway.
func orStatusName(name string, status int) string {
	if name != "" {
		return name
	}
	if s := strings.ReplaceAll(http.StatusText(status), " ", ""); s != "" {
		return s
	}
	return "UpstreamFailure"
}
