package auth_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
)

var ctx = context.Background()

func TestRefreshRotatesTokens(t *testing.T) {
	e := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
	s := e.login(t)
	old := s.Data()
	e.clk.Advance(time.Second)
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	d := s.Data()
	if d.AccessJwt == old.AccessJwt || d.RefreshJwt == old.RefreshJwt {
		t.Fatal("tokens did not rotate")
	}
	if e.srv.RefreshTokenValid(old.RefreshJwt) || !e.srv.RefreshTokenValid(d.RefreshJwt) {
		t.Fatal("server does not agree about which refresh token is current")
	}
	if got := e.srv.LastRequest("com.atproto.server.refreshSession").Header.Get("Authorization"); got != "Bearer "+old.RefreshJwt {
		t.Fatal("refresh did not present the refresh token")
	}
	if k := e.ev.kinds(); !slices.Equal(k, []auth.EventKind{auth.EventUpdated, auth.EventUpdated}) {
		t.Fatalf("events %v", k)
	}
	if !e.ev.last().Data.RefreshedAt.Equal(e.clk.Now()) {
		t.Fatalf("refreshedAt %v", e.ev.last().Data.RefreshedAt)
	}
}

func TestRefreshIsSingleFlight(t *testing.T) {
	e := setup(t, fakepds.Options{})
	s := e.login(t)
	e.srv.Inject("com.atproto.server.refreshSession", fakepds.Fault{Kind: fakepds.FaultDelay, Delay: 200 * time.Millisecond, Times: 1})
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- s.Refresh(ctx) }()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := e.srv.Calls("com.atproto.server.refreshSession"); n != 1 {
		t.Fatalf("%d refresh calls for 20 concurrent callers", n)
	}
}

func TestRefreshSurvivesCallerGivingUp(t *testing.T) {
	e := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
	s := e.login(t)
	old := s.Data().RefreshJwt
	e.srv.Inject("com.atproto.server.refreshSession", fakepds.Fault{Kind: fakepds.FaultDelay, Delay: 150 * time.Millisecond, Times: 1})
	c, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if err := s.Refresh(c); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want the caller's deadline, got %v", err)
	}
	// The server rotated the token anyway; the session must still end up holding the new one.
	deadline := time.Now().Add(3 * time.Second)
	for s.Data().RefreshJwt == old && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !e.srv.RefreshTokenValid(s.Data().RefreshJwt) {
		t.Fatal("session lost the rotated token when its caller gave up")
	}
}

func TestRequestRetriedAfterExpiredToken(t *testing.T) {
	e := setup(t, fakepds.Options{AccessLifetime: 10 * time.Minute})
	clientClock := newClock()
	e.client.Now = clientClock.Now // the client thinks the token is fresh...
	s := e.login(t)
	e.clk.Advance(11 * time.Minute) // ...but the server says it expired.
	d, err := s.GetSession(ctx)
	if err != nil || d.DID != e.acct.DID {
		t.Fatalf("got %v", err)
	}
	if r, g := e.srv.Calls("com.atproto.server.refreshSession"), e.srv.Calls("com.atproto.server.getSession"); r != 1 || g != 2 {
		t.Fatalf("refresh calls %d, getSession calls %d; want 1 and 2", r, g)
	}
}

func TestRequestRetriedOnceOnly(t *testing.T) {
	e := setup(t, fakepds.Options{})
	s := e.login(t)
	e.srv.Inject("com.atproto.server.getSession", fakepds.Fault{Kind: fakepds.FaultStatus, Status: 401})
	_, err := s.GetSession(ctx)
	var xe *auth.Error
	if !errors.As(err, &xe) || xe.Status != 401 {
		t.Fatalf("got %v", err)
	}
	if r, g := e.srv.Calls("com.atproto.server.refreshSession"), e.srv.Calls("com.atproto.server.getSession"); r != 1 || g != 2 {
		t.Fatalf("refresh calls %d, getSession calls %d; want 1 and 2", r, g)
	}
}

func TestProactiveRefreshBeforeRequest(t *testing.T) {
	e := setup(t, fakepds.Options{AccessLifetime: 2 * time.Hour})
	s := e.login(t)
	e.clk.Advance(2*time.Hour - 4*time.Minute) // under the 5 minute margin
	if _, err := s.GetSession(ctx); err != nil {
		t.Fatal(err)
	}
	if r, g := e.srv.Calls("com.atproto.server.refreshSession"), e.srv.Calls("com.atproto.server.getSession"); r != 1 || g != 1 {
		t.Fatalf("refresh calls %d, getSession calls %d; want 1 and 1", r, g)
	}
}

func TestShortLivedTokensDoNotLoop(t *testing.T) {
	e := setup(t, fakepds.Options{AccessLifetime: 2 * time.Second})
	s := e.login(t)
	for range 5 {
		if _, err := s.GetSession(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if r := e.srv.Calls("com.atproto.server.refreshSession"); r != 0 {
		t.Fatalf("%d refreshes for a fresh 2 s token", r)
	}
}

func TestTransientRefreshFailureKeepsSession(t *testing.T) {
	faults := map[string]fakepds.Fault{
		"503":       {Kind: fakepds.FaultStatus, Status: 503},
		"dropped":   {Kind: fakepds.FaultDrop},
		"garbage":   {Kind: fakepds.FaultGarbage},
		"html":      {Kind: fakepds.FaultHTML},
		"oversized": {Kind: fakepds.FaultOversized},
		"truncated": {Kind: fakepds.FaultTruncated},
		"429":       {Kind: fakepds.FaultRateLimit},
		"timeout":   {Kind: fakepds.FaultDelay, Delay: 2 * time.Second},
	}
	for name, f := range faults {
		t.Run(name, func(t *testing.T) {
			e := setup(t, fakepds.Options{})
			e.client.Timeout = 300 * time.Millisecond
			s := e.login(t)
			before := s.Data()
			f.Times = 1
			e.srv.Inject("com.atproto.server.refreshSession", f)
			err := s.Refresh(ctx)
			if err == nil || !auth.IsTransient(err) || auth.EndsSession(err) {
				t.Fatalf("want a transient error, got %v", err)
			}
			if ev := e.ev.last(); ev.Kind != auth.EventUpdateFailed || ev.Err == nil {
				t.Fatalf("last event %v", ev.Kind)
			}
			if s.Err() != nil || s.Data().RefreshJwt != before.RefreshJwt {
				t.Fatal("a transient failure changed the session")
			}
			if err := s.Refresh(ctx); err != nil {
				t.Fatalf("recovery: %v", err)
			}
			if e.ev.last().Kind != auth.EventUpdated {
				t.Fatal("no Updated after recovery")
			}
		})
	}
}

func TestLostRefreshResponseRecoversWithinGrace(t *testing.T) {
	e := setup(t, fakepds.Options{}) // default grace, like the reference PDS
	s := e.login(t)
	e.srv.Inject("com.atproto.server.refreshSession", fakepds.Fault{Kind: fakepds.FaultLostResponse, Times: 1})
	if err := s.Refresh(ctx); !auth.IsTransient(err) {
		t.Fatalf("lost response: want transient, got %v", err)
	}
	if err := s.Refresh(ctx); err != nil {
		t.Fatalf("the old token should still work within grace: %v", err)
	}
	if !e.srv.RefreshTokenValid(s.Data().RefreshJwt) {
		t.Fatal("session holds a token the server does not accept")
	}
}

func TestServerEndsSession(t *testing.T) {
	cases := map[string]func(e *env, s *auth.Session){
		"revoked":    func(e *env, s *auth.Session) { _ = e.client.DeleteSession(ctx, s.Data()) },
		"taken down": func(e *env, s *auth.Session) { e.srv.Takedown(e.acct.DID) },
		"expired":    func(e *env, s *auth.Session) { e.clk.Advance(91 * 24 * time.Hour) },
		"garbage":    func(e *env, s *auth.Session) {},
	}
	for name, kill := range cases {
		t.Run(name, func(t *testing.T) {
			e := setup(t, fakepds.Options{})
			s := e.login(t)
			if name == "garbage" {
				d := s.Data()
				d.RefreshJwt = "not-a-token"
				s = e.client.NewSession(d, auth.SessionOptions{OnEvent: e.ev.on})
			}
			kill(e, s)
			err := s.Refresh(ctx)
			if !auth.EndsSession(err) {
				t.Fatalf("want a session-ending error, got %v", err)
			}
			ev := e.ev.last()
			if ev.Kind != auth.EventDeleted || !auth.EndsSession(ev.Err) {
				t.Fatalf("last event %v (%v)", ev.Kind, ev.Err)
			}
			if !errors.Is(s.Err(), auth.ErrLoggedOut) {
				t.Fatalf("Err() = %v", s.Err())
			}
			if _, err := s.GetSession(ctx); !errors.Is(err, auth.ErrLoggedOut) {
				t.Fatalf("request after the end: %v", err)
			}
		})
	}
}

func TestLogoutRevokesOnServer(t *testing.T) {
	e := setup(t, fakepds.Options{})
	s := e.login(t)
	d := s.Data()
	if err := s.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.srv.LastRequest("com.atproto.server.deleteSession").Header.Get("Authorization"); got != "Bearer "+d.RefreshJwt {
		t.Fatal("deleteSession did not present the refresh token")
	}
	if e.srv.RefreshTokenValid(d.RefreshJwt) {
		t.Fatal("refresh token still valid on the server")
	}
	if ev := e.ev.last(); ev.Kind != auth.EventDeleted || ev.Err != nil {
		t.Fatalf("last event %v (%v)", ev.Kind, ev.Err)
	}
	if _, err := s.GetSession(ctx); !errors.Is(err, auth.ErrLoggedOut) {
		t.Fatalf("request after logout: %v", err)
	}
	if err := s.Logout(ctx); err != nil {
		t.Fatalf("second logout: %v", err)
	}
	// Revoking stored data that is already revoked counts as done.
	if err := e.client.DeleteSession(ctx, d); err != nil {
		t.Fatalf("static delete of a revoked session: %v", err)
	}
}

func TestLogoutUnreachableKeepsSession(t *testing.T) {
	e := setup(t, fakepds.Options{})
	s := e.login(t)
	e.srv.Inject("com.atproto.server.deleteSession", fakepds.Fault{Kind: fakepds.FaultDrop, Times: 1})
	err := s.Logout(ctx)
	if err == nil || !auth.IsTransient(err) {
		t.Fatalf("want a transient error, got %v", err)
	}
	if ev := e.ev.last(); ev.Kind != auth.EventDeleteFailed {
		t.Fatalf("last event %v", ev.Kind)
	}
	if s.Err() != nil || !e.srv.RefreshTokenValid(s.Data().RefreshJwt) {
		t.Fatal("session should be kept for a retry")
	}
	if err := s.Logout(ctx); err != nil || e.srv.RefreshTokenValid(s.Data().RefreshJwt) {
		t.Fatalf("retry: %v", err)
	}
}

func TestLogoutDuringRefreshRevokesNewestToken(t *testing.T) {
	e := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
	s := e.login(t)
	e.srv.Inject("com.atproto.server.refreshSession", fakepds.Fault{Kind: fakepds.FaultDelay, Delay: 150 * time.Millisecond, Times: 1})
	done := make(chan error)
	go func() { done <- s.Refresh(ctx) }()
	for e.srv.Calls("com.atproto.server.refreshSession") == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	if err := s.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	<-done
	if e.srv.RefreshTokenValid(s.Data().RefreshJwt) {
		t.Fatal("the token rotated during logout survived it")
	}
	k := e.ev.kinds()
	if k[len(k)-1] != auth.EventDeleted || slices.Index(k[1:], auth.EventUpdated) > slices.Index(k[1:], auth.EventDeleted) {
		t.Fatalf("events out of order: %v", k)
	}
}

func TestResume(t *testing.T) {
	e := setup(t, fakepds.Options{})
	stored := e.login(t).Data()
	s, err := e.client.Resume(ctx, stored, auth.SessionOptions{})
	if err != nil || s.Data().RefreshJwt == stored.RefreshJwt {
		t.Fatalf("resume did not refresh: %v", err)
	}
	e.srv.Inject("com.atproto.server.refreshSession", fakepds.Fault{Kind: fakepds.FaultStatus, Status: 502, Times: 1})
	s, err = e.client.Resume(ctx, s.Data(), auth.SessionOptions{})
	if s == nil || !auth.IsTransient(err) {
		t.Fatalf("transient failure: session %v, err %v", s != nil, err)
	}
	_ = e.client.DeleteSession(ctx, s.Data())
	s, err = e.client.Resume(ctx, s.Data(), auth.SessionOptions{})
	if s != nil || !auth.EndsSession(err) {
		t.Fatalf("revoked: session %v, err %v", s != nil, err)
	}
}

func TestLazySessionRefreshesOnFirstRejection(t *testing.T) {
	e := setup(t, fakepds.Options{AccessLifetime: time.Minute})
	stored := e.login(t).Data()
	e.clk.Advance(2 * time.Minute)
	e.client.Now = newClock().Now // a client clock that sees no expiry: only the 400 tells
	s := e.client.NewSession(stored, auth.SessionOptions{})
	if e.srv.Calls("com.atproto.server.refreshSession") != 0 {
		t.Fatal("NewSession made a network call")
	}
	if _, err := s.GetSession(ctx); err != nil {
		t.Fatal(err)
	}
	if e.srv.Calls("com.atproto.server.refreshSession") != 1 {
		t.Fatal("no refresh after the rejection")
	}
}

func TestGetSessionReadsAccountStatus(t *testing.T) {
	e := setup(t, fakepds.Options{})
	s := e.login(t)
	e.srv.Deactivate(e.acct.DID)
	d, err := s.GetSession(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d.Active || d.Status != "deactivated" {
		t.Fatalf("active %v status %q", d.Active, d.Status)
	}
	if ev := e.ev.last(); ev.Kind != auth.EventUpdated || ev.Data.Status != "deactivated" {
		t.Fatalf("last event %v %q", ev.Kind, ev.Data.Status)
	}
	n := len(e.ev.kinds())
	if _, err := s.GetSession(ctx); err != nil || len(e.ev.kinds()) != n {
		t.Fatal("an unchanged status raised an event")
	}
}

func TestCallbacksCannotDeadlock(t *testing.T) {
	e := setup(t, fakepds.Options{})
	var s *auth.Session
	var once sync.Once
	var seen []auth.EventKind
	var mu sync.Mutex
	onEvent := func(ev auth.Event) {
		mu.Lock()
		seen = append(seen, ev.Kind)
		mu.Unlock()
		_ = s.Data()
		_ = s.Err()
		once.Do(func() { _ = s.Refresh(ctx) }) // re-entrant: must not block
	}
	s = e.client.NewSession(e.login(t).Data(), auth.SessionOptions{OnEvent: onEvent})
	done := make(chan error)
	go func() { done <- s.Refresh(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("deadlock: Refresh did not return")
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(seen, []auth.EventKind{auth.EventUpdated, auth.EventUpdated}) {
		t.Fatalf("events %v", seen)
	}
}

// Every call fails under every fault, with the error that fault means, and
// no error quotes a password or token: not the request's own, not the
// session's other token, not one split by invisible characters.
func TestSecretsNeverInErrors(t *testing.T) {
	e := setup(t, fakepds.Options{})
	s := e.login(t)
	var te *auth.TransportError
	var xe *auth.Error
	status := func(code int) func(error) bool {
		return func(err error) bool { return errors.As(err, &xe) && xe.Status == code }
	}
	malformed := func(err error) bool {
		return errors.As(err, &te) && te.Kind == auth.TransportMalformed && errors.Is(err, auth.ErrBadResponse) && auth.IsTransient(err)
	}
	faults := []struct {
		name string
		f    fakepds.Fault
		is   func(error) bool // the error this fault must give
	}{
		{"drop", fakepds.Fault{Kind: fakepds.FaultDrop}, func(err error) bool { return errors.As(err, &te) && auth.IsTransient(err) }},
		{"garbage", fakepds.Fault{Kind: fakepds.FaultGarbage}, func(err error) bool {
			return errors.Is(err, auth.ErrBadResponse) && auth.IsTransient(err) && !errors.As(err, &xe)
		}},
		{"html 502", fakepds.Fault{Kind: fakepds.FaultHTML}, status(502)},
		{"401", fakepds.Fault{Kind: fakepds.FaultStatus, Status: 401}, status(401)},
		{"quoting the request", fakepds.Fault{Kind: fakepds.FaultQuoteCredentials, Status: 400, Name: "InvalidRequest"}, func(err error) bool {
			return status(400)(err) && strings.Contains(xe.Message, "withheld")
		}},
		{"echoing the body", fakepds.Fault{Kind: fakepds.FaultEchoRequest}, malformed},
		{"echoing the Authorization header", fakepds.Fault{Kind: fakepds.FaultEchoAuthorization}, malformed},
	}
	calls := []struct {
		name, nsid string
		do         func() error
	}{
		{"getSession", "com.atproto.server.getSession", func() error { _, err := s.GetSession(ctx); return err }},
		{"refresh", "com.atproto.server.refreshSession", func() error { return s.Refresh(ctx) }},
		{"login", "com.atproto.server.createSession", func() error {
			_, err := e.client.Login(ctx, auth.LoginInput{Service: e.srv.URL(), Identifier: "alice.test", Password: password}, auth.SessionOptions{})
			return err
		}},
		{"logout", "com.atproto.server.deleteSession", func() error { return e.client.DeleteSession(ctx, s.Data()) }},
	}
	var errs []error
	for _, f := range faults {
		for _, c := range calls {
			if f.name == "garbage" && c.name == "logout" {
				continue // deleteSession's 200 is success, whatever its body
			}
			e.srv.Inject(c.nsid, f.f) // every request to it, retries included
			err := c.do()
			e.srv.ClearFaults()
			errs = append(errs, err)
			switch {
			case err == nil:
				t.Errorf("%s under %s: no error", c.name, f.name)
			case !f.is(err):
				t.Errorf("%s under %s: not the error the fault means (%T)", c.name, f.name, err)
			}
		}
	}
	if s.Err() != nil {
		t.Fatal("a fault ended the session")
	}
	secrets := e.srv.Secrets()
	if len(secrets) < 3 {
		t.Fatalf("only %d secrets known", len(secrets))
	}
	for _, err := range errs {
		noSecrets(t, err, secrets...)
	}
}
