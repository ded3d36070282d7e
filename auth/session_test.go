package auth_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/internal/sanitize"
)

const password = "correct horse battery staple"

// clock is a settable clock shared by a test's server and client.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Unix(1_800_000_000, 0)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// events records what a session reported.
type events struct {
	mu   sync.Mutex
	list []auth.Event
}

func (e *events) on(ev auth.Event) { e.mu.Lock(); e.list = append(e.list, ev); e.mu.Unlock() }

func (e *events) kinds() []auth.EventKind {
	e.mu.Lock()
	defer e.mu.Unlock()
	var ks []auth.EventKind
	for _, ev := range e.list {
		ks = append(ks, ev.Kind)
	}
	return ks
}

func (e *events) last() auth.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.list) == 0 {
		return auth.Event{}
	}
	return e.list[len(e.list)-1]
}

type env struct {
	srv    *fakepds.Server
	clk    *clock
	client *auth.Client
	acct   fakepds.Account
	ev     *events
}

func setup(t *testing.T, opts fakepds.Options) *env {
	t.Helper()
	clk := newClock()
	if opts.Now == nil {
		opts.Now = clk.Now
	}
	srv := fakepds.New(opts)
	t.Cleanup(srv.Close)
	acct := srv.AddAccount(fakepds.Account{Handle: "alice.test", Email: "alice@example.com", Password: password})
	client := &auth.Client{Now: clk.Now, Timeout: 5 * time.Second, Resolver: &auth.Resolver{PLCURL: srv.URL()}}
	return &env{srv: srv, clk: clk, client: client, acct: acct, ev: &events{}}
}

func (e *env) login(t *testing.T) *auth.Session {
	t.Helper()
	s, err := e.client.Login(context.Background(), auth.LoginInput{Service: e.srv.URL(), Identifier: "alice.test", Password: password},
		auth.SessionOptions{OnEvent: e.ev.on})
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	return s
}

func noSecrets(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	text := sanitize.Fold(err.Error())
	for _, s := range secrets {
		if s := sanitize.Fold(s); s != "" && strings.Contains(text, s) {
			t.Fatalf("error text contains a secret (%d bytes of error)", len(err.Error()))
		}
	}
}

func TestLoginByHandleEmailAndDID(t *testing.T) {
	e := setup(t, fakepds.Options{})
	for _, id := range []string{"alice.test", "@Alice.Test", "alice@example.com", e.acct.DID} {
		s, err := e.client.Login(context.Background(), auth.LoginInput{Service: e.srv.URL(), Identifier: id, Password: password}, auth.SessionOptions{OnEvent: e.ev.on})
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		d := s.Data()
		if d.DID != e.acct.DID || d.Handle != "alice.test" || d.Email != "alice@example.com" || !d.Active {
			t.Fatalf("%s: session %+v", id, d)
		}
		if d.Service != e.srv.URL() || d.PDSURL != e.srv.URL() || d.RefreshedAt.IsZero() {
			t.Fatalf("%s: service %q pds %q refreshedAt %v", id, d.Service, d.PDSURL, d.RefreshedAt)
		}
		if c, _ := auth.ParseClaims(d.AccessJwt); c.Kind() != auth.KindFull || c.Subject != e.acct.DID {
			t.Fatalf("%s: claims %+v", id, c)
		}
		if ev := e.ev.last(); ev.Kind != auth.EventUpdated || ev.Data.AccessJwt != d.AccessJwt {
			t.Fatalf("%s: last event %v", id, ev.Kind)
		}
	}
	req := e.srv.LastRequest("com.atproto.server.createSession")
	if ua := req.Header.Get("User-Agent"); !strings.HasPrefix(ua, "skyswitch/") {
		t.Errorf("User-Agent %q", ua)
	}
	if !strings.Contains(string(req.Body), `"identifier":"`+e.acct.DID+`"`) {
		t.Errorf("createSession body %s", req.Body)
	}
}

func TestLoginResolvesPDSWhenAnswerHasNoDIDDoc(t *testing.T) {
	e := setup(t, fakepds.Options{})
	s := e.login(t)
	d := s.Data()
	if len(d.DIDDoc) == 0 || !strings.Contains(string(d.DIDDoc), e.acct.DID) {
		t.Fatalf("DID document not resolved: %s", d.DIDDoc)
	}
	// A PDS that moved: the DID document, not the login service, decides.
	e.srv.SetPDSEndpoint(e.acct.DID, "http://localhost:1")
	d = e.login(t).Data()
	if d.PDSURL != "http://localhost:1" || d.Service != e.srv.URL() {
		t.Fatalf("pds %q service %q", d.PDSURL, d.Service)
	}
}

func TestLoginUsesDIDDocInAnswer(t *testing.T) {
	e := setup(t, fakepds.Options{IncludeDIDDoc: true})
	e.client.Resolver = &auth.Resolver{PLCURL: "http://127.0.0.1:1"} // unreachable: must not be needed
	d := e.login(t).Data()
	if d.PDSURL != e.srv.URL() || len(d.DIDDoc) == 0 {
		t.Fatalf("pds %q doc %s", d.PDSURL, d.DIDDoc)
	}
}

func TestLoginWithoutServiceFindsPDSFromHandle(t *testing.T) {
	e := setup(t, fakepds.Options{})
	e.client.Resolver.LookupTXT = func(_ context.Context, name string) ([]string, error) {
		if name == "_atproto.alice.test" {
			return []string{"did=" + e.acct.DID}, nil
		}
		return nil, &net.DNSError{Err: "no such host", IsNotFound: true}
	}
	s, err := e.client.Login(context.Background(), auth.LoginInput{Identifier: "alice.test", Password: password}, auth.SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d := s.Data(); d.Service != e.srv.URL() || d.PDSURL != e.srv.URL() {
		t.Fatalf("service %q pds %q", d.Service, d.PDSURL)
	}
	_, err = e.client.Login(context.Background(), auth.LoginInput{Identifier: "alice@example.com", Password: password}, auth.SessionOptions{})
	if err == nil || !strings.Contains(err.Error(), "give the server") {
		t.Fatalf("email without service: %v", err)
	}
}

func TestLoginErrors(t *testing.T) {
	e := setup(t, fakepds.Options{})
	taken := e.srv.AddAccount(fakepds.Account{Handle: "gone.test", Email: "gone@example.com", Password: password})
	e.srv.Takedown(taken.DID)
	cases := []struct {
		name, ident, pw string
		want            error
	}{
		{"wrong password", "alice.test", "wrong-password-123", auth.ErrAuthenticationRequired},
		{"unknown user", "nobody.test", password, auth.ErrAuthenticationRequired},
		{"taken down", "gone.test", password, auth.ErrAccountTakedown},
	}
	for _, c := range cases {
		_, err := e.client.Login(context.Background(), auth.LoginInput{Service: e.srv.URL(), Identifier: c.ident, Password: c.pw}, auth.SessionOptions{})
		if !errors.Is(err, c.want) || auth.IsTransient(err) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
		noSecrets(t, err, c.pw)
	}
	e.srv.Inject("com.atproto.server.createSession", fakepds.Fault{Kind: fakepds.FaultRateLimit, RetryAfter: 5 * time.Minute, Times: 1})
	_, err := e.client.Login(context.Background(), auth.LoginInput{Service: e.srv.URL(), Identifier: "alice.test", Password: password}, auth.SessionOptions{})
	if !errors.Is(err, auth.ErrRateLimited) || auth.RetryDelay(err, e.clk.Now()) != 5*time.Minute {
		t.Fatalf("rate limit: %v (delay %v)", err, auth.RetryDelay(err, e.clk.Now()))
	}
	for _, bad := range []auth.LoginInput{
		{Service: "http://bsky.social", Identifier: "alice.test", Password: password},
		{Service: e.srv.URL(), Identifier: "not a handle", Password: password},
		{Service: e.srv.URL(), Identifier: "alice.test"},
	} {
		if _, err := e.client.Login(context.Background(), bad, auth.SessionOptions{}); err == nil {
			t.Errorf("login %+v accepted", bad.Service)
		}
	}
	if n := e.srv.Calls("com.atproto.server.createSession"); n != 4 {
		t.Errorf("invalid input reached the server: %d createSession calls, want 4", n)
	}
}

func TestLoginTwoFactor(t *testing.T) {
	e := setup(t, fakepds.Options{})
	bob := e.srv.AddAccount(fakepds.Account{Handle: "bob.test", Email: "bob@example.com", Password: password, EmailAuthFactor: true})
	in := auth.LoginInput{Service: e.srv.URL(), Identifier: "bob.test", Password: password}
	_, err := e.client.Login(context.Background(), in, auth.SessionOptions{})
	if !errors.Is(err, auth.ErrAuthFactorTokenRequired) {
		t.Fatalf("want AuthFactorTokenRequired, got %v", err)
	}
	code := e.srv.SignInCode(bob.DID)
	if len(code) != 11 || code[5] != '-' {
		t.Fatalf("sign-in code %q", code)
	}
	in.AuthFactorToken = "ZZZZZ-ZZZZZ"
	if _, err := e.client.Login(context.Background(), in, auth.SessionOptions{}); !errors.Is(err, auth.ErrInvalidToken) {
		t.Fatalf("wrong code: %v", err)
	}
	in.AuthFactorToken = "  " + strings.ToLower(strings.Replace(code, "-", " ", 1)) + " "
	s, err := e.client.Login(context.Background(), in, auth.SessionOptions{})
	if err != nil {
		t.Fatalf("right code, forgiving form: %v", err)
	}
	if d := s.Data(); !d.EmailAuthFactor || d.DID != bob.DID {
		t.Fatalf("session %+v", d)
	}
}

func TestAppPasswordScope(t *testing.T) {
	e := setup(t, fakepds.Options{})
	for _, priv := range []bool{false, true} {
		pw, err := e.srv.CreateAppPassword(e.acct.DID, "cli"+map[bool]string{true: "-p"}[priv], priv)
		if err != nil {
			t.Fatal(err)
		}
		s, err := e.client.Login(context.Background(), auth.LoginInput{Service: e.srv.URL(), Identifier: "alice.test", Password: pw}, auth.SessionOptions{})
		if err != nil {
			t.Fatal(err)
		}
		c, _ := auth.ParseClaims(s.Data().AccessJwt)
		want := map[bool]auth.TokenKind{false: auth.KindAppPassword, true: auth.KindAppPasswordPrivileged}[priv]
		if c.Kind() != want {
			t.Errorf("privileged=%v: kind %v", priv, c.Kind())
		}
	}
}

func TestCreateAccount(t *testing.T) {
	e := setup(t, fakepds.Options{})
	s, err := e.client.CreateAccount(context.Background(), auth.CreateAccountInput{Service: e.srv.URL(), Handle: "carol.test", Email: "carol@example.com", Password: password}, auth.SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d := s.Data(); d.Handle != "carol.test" || !e.srv.AccessTokenValid(d.AccessJwt) {
		t.Fatalf("session %+v", d.Handle)
	}
	_, err = e.client.CreateAccount(context.Background(), auth.CreateAccountInput{Service: e.srv.URL(), Handle: "carol.test", Email: "c2@example.com", Password: password}, auth.SessionOptions{})
	var xe *auth.Error
	if !errors.As(err, &xe) || xe.Name != "HandleNotAvailable" {
		t.Fatalf("duplicate handle: %v", err)
	}
}
