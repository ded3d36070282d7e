package fakepds_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/auth/fakepds"
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
