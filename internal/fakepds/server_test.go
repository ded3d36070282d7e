package fakepds_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

func TestIncludeDIDDoc(t *testing.T) {
	s, _, alice := newServer(t, fakepds.Options{IncludeDIDDoc: true})
	want, _ := s.DIDDocument(alice.DID)
	sess := mustLogin(t, s, "alice.test", testPassword)
	var got session
	call(t, s, "GET", "com.atproto.server.getSession", sess.AccessJwt, nil).decode(t, &got)
	r := mustRefresh(t, s, sess.RefreshJwt)
	for name, doc := range map[string][]byte{"createSession": sess.DIDDoc, "getSession": got.DIDDoc, "refreshSession": r.DIDDoc} {
		if string(doc) != string(want) {
			t.Errorf("%s didDoc = %s, want %s", name, doc, want)
		}
	}
	if !strings.Contains(string(want), `"serviceEndpoint":"`+s.URL()+`"`) {
		t.Errorf("didDoc %s lacks the server URL", want)
	}
	var acct session
	call(t, s, "POST", "com.atproto.server.createAccount", "", map[string]string{
		"handle": "carol.test", "email": "carol@example.com", "password": testPassword,
	}).decode(t, &acct)
	if !strings.Contains(string(acct.DIDDoc), acct.DID) {
		t.Errorf("createAccount didDoc = %s", acct.DIDDoc)
	}
}

func TestRecording(t *testing.T) {
	s, _, _ := newServer(t, fakepds.Options{})
	sess := mustLogin(t, s, "alice.test", testPassword)
	call(t, s, "GET", "com.atproto.server.getSession", sess.AccessJwt, nil)
	call(t, s, "GET", "com.atproto.server.getSession", sess.AccessJwt, nil)
	if n := s.Calls("com.atproto.server.getSession"); n != 2 {
		t.Errorf("Calls = %d", n)
	}
	r := s.LastRequest("com.atproto.server.getSession")
	if r.Method != http.MethodGet || r.Header.Get("Authorization") != "Bearer "+sess.AccessJwt ||
		r.Header.Get("User-Agent") != "fakepds-test/1" || len(r.Body) != 0 {
		t.Errorf("LastRequest = %+v", r)
	}
	l := s.LastRequest("com.atproto.server.createSession")
	if l.Method != http.MethodPost || !strings.Contains(string(l.Body), `"identifier":"alice.test"`) ||
		l.Header.Get("Content-Type") != "application/json" {
		t.Errorf("createSession request = %+v", l)
	}
	l.Body[0] = 'X' // a copy
	if s.LastRequest("com.atproto.server.createSession").Body[0] != '{' {
		t.Error("LastRequest shares its body")
	}
	if got := s.LastRequest("com.atproto.server.deleteSession"); got.Method != "" || s.Calls("com.atproto.server.deleteSession") != 0 {
		t.Errorf("no request, got %+v", got)
	}
	if n := len(s.Requests("com.atproto.server.getSession")); n != 2 {
		t.Errorf("Requests: %d", n)
	}
}

func TestSecrets(t *testing.T) {
	s, clock, alice := newServer(t, fakepds.Options{})
	want := []string{testPassword}
	check := func(when string) {
		t.Helper()
		if got := s.Secrets(); !slices.Equal(got, want) {
			// Test values only: safe to print.
			t.Fatalf("%s: Secrets =\n%q\nwant\n%q", when, got, want)
		}
	}
	check("an account added")

	// Issued tokens, also rotated away; the same one twice is listed once.
	sess := mustLogin(t, s, "alice.test", testPassword)
	again := mustLogin(t, s, "alice.test", testPassword)
	want = append(want, sess.AccessJwt, sess.RefreshJwt, again.RefreshJwt)
	if again.AccessJwt != sess.AccessJwt {
		t.Fatal("two logins in the same second gave two access tokens")
	}
	clock.Advance(time.Second)
	r := mustRefresh(t, s, sess.RefreshJwt)
	want = append(want, r.AccessJwt, r.RefreshJwt)
	check("logins and a refresh")

	// Passwords received, wrong ones and those a fault answered included;
	// sign-in codes are not listed.
	call(t, s, "POST", "com.atproto.server.createSession", "", login{Identifier: "alice.test", Password: "wrong one"}).
		wantError(t, 401, "AuthenticationRequired", "")
	s.Inject("com.atproto.server.createSession", fakepds.Fault{Times: 1})
	call(t, s, "POST", "com.atproto.server.createSession", "", login{Identifier: "bob.test", Password: "faulted one"})
	want = append(want, "wrong one", "faulted one")
	carol := s.AddAccount(fakepds.Account{Handle: "carol.test", Password: "carol's password", EmailAuthFactor: true})
	call(t, s, "POST", "com.atproto.server.createSession", "", login{Identifier: "carol.test", Password: "carol's password"}).
		wantError(t, 401, "AuthFactorTokenRequired", "")
	want = append(want, "carol's password")
	if s.SignInCode(carol.DID) == "" {
		t.Fatal("no sign-in code sent")
	}
	check("passwords received")

	// App passwords, also revoked; an account's password, also replaced;
	// an account created over XRPC, its password and tokens.
	ap, err := s.CreateAppPassword(alice.DID, "cli", false)
	if err != nil {
		t.Fatal(err)
	}
	s.RevokeAppPassword(alice.DID, "cli")
	var created struct{ Password string }
	call(t, s, "POST", "com.atproto.server.createAppPassword", r.AccessJwt, map[string]string{"name": "phone"}).decode(t, &created)
	alice.Password = "a new password"
	s.AddAccount(alice)
	var acct session
	call(t, s, "POST", "com.atproto.server.createAccount", "", map[string]string{
		"handle": "dave.test", "email": "dave@example.com", "password": "dave's password",
	}).decode(t, &acct)
	want = append(want, ap, created.Password, "a new password", "dave's password", acct.AccessJwt, acct.RefreshJwt)
	check("app passwords and accounts")

	// A copy.
	s.Secrets()[0] = "changed"
	check("after changing a copy")
}
