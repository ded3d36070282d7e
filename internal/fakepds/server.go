// Package fakepds is an in-process fake of a Bluesky PDS (and of the
// bsky.social entryway's email 2FA), for tests of the auth client and for the
// app's demo mode.
//
// A Server listens on 127.0.0.1 only and answers the password-session XRPC
// methods (createSession, refreshSession, getSession, deleteSession,
// createAccount, createAppPassword, deactivateAccount), describeServer,
// resolveHandle and uploadBlob the way the reference PDS does, with the same
// error names and messages. It also serves /.well-known/atproto-did and acts as a PLC
// directory (GET /did:plc:…), so identity resolution can be tested against it.
//
// It is also its own OAuth authorization server, as the reference PDS is
// (oauth.go): metadata, PAR, authorize (ApproveOAuth, DenyOAuth, or a GET
// that approves at once), token, revoke, and DPoP-bound access tokens on
// getSession and uploadBlob.
//
// Tokens are HS256 JWTs signed with a random per-server key; their lifetimes
// and the server's clock come from Options, so tests can expire them without
// sleeping. Every request is recorded (Calls, LastRequest) and faults can be
// injected per endpoint (Inject) to test how a client copes with a bad
// network or a misbehaving server, one quoting credentials included. Secrets
// lists the tokens and passwords it has seen, for tests that a client never
// shows them.
//
// All methods are safe for concurrent use.
package fakepds

import (
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Defaults applied by New to zero Options fields.
const (
	DefaultAccessLifetime  = 2 * time.Hour
	DefaultRefreshLifetime = 90 * 24 * time.Hour
	DefaultGrace           = 2 * time.Hour
)

// NoGrace, as Options.Grace, makes a refresh token stop working the moment
// it has been used: no grace period at all. Any negative Grace does the same.
const NoGrace time.Duration = -1

// maxRequestBody bounds what the server reads of a request body.
const maxRequestBody = 1 << 20

// Options configure a Server. The zero value gives the reference PDS's
// behaviour: 2 h access tokens, 90 day refresh tokens, a 2 h grace period
// and the system clock.
type Options struct {
	// AccessLifetime is the lifetime of access tokens; zero or negative
	// means DefaultAccessLifetime. Token times are whole seconds (the exp
	// claim is iat plus the lifetime truncated to seconds, at least 1 s).
	AccessLifetime time.Duration
	// RefreshLifetime is the lifetime of refresh tokens; zero or negative
	// means DefaultRefreshLifetime.
	RefreshLifetime time.Duration
	// Grace is how long a refresh token still works after it was first
	// used (rotated away), counted from that first use. Within it, reusing
	// the token yields a new pair whose refresh token has the same jti as
	// the successor issued the first time. Zero means DefaultGrace; NoGrace
	// (or any negative value) means none: a used refresh token is revoked
	// at once.
	Grace time.Duration
	// Now is the server's clock, used for token times, expiry, grace
	// periods, sign-in code expiry and rate-limit reset times (not for
	// FaultDelay, which is real time). Nil means time.Now.
	Now func() time.Time
	// IncludeDIDDoc puts the account's DID document in the answers of
	// createSession, refreshSession, getSession and createAccount, as a PDS
	// started with enableDidDocWithSession does. The reference PDS omits it
	// by default.
	IncludeDIDDoc bool
	// SignInCode, when set, is the code every 2FA login "emails" instead of
	// a random one: the demo shows it on screen. Tests leave it empty.
	SignInCode string
	// OAuthAccessLifetime is the lifetime of OAuth access tokens; zero or
	// negative means DefaultOAuthAccessLifetime (60 minutes).
	OAuthAccessLifetime time.Duration
	// OAuthSessionLifetime is how long an OAuth session lasts from its
	// sign-in, however often it is refreshed; zero or negative means
	// DefaultOAuthSessionLifetime (14 days, a public client's).
	OAuthSessionLifetime time.Duration
	// DPoPIatWindow is how far a DPoP proof's iat may be from the server's
	// clock, either way; zero means DefaultDPoPIatWindow (3 minutes, the
	// reference server's tolerance), NoIatCheck (or any negative value)
	// accepts any iat.
	DPoPIatWindow time.Duration
	// AuthorizationEndpoint, when set, is the authorization_endpoint the
	// OAuth metadata names, for tests of a server that names a strange
	// sign-in page: a path ("/oauth/…") on the issuer, or a URL as written
	// ("javascript:…"). Nothing is served there.
	AuthorizationEndpoint string
}

// Server is a running fake PDS. Create it with New and stop it with Close.
type Server struct {
	ts      *httptest.Server
	opts    Options
	key     []byte
	done    chan struct{}
	closing sync.Once

	mu       sync.Mutex
	accounts map[string]*account // by DID
	handles  map[string]string   // lower-case handle → DID
	refresh  map[string]*refreshRecord
	calls    map[string]int
	requests map[string][]Recorded
	faults   map[string][]*pendingFault
	secrets  []string        // see Secrets
	known    map[string]bool // the secrets, as a set
	oauth    *oauthState
}

// Recorded is one request as the server received it.
type Recorded struct {
	Method string
	Path   string
	Query  url.Values
	Host   string
	Header http.Header // includes Authorization and User-Agent
	Body   []byte
	// Faulted is true when an injected fault met the request; the Fault
	// kinds say which of them also process it.
	Faulted bool
}

// New starts a Server on a random port of 127.0.0.1. It panics if it cannot
// listen, as httptest.NewServer does.
func New(opts Options) *Server {
	if opts.AccessLifetime <= 0 {
		opts.AccessLifetime = DefaultAccessLifetime
	}
	if opts.RefreshLifetime <= 0 {
		opts.RefreshLifetime = DefaultRefreshLifetime
	}
	if opts.Grace == 0 {
		opts.Grace = DefaultGrace
	} else if opts.Grace < 0 {
		opts.Grace = 0
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.OAuthAccessLifetime <= 0 {
		opts.OAuthAccessLifetime = DefaultOAuthAccessLifetime
	}
	if opts.OAuthSessionLifetime <= 0 {
		opts.OAuthSessionLifetime = DefaultOAuthSessionLifetime
	}
	if opts.DPoPIatWindow == 0 {
		opts.DPoPIatWindow = DefaultDPoPIatWindow
	}
	s := &Server{
		opts:     opts,
		key:      randomBytes(32),
		done:     make(chan struct{}),
		accounts: map[string]*account{},
		handles:  map[string]string{},
		refresh:  map[string]*refreshRecord{},
		calls:    map[string]int{},
		requests: map[string][]Recorded{},
		faults:   map[string][]*pendingFault{},
		known:    map[string]bool{},
		oauth:    newOAuthState(),
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("fakepds: listen on 127.0.0.1: " + err.Error())
	}
	s.ts = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	s.ts.Listener.Close()
	s.ts.Listener = ln
	// Dropped and truncated answers make net/http complain; never log (a
	// log line could quote a request).
	s.ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.ts.Start()
	return s
}

// URL is the base URL of the server, http://127.0.0.1:<port>.
func (s *Server) URL() string { return s.ts.URL }

// ServiceDID is the server's own DID, the audience of its tokens and the did
// of describeServer.
func (s *Server) ServiceDID() string { return "did:web:127.0.0.1" }

// Client returns an *http.Client for the server (plain HTTP, no timeout).
func (s *Server) Client() *http.Client { return s.ts.Client() }

// Close stops the server. Requests held by FaultDelay end at once without an
// answer. Close may be called more than once.
func (s *Server) Close() {
	s.closing.Do(func() {
		close(s.done)
		s.ts.CloseClientConnections()
		s.ts.Close()
	})
}

// Calls is how many requests reached the endpoint: an XRPC NSID such as
// "com.atproto.server.createSession", or the path of any other request
// ("/.well-known/atproto-did", "/did:plc:…"). Requests answered by a fault
// count too.
func (s *Server) Calls(endpoint string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[endpoint]
}

// LastRequest is the last request that reached the endpoint (named as for
// Calls), or the zero Recorded if there was none.
func (s *Server) LastRequest(endpoint string) Recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := s.requests[endpoint]
	if len(rs) == 0 {
		return Recorded{}
	}
	return rs[len(rs)-1].clone()
}

// Requests lists every request that reached the endpoint, oldest first.
func (s *Server) Requests(endpoint string) []Recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Recorded, 0, len(s.requests[endpoint]))
	for _, r := range s.requests[endpoint] {
		out = append(out, r.clone())
	}
	return out
}

func (r Recorded) clone() Recorded {
	r.Query = url.Values(http.Header(r.Query).Clone())
	r.Header = r.Header.Clone()
	r.Body = append([]byte(nil), r.Body...)
	return r
}

// Secrets lists every secret the server has handed out or been told, each
// once, in the order it first met them: the access and refresh tokens it
// issued (also those since expired, revoked or rotated away), the
// passwords of its accounts (also those since replaced), the app passwords
// it created (also those since revoked), and every password a request sent
// it in the "password" property of its JSON body, right or wrong (also in
// a request answered by an injected fault), and OAuth's access tokens,
// refresh tokens ("ref-" and 64 hex digits) and authorization codes ("cod-"
// and 64 hex digits). Password-session tokens and OAuth access tokens are
// three-part JWTs; passwords, OAuth refresh tokens and codes are not.
// A test can look for them in whatever its client printed or stored.
// Sign-in codes are not listed: a user types them where they show.
func (s *Server) Secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.secrets...)
}

// remember adds secrets for Secrets; empty ones are skipped. Callers hold
// s.mu.
func (s *Server) remember(secrets ...string) {
	for _, v := range secrets {
		if v != "" && !s.known[v] {
			s.known[v] = true
			s.secrets = append(s.secrets, v)
		}
	}
}

// endpointOf names what a request is for: its NSID for XRPC, else its path.
func endpointOf(r *http.Request) string {
	if nsid, ok := strings.CutPrefix(r.URL.Path, "/xrpc/"); ok {
		return nsid
	}
	return r.URL.Path
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	endpoint := endpointOf(r)
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		return // the client went away
	}
	var sent struct{ Password string }
	_ = json.Unmarshal(body, &sent) // most bodies have none
	s.mu.Lock()
	s.remember(sent.Password)
	s.calls[endpoint]++
	f, faulted := s.takeFault(endpoint)
	s.requests[endpoint] = append(s.requests[endpoint], Recorded{
		Method:  r.Method,
		Path:    r.URL.Path,
		Query:   r.URL.Query(),
		Host:    r.Host,
		Header:  r.Header.Clone(),
		Body:    body,
		Faulted: faulted,
	})
	s.mu.Unlock()
	if faulted {
		s.serveFault(w, r, f, body)
		return
	}
	s.serve(w, r, body)
}

// serve answers a request normally.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, body []byte) {
	if len(body) > maxRequestBody {
		writeError(w, &xrpcError{http.StatusRequestEntityTooLarge, "PayloadTooLarge", "request entity too large"})
		return
	}
	switch {
	case strings.HasPrefix(r.URL.Path, "/xrpc/"):
		s.serveXRPC(w, r, body)
	case r.URL.Path == "/.well-known/atproto-did":
		s.serveWellKnown(w, r)
	case strings.HasPrefix(r.URL.Path, "/did:"):
		s.servePLC(w, r)
	case s.serveOAuth(w, r, body):
	default:
		http.NotFound(w, r)
	}
}

// now reads the injected clock.
func (s *Server) now() time.Time { return s.opts.Now() }
