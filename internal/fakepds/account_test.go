package fakepds_test

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
)

var plcDID = regexp.MustCompile(`^did:plc:[a-z2-7]{24}$`)

func TestAddAccount(t *testing.T) {
	s, _, alice := newServer(t, fakepds.Options{})
	if !plcDID.MatchString(alice.DID) {
		t.Errorf("generated DID %q", alice.DID)
	}
	b := s.AddAccount(fakepds.Account{DID: "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb", Handle: "Bob.TEST"})
	if b.Handle != "bob.test" || b.DID != "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb" {
		t.Errorf("stored %+v", b)
	}
	if got, ok := s.Account(b.DID); !ok || got != b {
		t.Errorf("Account = %+v, %v", got, ok)
	}
	if _, ok := s.Account("did:plc:nobody"); ok {
		t.Error("unknown account found")
	}
	// Re-adding a DID replaces its fields.
	s.AddAccount(fakepds.Account{DID: b.DID, Handle: "robert.test", Password: "pw"})
	mustLogin(t, s, "robert.test", "pw")
	call(t, s, "POST", "com.atproto.server.createSession", "", login{Identifier: "bob.test", Password: "pw"}).
		wantError(t, 401, "AuthenticationRequired", "")
	defer func() {
		if recover() == nil {
			t.Error("taking another account's handle did not panic")
		}
	}()
	s.AddAccount(fakepds.Account{Handle: "alice.test"})
}

func TestCreateAccount(t *testing.T) {
	s, _, _ := newServer(t, fakepds.Options{})
	create := func(handle, email string) answer {
		return call(t, s, "POST", "com.atproto.server.createAccount", "", map[string]string{
			"handle": handle, "email": email, "password": testPassword, "inviteCode": "",
		})
	}
	a := create("Carol.test", "carol@example.com")
	a.wantOK(t)
	var got session
	a.decode(t, &got)
	if !plcDID.MatchString(got.DID) || got.Handle != "carol.test" || got.DIDDoc != nil {
		t.Errorf("createAccount = %s", a.body)
	}
	if claims(t, got.AccessJwt).Kind() != auth.KindFull || !s.RefreshTokenValid(got.RefreshJwt) {
		t.Error("createAccount tokens")
	}
	mustLogin(t, s, "carol@example.com", testPassword)

	cases := []struct{ handle, email, errName string }{
		{"carol.test", "other@example.com", "HandleNotAvailable"},
		{"alice.test", "other@example.com", "HandleNotAvailable"},
		{"dave.test", "carol@example.com", "InvalidRequest"},
		{"bad handle!.test", "x@example.com", "InvalidHandle"},
		{"-dave.test", "x@example.com", "InvalidHandle"},
		{"dave", "x@example.com", "InvalidHandle"},
		{"da.test", "x@example.com", "InvalidHandle"},
		{"a.b.test", "x@example.com", "InvalidHandle"},
		{"thisisaverylonghandlename.test", "x@example.com", "InvalidHandle"},
		{"dave.example.com", "x@example.com", "UnsupportedDomain"},
		{"dave.test", "not-an-email", "InvalidEmail"},
		{"dave.test", "", "InvalidRequest"},
	}
	for _, tc := range cases {
		t.Run(tc.handle+" "+tc.email, func(t *testing.T) {
			create(tc.handle, tc.email).wantError(t, 400, tc.errName, "")
		})
	}
}

func TestCreateAppPasswordEndpoint(t *testing.T) {
	s, _, alice := newServer(t, fakepds.Options{})
	sess := mustLogin(t, s, "alice.test", testPassword)
	create := func(tok string, in any) answer {
		return call(t, s, "POST", "com.atproto.server.createAppPassword", tok, in)
	}
	a := create(sess.AccessJwt, map[string]any{"name": "phone", "privileged": true})
	a.wantOK(t)
	var out struct {
		Name, Password, CreatedAt string
		Privileged                bool
	}
	a.decode(t, &out)
	if out.Name != "phone" || !out.Privileged || !strings.HasPrefix(out.CreatedAt, "2023-11-14T22:13:20.000Z") ||
		!regexp.MustCompile(`^[a-z2-7]{4}(-[a-z2-7]{4}){3}$`).MatchString(out.Password) {
		t.Errorf("createAppPassword = %s", a.body)
	}
	ap := mustLogin(t, s, alice.DID, out.Password)
	if claims(t, ap.AccessJwt).Kind() != auth.KindAppPasswordPrivileged {
		t.Error("app password scope")
	}
	create(sess.AccessJwt, map[string]any{"name": "phone"}).wantError(t, 400, "InvalidRequest", "")
	create(sess.AccessJwt, map[string]any{}).wantError(t, 400, "InvalidRequest", `Input must have the property "name"`)
	create(ap.AccessJwt, map[string]any{"name": "x"}).wantError(t, 400, "InvalidToken", "Bad token scope")
	create("", map[string]any{"name": "x"}).wantError(t, 401, "AuthenticationRequired", "")
}

func TestDeactivateAccountEndpoint(t *testing.T) {
	s, _, alice := newServer(t, fakepds.Options{})
	sess := mustLogin(t, s, "alice.test", testPassword)
	call(t, s, "POST", "com.atproto.server.deactivateAccount", "", map[string]any{}).wantError(t, 401, "AuthenticationRequired", "")
	a := call(t, s, "POST", "com.atproto.server.deactivateAccount", sess.AccessJwt, map[string]any{})
	a.wantOK(t)
	if s.Status(alice.DID) != fakepds.StatusDeactivated {
		t.Error("not deactivated")
	}
}

func TestDescribeServerAndResolveHandle(t *testing.T) {
	s, _, alice := newServer(t, fakepds.Options{})
	var d struct {
		DID                  string   `json:"did"`
		AvailableUserDomains []string `json:"availableUserDomains"`
		InviteCodeRequired   *bool    `json:"inviteCodeRequired"`
	}
	call(t, s, "GET", "com.atproto.server.describeServer", "", nil).decode(t, &d)
	if d.DID != "did:web:127.0.0.1" || len(d.AvailableUserDomains) != 1 || d.AvailableUserDomains[0] != ".test" ||
		d.InviteCodeRequired == nil || *d.InviteCodeRequired {
		t.Errorf("describeServer = %+v", d)
	}
	var r struct{ DID string }
	call(t, s, "GET", "com.atproto.identity.resolveHandle?handle=Alice.test", "", nil).decode(t, &r)
	if r.DID != alice.DID {
		t.Errorf("resolveHandle = %q", r.DID)
	}
	call(t, s, "GET", "com.atproto.identity.resolveHandle?handle=bob.test", "", nil).
		wantError(t, 400, "InvalidRequest", "Unable to resolve handle")
	call(t, s, "GET", "com.atproto.identity.resolveHandle", "", nil).wantError(t, 400, "InvalidRequest", "")
}

func TestUnknownMethodAndWrongVerb(t *testing.T) {
	s, _, _ := newServer(t, fakepds.Options{})
	call(t, s, "GET", "app.bsky.actor.getProfile", "", nil).wantError(t, 501, "MethodNotImplemented", "")
	call(t, s, "GET", "com.atproto.server.createSession", "", nil).
		wantError(t, 400, "InvalidRequest", "Incorrect HTTP method (GET) expected POST")
	call(t, s, "POST", "com.atproto.server.getSession", "", map[string]any{}).wantError(t, 400, "InvalidRequest", "")
}

func get(t *testing.T, s *fakepds.Server, path, host string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL()+path, nil)
	if host != "" {
		req.Host = host
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func TestWellKnown(t *testing.T) {
	s, _, alice := newServer(t, fakepds.Options{})
	status, h, body := get(t, s, "/.well-known/atproto-did", "alice.test:1234")
	if status != 200 || body != alice.DID || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
		t.Errorf("well-known = %d %q %v", status, body, h)
	}
	if status, _, _ := get(t, s, "/.well-known/atproto-did", "bob.test"); status != 404 {
		t.Errorf("unknown handle: %d", status)
	}
	if n := s.Calls("/.well-known/atproto-did"); n != 2 {
		t.Errorf("Calls = %d", n)
	}
}

func TestPLCDirectory(t *testing.T) {
	s, _, alice := newServer(t, fakepds.Options{})
	type doc struct {
		Context            []string `json:"@context"`
		ID                 string   `json:"id"`
		AlsoKnownAs        []string `json:"alsoKnownAs"`
		VerificationMethod []struct {
			ID, Type, Controller, PublicKeyMultibase string
		} `json:"verificationMethod"`
		Service []struct{ ID, Type, ServiceEndpoint string } `json:"service"`
	}
	fetch := func() doc {
		status, h, body := get(t, s, "/"+alice.DID, "")
		if status != 200 || !strings.Contains(h.Get("Content-Type"), "json") {
			t.Fatalf("PLC: %d %v", status, h)
		}
		var d doc
		if err := json.Unmarshal([]byte(body), &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	d := fetch()
	if d.ID != alice.DID || len(d.Context) == 0 || len(d.AlsoKnownAs) != 1 || d.AlsoKnownAs[0] != "at://alice.test" ||
		len(d.VerificationMethod) != 1 || !strings.HasPrefix(d.VerificationMethod[0].PublicKeyMultibase, "z") ||
		len(d.Service) != 1 || d.Service[0].ID != "#atproto_pds" || d.Service[0].Type != "AtprotoPersonalDataServer" ||
		d.Service[0].ServiceEndpoint != s.URL() {
		t.Errorf("DID document = %+v", d)
	}
	s.SetPDSEndpoint(alice.DID, "https://elsewhere.example")
	if d := fetch(); d.Service[0].ServiceEndpoint != "https://elsewhere.example" {
		t.Errorf("override ignored: %+v", d.Service)
	}
	s.SetPDSEndpoint(alice.DID, "")
	if d := fetch(); len(d.Service) != 0 {
		t.Errorf("service not removed: %+v", d.Service)
	}
	if status, _, _ := get(t, s, "/did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", ""); status != 404 {
		t.Errorf("unknown DID: %d", status)
	}
	if status, _, _ := get(t, s, "/nothing", ""); status != 404 {
		t.Errorf("unknown path: %d", status)
	}
}

// TestSetSessionHandle: session answers name the handle set, another
// account's included, while the DID document and handle resolution keep
// the account's own; an empty handle restores it.
func TestSetSessionHandle(t *testing.T) {
	s, _, alice := newServer(t, fakepds.Options{IncludeDIDDoc: true})
	bob := s.AddAccount(fakepds.Account{Handle: "bob.test", Password: testPassword})
	s.SetSessionHandle(bob.DID, "alice.test")
	var got struct {
		Handle string          `json:"handle"`
		DIDDoc json.RawMessage `json:"didDoc"`
	}
	sess := mustLogin(t, s, bob.DID, testPassword)
	refresh(t, s, sess.RefreshJwt).decode(t, &got)
	if got.Handle != "alice.test" || !strings.Contains(string(got.DIDDoc), `"at://bob.test"`) {
		t.Errorf("refresh answered %s with document %s", got.Handle, got.DIDDoc)
	}
	var r struct{ DID string }
	call(t, s, "GET", "com.atproto.identity.resolveHandle?handle=alice.test", "", nil).decode(t, &r)
	if r.DID != alice.DID {
		t.Errorf("alice.test now resolves to %s", r.DID)
	}
	s.SetSessionHandle(bob.DID, "")
	call(t, s, "GET", "com.atproto.server.getSession", mustLogin(t, s, "bob.test", testPassword).AccessJwt, nil).decode(t, &got)
	if got.Handle != "bob.test" {
		t.Errorf("after restoring, getSession answered %s", got.Handle)
	}
}
