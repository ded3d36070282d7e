package fakepds_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// subOf is a token's sub claim.
func subOf(t *testing.T, tok string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT (%d parts)", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c struct{ Sub string }
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c.Sub
}

func TestFaultSubMismatch(t *testing.T) {
	s, _, alice := newServer(t, fakepds.Options{Grace: fakepds.NoGrace})
	bob := s.AddAccount(fakepds.Account{Handle: "bob.test", Password: "bobs password"})
	const create, refreshNSID = "com.atproto.server.createSession", "com.atproto.server.refreshSession"

	// A login: alice's answer, bob's tokens, which work.
	s.Inject(create, fakepds.Fault{Kind: fakepds.FaultSubMismatch, Times: 1})
	got := mustLogin(t, s, "alice.test", testPassword)
	if got.DID != alice.DID || got.Handle != "alice.test" {
		t.Errorf("the body changed: %s %s", got.DID, got.Handle)
	}
	if subOf(t, got.AccessJwt) != bob.DID || subOf(t, got.RefreshJwt) != bob.DID {
		t.Errorf("tokens are not bob's")
	}
	if !s.AccessTokenValid(got.AccessJwt) || !s.RefreshTokenValid(got.RefreshJwt) {
		t.Error("bob's tokens do not work")
	}
	if s.ActiveSessions(alice.DID) != 1 || s.ActiveSessions(bob.DID) != 1 {
		t.Errorf("sessions: alice %d, bob %d; want the login made and bob's added", s.ActiveSessions(alice.DID), s.ActiveSessions(bob.DID))
	}

	// A refresh rotates alice's token (spent, with no grace) and answers
	// with Fault.DID's tokens.
	sess := mustLogin(t, s, "alice.test", testPassword)
	s.Inject(refreshNSID, fakepds.Fault{Kind: fakepds.FaultSubMismatch, DID: "did:plc:someoneelse", Times: 1})
	got = mustRefresh(t, s, sess.RefreshJwt)
	if got.DID != alice.DID || subOf(t, got.AccessJwt) != "did:plc:someoneelse" || subOf(t, got.RefreshJwt) != "did:plc:someoneelse" {
		t.Errorf("refresh: did %s, subs %s %s", got.DID, subOf(t, got.AccessJwt), subOf(t, got.RefreshJwt))
	}
	if s.RefreshTokenValid(sess.RefreshJwt) {
		t.Error("the refresh was not processed: the used token still works")
	}

	// An answer without tokens is left alone.
	s.Inject("com.atproto.server.getSession", fakepds.Fault{Kind: fakepds.FaultSubMismatch, Times: 1})
	a := call(t, s, "GET", "com.atproto.server.getSession", sess.AccessJwt, nil)
	a.wantOK(t)
	if strings.Contains(string(a.body), "accessJwt") {
		t.Errorf("getSession gained tokens: %s", a.body)
	}
	if got := fakepds.FaultSubMismatch.String(); got != "sub-mismatch" {
		t.Errorf("String = %q", got)
	}
}

func TestFaultEchoAuthorizationBody(t *testing.T) {
	s, _, _ := newServer(t, fakepds.Options{})
	sess := mustLogin(t, s, "alice.test", testPassword)
	const nsid = "com.example.echo"
	s.Inject(nsid, fakepds.Fault{Kind: fakepds.FaultEchoAuthorizationBody})
	for _, tc := range []struct {
		query      string
		wantCursor string
	}{{"", "2"}, {"?cursor=2", ""}} {
		a := call(t, s, "GET", nsid+tc.query, sess.AccessJwt, nil)
		a.wantOK(t)
		var got struct {
			Echo                 struct{ Authorization string }
			Token, Escaped, Tail string
			Cursor               string
		}
		a.decode(t, &got)
		tok := sess.AccessJwt
		if got.Echo.Authorization != "Bearer "+tok || got.Token != tok || got.Escaped != tok || got.Tail != tok[len(tok)-32:] {
			t.Errorf("%q: the token is not echoed in every form", tc.query)
		}
		if !strings.Contains(string(a.body), `\u00`) || strings.Count(string(a.body), tok) != 2 {
			t.Errorf("%q: the escaped form is not escaped", tc.query)
		}
		if got.Cursor != tc.wantCursor {
			t.Errorf("%q: cursor %q, want %q", tc.query, got.Cursor, tc.wantCursor)
		}
	}
	if got := fakepds.FaultEchoAuthorizationBody.String(); got != "echo-authorization-body" {
		t.Errorf("String = %q", got)
	}
}
