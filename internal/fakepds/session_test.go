package fakepds_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
)

func claims(t *testing.T, tok string) auth.Claims {
	t.Helper()
	c, err := auth.ParseClaims(tok)
	if err != nil {
		t.Fatalf("ParseClaims: %v", err)
	}
	return c
}

func TestCreateSession(t *testing.T) {
	s, clock, alice := newServer(t, fakepds.Options{})
	for _, id := range []string{"alice.test", "ALICE.Test", "Alice@Example.com", alice.DID} {
		t.Run("identifier "+id, func(t *testing.T) {
			got := mustLogin(t, s, id, testPassword)
			if got.DID != alice.DID || got.Handle != "alice.test" || got.Email != "alice@example.com" ||
				!got.EmailConfirmed || got.EmailAuthFactor || !got.Active || got.Status != "" || got.DIDDoc != nil {
				t.Fatalf("session = %+v", got)
			}
			ac, rc := claims(t, got.AccessJwt), claims(t, got.RefreshJwt)
			now := clock.Now()
			if ac.Type != "at+jwt" || ac.Kind() != auth.KindFull || ac.Subject != alice.DID ||
				ac.Audience != s.ServiceDID() || !ac.IssuedAt.Equal(now) || ac.Lifetime() != 2*time.Hour {
				t.Errorf("access claims = %+v", ac)
			}
			if rc.Type != "refresh+jwt" || rc.Kind() != auth.KindRefresh || rc.Subject != alice.DID ||
				rc.ID == "" || rc.Lifetime() != 90*24*time.Hour {
				t.Errorf("refresh claims = %+v", rc)
			}
			if !s.AccessTokenValid(got.AccessJwt) || !s.RefreshTokenValid(got.RefreshJwt) {
				t.Error("fresh tokens not valid")
			}
			if s.AccessTokenValid(got.RefreshJwt) || s.RefreshTokenValid(got.AccessJwt) {
				t.Error("token types mixed up")
			}
		})
	}
	errs := []struct {
		name string
		in   any
		want func(answer)
	}{
		{"wrong password", login{Identifier: "alice.test", Password: "nope"},
			func(a answer) { a.wantError(t, 401, "AuthenticationRequired", "Invalid identifier or password") }},
		{"unknown handle", login{Identifier: "bob.test", Password: testPassword},
			func(a answer) { a.wantError(t, 401, "AuthenticationRequired", "Invalid identifier or password") }},
		{"at-sign prefix", login{Identifier: "@alice.test", Password: testPassword},
			func(a answer) { a.wantError(t, 401, "AuthenticationRequired", "Invalid identifier or password") }},
		{"unknown email", login{Identifier: "bob@example.com", Password: testPassword},
			func(a answer) { a.wantError(t, 401, "AuthenticationRequired", "Invalid identifier or password") }},
		{"no password", map[string]string{"identifier": "alice.test"},
			func(a answer) { a.wantError(t, 400, "InvalidRequest", `Input must have the property "password"`) }},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			tc.want(call(t, s, "POST", "com.atproto.server.createSession", "", tc.in))
		})
	}
	t.Run("no content type", func(t *testing.T) {
		resp, err := s.Client().Post(s.URL()+"/xrpc/com.atproto.server.createSession", "",
			strings.NewReader(`{"identifier":"alice.test","password":"x"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
}

func TestAppPasswordLogin(t *testing.T) {
	s, _, alice := newServer(t, fakepds.Options{})
	plain, err := s.CreateAppPassword(alice.DID, "phone", false)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[a-z2-7]{4}(-[a-z2-7]{4}){3}$`).MatchString(plain) {
		t.Fatalf("app password %q", plain)
	}
	priv, err := s.CreateAppPassword(alice.DID, "laptop", true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateAppPassword(alice.DID, "phone", false); err == nil {
		t.Error("duplicate name accepted")
	}
	if _, err := s.CreateAppPassword("did:plc:nobody", "x", false); err == nil {
		t.Error("unknown account accepted")
	}
	for pw, want := range map[string]auth.TokenKind{plain: auth.KindAppPassword, priv: auth.KindAppPasswordPrivileged, testPassword: auth.KindFull} {
		got := mustLogin(t, s, "alice.test", pw)
		if k := claims(t, got.AccessJwt).Kind(); k != want {
			t.Errorf("kind %v, want %v", k, want)
		}
		// The scope survives refreshes.
		if k := claims(t, mustRefresh(t, s, got.RefreshJwt).AccessJwt).Kind(); k != want {
			t.Errorf("after refresh: kind %v, want %v", k, want)
		}
	}
	// Revoking the app password ends its sessions.
	sess := mustLogin(t, s, "alice.test", plain)
	if !s.RevokeAppPassword(alice.DID, "phone") {
		t.Fatal("RevokeAppPassword = false")
	}
	refresh(t, s, sess.RefreshJwt).wantError(t, 400, "ExpiredToken", "Token has been revoked")
	call(t, s, "POST", "com.atproto.server.createSession", "", login{Identifier: "alice.test", Password: plain}).
		wantError(t, 401, "AuthenticationRequired", "")
}

func TestEmailAuthFactor(t *testing.T) {
	s, clock, _ := newServer(t, fakepds.Options{})
	bob := s.AddAccount(fakepds.Account{Handle: "bob.test", Email: "bob@example.com", Password: testPassword, EmailAuthFactor: true})
	create := func(code string) answer {
		return call(t, s, "POST", "com.atproto.server.createSession", "", login{Identifier: "bob.test", Password: testPassword, AuthFactorToken: code})
	}
	if s.SignInCode(bob.DID) != "" {
		t.Fatal("code before any login")
	}
	create("").wantError(t, 401, "AuthFactorTokenRequired", "A sign in code has been sent to your email address")
	code := s.SignInCode(bob.DID)
	if !regexp.MustCompile(`^[A-Z0-9]{5}-[A-Z0-9]{5}$`).MatchString(code) {
		t.Fatalf("code %q", code)
	}
	create("AAAAA-AAAAA").wantError(t, 401, "InvalidToken", "Token is invalid")
	a := create("  " + strings.ToLower(code) + "\n")
	a.wantOK(t)
	var sess session
	a.decode(t, &sess)
	if !sess.EmailAuthFactor || claims(t, sess.AccessJwt).Kind() != auth.KindFull {
		t.Errorf("session %+v", sess)
	}
	if s.SignInCode(bob.DID) != "" {
		t.Error("code not used up")
	}
	create(code).wantError(t, 401, "InvalidToken", "Token is invalid")
	// A wrong password is reported before any code is sent.
	call(t, s, "POST", "com.atproto.server.createSession", "", login{Identifier: "bob.test", Password: "x"}).
		wantError(t, 401, "AuthenticationRequired", "Invalid identifier or password")
	// Codes expire.
	create("").wantError(t, 401, "AuthFactorTokenRequired", "")
	code = s.SignInCode(bob.DID)
	clock.Advance(16 * time.Minute)
	create(code).wantError(t, 401, "ExpiredToken", "")
	// App passwords skip 2FA.
	pw, _ := s.CreateAppPassword(bob.DID, "bot", false)
	mustLogin(t, s, "bob.test", pw)
}

func TestTakedownAndDeactivation(t *testing.T) {
	s, _, alice := newServer(t, fakepds.Options{})
	sess := mustLogin(t, s, "alice.test", testPassword)

	s.Deactivate(alice.DID)
	if got := s.Status(alice.DID); got != fakepds.StatusDeactivated {
		t.Fatalf("Status = %q", got)
	}
	d := mustLogin(t, s, "alice.test", testPassword)
	if d.Active || d.Status != "deactivated" {
		t.Errorf("deactivated login: %+v", d)
	}
	var got session
	call(t, s, "GET", "com.atproto.server.getSession", sess.AccessJwt, nil).decode(t, &got)
	if got.Active || got.Status != "deactivated" {
		t.Errorf("deactivated getSession: %+v", got)
	}
	if r := mustRefresh(t, s, d.RefreshJwt); r.Active || r.Status != "deactivated" {
		t.Errorf("deactivated refresh: %+v", r)
	}
	s.Reactivate(alice.DID)
	if r := mustLogin(t, s, "alice.test", testPassword); !r.Active || r.Status != "" {
		t.Errorf("reactivated: %+v", r)
	}

	s.Takedown(alice.DID)
	call(t, s, "POST", "com.atproto.server.createSession", "", login{Identifier: "alice.test", Password: testPassword}).
		wantError(t, 401, "AccountTakedown", "Account has been taken down")
	call(t, s, "POST", "com.atproto.server.createSession", "", login{Identifier: "alice.test", Password: "wrong"}).
		wantError(t, 401, "AuthenticationRequired", "Invalid identifier or password")
	refresh(t, s, sess.RefreshJwt).wantError(t, 401, "AccountTakedown", "Account has been taken down")
	call(t, s, "GET", "com.atproto.server.getSession", sess.AccessJwt, nil).
		wantError(t, 400, "InvalidRequest", "Could not find user info for account: "+alice.DID)
	if s.AccessTokenValid(sess.AccessJwt) || s.RefreshTokenValid(sess.RefreshJwt) {
		t.Error("tokens of a taken-down account valid")
	}
	s.Takedown("did:plc:unknown") // ignored
}

func TestGetSession(t *testing.T) {
	other := fakepds.New(fakepds.Options{})
	defer other.Close()
	other.AddAccount(fakepds.Account{Handle: "alice.test", Password: testPassword})
	foreign := mustLogin(t, other, "alice.test", testPassword)

	s, clock, alice := newServer(t, fakepds.Options{AccessLifetime: 2 * time.Second})
	sess := mustLogin(t, s, "alice.test", testPassword)
	a := call(t, s, "GET", "com.atproto.server.getSession", sess.AccessJwt, nil)
	a.wantOK(t)
	var got session
	a.decode(t, &got)
	if got.DID != alice.DID || got.Handle != "alice.test" || got.Email != alice.Email || !got.Active || got.AccessJwt != "" {
		t.Errorf("getSession = %s", a.body)
	}
	cases := []struct {
		name, tok    string
		status       int
		errName, msg string
	}{
		{"missing", "", 401, "AuthenticationRequired", ""},
		{"garbage", "not.a.jwt", 400, "InvalidToken", "Token could not be verified"},
		{"foreign signature", foreign.AccessJwt, 400, "InvalidToken", "Token could not be verified"},
		{"refresh token", sess.RefreshJwt, 400, "InvalidToken", "Invalid token type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			call(t, s, "GET", "com.atproto.server.getSession", tc.tok, nil).wantError(t, tc.status, tc.errName, tc.msg)
		})
	}
	// Logging out leaves the access token working until it expires.
	call(t, s, "POST", "com.atproto.server.deleteSession", sess.RefreshJwt, nil).wantOK(t)
	call(t, s, "GET", "com.atproto.server.getSession", sess.AccessJwt, nil).wantOK(t)
	clock.Advance(2 * time.Second)
	call(t, s, "GET", "com.atproto.server.getSession", sess.AccessJwt, nil).wantError(t, 400, "ExpiredToken", "Token has expired")
}

func TestClock(t *testing.T) {
	s, clock, _ := newServer(t, fakepds.Options{AccessLifetime: 2 * time.Second, RefreshLifetime: 5 * time.Second})
	clock.Advance(500 * time.Millisecond) // iat is whole seconds
	sess := mustLogin(t, s, "alice.test", testPassword)
	ac, rc := claims(t, sess.AccessJwt), claims(t, sess.RefreshJwt)
	if want := clock.Now().Truncate(time.Second); !ac.IssuedAt.Equal(want) || !ac.ExpiresAt.Equal(want.Add(2*time.Second)) ||
		!rc.ExpiresAt.Equal(want.Add(5*time.Second)) {
		t.Fatalf("claims %+v %+v at %v", ac, rc, clock.Now())
	}
	clock.Advance(1 * time.Second)
	if !s.AccessTokenValid(sess.AccessJwt) {
		t.Fatal("access token expired early")
	}
	clock.Advance(500 * time.Millisecond) // now = exp
	if s.AccessTokenValid(sess.AccessJwt) {
		t.Fatal("access token valid at exp")
	}
	if !s.RefreshTokenValid(sess.RefreshJwt) {
		t.Fatal("refresh token expired early")
	}
	clock.Advance(3 * time.Second)
	if s.RefreshTokenValid(sess.RefreshJwt) {
		t.Fatal("refresh token valid at exp")
	}
	refresh(t, s, sess.RefreshJwt).wantError(t, 400, "ExpiredToken", "Token has expired")
}
