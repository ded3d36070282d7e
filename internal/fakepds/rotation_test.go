package fakepds_test

import (
	"sync"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

func TestRefreshRotationAndGrace(t *testing.T) {
	s, clock, alice := newServer(t, fakepds.Options{Grace: 10 * time.Second})
	t0 := mustLogin(t, s, "alice.test", testPassword)
	clock.Advance(time.Second)
	t1 := mustRefresh(t, s, t0.RefreshJwt)
	if t1.RefreshJwt == t0.RefreshJwt || t1.AccessJwt == t0.AccessJwt {
		t.Fatal("refresh did not rotate")
	}
	if t1.DID != alice.DID || t1.Handle != "alice.test" || t1.Email != alice.Email || !t1.Active {
		t.Errorf("refresh answer %+v", t1)
	}
	id1 := claims(t, t1.RefreshJwt).ID
	if id1 == claims(t, t0.RefreshJwt).ID {
		t.Error("successor has the same jti")
	}
	if !claims(t, t1.RefreshJwt).IssuedAt.After(claims(t, t0.RefreshJwt).IssuedAt) {
		t.Error("iat did not advance with the clock")
	}

	// Within grace the old token still works and re-issues its successor.
	clock.Advance(5 * time.Second)
	if !s.RefreshTokenValid(t0.RefreshJwt) {
		t.Fatal("old token invalid within grace")
	}
	again := mustRefresh(t, s, t0.RefreshJwt)
	if got := claims(t, again.RefreshJwt).ID; got != id1 {
		t.Errorf("reuse within grace gave jti %s, want the successor's %s", got, id1)
	}
	if !s.AccessTokenValid(again.AccessJwt) || !s.RefreshTokenValid(again.RefreshJwt) {
		t.Error("re-issued pair not valid")
	}

	// After grace (counted from the first use) it is revoked.
	clock.Advance(5 * time.Second)
	if s.RefreshTokenValid(t0.RefreshJwt) {
		t.Fatal("old token valid after grace")
	}
	refresh(t, s, t0.RefreshJwt).wantError(t, 400, "ExpiredToken", "Token has been revoked")
	// The successor is unaffected, in both its issued forms.
	t2 := mustRefresh(t, s, t1.RefreshJwt)
	mustRefresh(t, s, again.RefreshJwt) // same jti, still in its grace
	mustRefresh(t, s, t2.RefreshJwt)
	if n := s.ActiveSessions(alice.DID); n != 1 {
		t.Errorf("ActiveSessions = %d", n)
	}
}

func TestNoGrace(t *testing.T) {
	for _, grace := range []time.Duration{fakepds.NoGrace, -time.Hour} {
		s, _, _ := newServer(t, fakepds.Options{Grace: grace})
		t0 := mustLogin(t, s, "alice.test", testPassword)
		t1 := mustRefresh(t, s, t0.RefreshJwt)
		refresh(t, s, t0.RefreshJwt).wantError(t, 400, "ExpiredToken", "Token has been revoked")
		mustRefresh(t, s, t1.RefreshJwt)
	}
}

func TestDefaultGrace(t *testing.T) {
	s, clock, _ := newServer(t, fakepds.Options{})
	t0 := mustLogin(t, s, "alice.test", testPassword)
	mustRefresh(t, s, t0.RefreshJwt)
	clock.Advance(2*time.Hour - time.Second)
	mustRefresh(t, s, t0.RefreshJwt)
	clock.Advance(time.Second)
	refresh(t, s, t0.RefreshJwt).wantError(t, 400, "ExpiredToken", "Token has been revoked")
}

func TestRefreshErrors(t *testing.T) {
	s, clock, _ := newServer(t, fakepds.Options{RefreshLifetime: 2 * time.Second})
	sess := mustLogin(t, s, "alice.test", testPassword)
	refresh(t, s, "").wantError(t, 401, "AuthenticationRequired", "")
	refresh(t, s, "garbage").wantError(t, 400, "InvalidToken", "Token could not be verified")
	refresh(t, s, sess.AccessJwt).wantError(t, 400, "InvalidToken", "Invalid token type")
	call(t, s, "POST", "com.atproto.server.refreshSession", sess.RefreshJwt, map[string]string{}).
		wantError(t, 400, "InvalidRequest", "A request body was provided when none was expected")
	call(t, s, "GET", "com.atproto.server.refreshSession", sess.RefreshJwt, nil).wantError(t, 400, "InvalidRequest", "")
	clock.Advance(2 * time.Second)
	refresh(t, s, sess.RefreshJwt).wantError(t, 400, "ExpiredToken", "Token has expired")
}

func TestDeleteSession(t *testing.T) {
	s, clock, alice := newServer(t, fakepds.Options{})
	del := func(tok string) answer {
		return call(t, s, "POST", "com.atproto.server.deleteSession", tok, nil)
	}
	other := mustLogin(t, s, "alice.test", testPassword)
	t0 := mustLogin(t, s, "alice.test", testPassword)
	t1 := mustRefresh(t, s, t0.RefreshJwt)
	t2 := mustRefresh(t, s, t1.RefreshJwt)
	if n := s.ActiveSessions(alice.DID); n != 2 {
		t.Fatalf("ActiveSessions = %d", n)
	}
	del("").wantError(t, 401, "AuthenticationRequired", "")
	del(t1.AccessJwt).wantError(t, 400, "InvalidToken", "Invalid token type")

	a := del(t1.RefreshJwt) // the middle of the chain, still in grace
	a.wantOK(t)
	if len(a.body) != 0 {
		t.Errorf("deleteSession body %q", a.body)
	}
	for i, tok := range []string{t0.RefreshJwt, t1.RefreshJwt, t2.RefreshJwt} {
		if s.RefreshTokenValid(tok) {
			t.Errorf("token %d of the chain still valid", i)
		}
		refresh(t, s, tok).wantError(t, 400, "ExpiredToken", "Token has been revoked")
	}
	del(t2.RefreshJwt).wantError(t, 400, "ExpiredToken", "Token has been revoked")
	if !s.AccessTokenValid(t2.AccessJwt) {
		t.Error("access token of a revoked session stopped working")
	}
	// Other logins are untouched.
	mustRefresh(t, s, other.RefreshJwt)
	if n := s.ActiveSessions(alice.DID); n != 1 {
		t.Errorf("ActiveSessions = %d", n)
	}

	// An expired refresh token can still log out, as on the reference PDS.
	old := mustLogin(t, s, "alice.test", testPassword)
	clock.Advance(91 * 24 * time.Hour)
	del(old.RefreshJwt).wantOK(t)
	del(old.RefreshJwt).wantError(t, 400, "ExpiredToken", "Token has been revoked")
}

// TestConcurrentUse exercises the server from many goroutines for the race
// detector.
func TestConcurrentUse(t *testing.T) {
	s, clock, alice := newServer(t, fakepds.Options{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			sess := mustLogin(t, s, "alice.test", testPassword)
			for range 5 {
				sess = mustRefresh(t, s, sess.RefreshJwt)
				clock.Advance(time.Second)
				_ = s.Calls("com.atproto.server.refreshSession")
				_ = s.AccessTokenValid(sess.AccessJwt)
			}
			call(t, s, "POST", "com.atproto.server.deleteSession", sess.RefreshJwt, nil).wantOK(t)
		})
	}
	wg.Wait()
	if n := s.ActiveSessions(alice.DID); n != 0 {
		t.Errorf("ActiveSessions = %d", n)
	}
	if n := s.Calls("com.atproto.server.refreshSession"); n != 40 {
		t.Errorf("Calls = %d", n)
	}
}
