package auth_test

// Integration tests against the real Bluesky reference PDS (@atproto/pds)
// with a did:plc directory, started by testdata/pds/run. They create their
// own accounts with unique handles, so they work on any fresh server.

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/auth"
)

type realPDS struct {
	url, plc, admin, jwtSecret string
	client                     *auth.Client
}

// skipWithoutPDS skips a real-PDS test on a developer's machine without
// the harness, but fails it under CI, which always starts one (.ci/run).
func skipWithoutPDS(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal("CI must run the real-PDS tests: " + why)
	}
	t.Skip(why)
}

func needRealPDS(t *testing.T) *realPDS {
	t.Helper()
	u := os.Getenv("SKYSWITCH_TEST_PDS_URL")
	if u == "" {
		skipWithoutPDS(t, "no reference PDS: run `testdata/pds/run install && eval \"$(testdata/pds/run start)\"` first")
	}
	r := &realPDS{url: u, plc: os.Getenv("SKYSWITCH_TEST_PLC_URL"),
		admin: os.Getenv("SKYSWITCH_TEST_PDS_ADMIN_PASSWORD"), jwtSecret: os.Getenv("SKYSWITCH_TEST_PDS_JWT_SECRET")}
	r.client = &auth.Client{Timeout: 20 * time.Second, Resolver: &auth.Resolver{PLCURL: r.plc}}
	return r
}

type realAccount struct {
	handle, email, password string
	session                 *auth.Session
}

// newAccount creates an account with a unique handle on the real server.
func (r *realPDS) newAccount(t *testing.T) realAccount {
	t.Helper()
	b := make([]byte, 5)
	rand.Read(b)
	name := "s" + hex.EncodeToString(b)
	a := realAccount{handle: name + ".test", email: name + "@example.com", password: "pw-" + hex.EncodeToString(b) + "-x"}
	s, err := r.client.CreateAccount(context.Background(), auth.CreateAccountInput{
		Service: r.url, Handle: a.handle, Email: a.email, Password: a.password}, auth.SessionOptions{})
	if err != nil {
		t.Fatalf("createAccount: %v", err)
	}
	a.session = s
	return a
}

func (r *realPDS) login(t *testing.T, ident, password string, opts auth.SessionOptions) *auth.Session {
	t.Helper()
	s, err := r.client.Login(context.Background(), auth.LoginInput{Service: r.url, Identifier: ident, Password: password}, opts)
	if err != nil {
		t.Fatalf("login %s: %v", ident, err)
	}
	return s
}

// takedown uses the admin API, as a moderator would.
func (r *realPDS) takedown(t *testing.T, did string) {
	t.Helper()
	body := `{"subject":{"$type":"com.atproto.admin.defs#repoRef","did":"` + did + `"},"takedown":{"applied":true,"ref":"t1"}}`
	req, _ := http.NewRequest(http.MethodPost, r.url+"/xrpc/com.atproto.admin.updateSubjectStatus", strings.NewReader(body))
	req.SetBasicAuth("admin", r.admin)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("takedown: HTTP %d", resp.StatusCode)
	}
}

func TestRealPDSLoginByHandle(t *testing.T) {
	r := needRealPDS(t)
	a := r.newAccount(t)
	s := r.login(t, "@"+strings.ToUpper(a.handle), a.password, auth.SessionOptions{})
	d := s.Data()
	if d.DID != a.session.Data().DID || d.Handle != a.handle || !d.Active {
		t.Fatalf("session %s %s active=%v", d.DID, d.Handle, d.Active)
	}
	if c, _ := auth.ParseClaims(d.AccessJwt); c.Kind() != auth.KindFull || c.Type != "at+jwt" {
		t.Fatalf("claims %+v", c)
	}
	if c, _ := auth.ParseClaims(d.RefreshJwt); c.Kind() != auth.KindRefresh || c.ID == "" || c.Lifetime() < 80*24*time.Hour {
		t.Fatalf("refresh claims %+v", c)
	}
}

func TestRealPDSLoginByEmail(t *testing.T) {
	r := needRealPDS(t)
	a := r.newAccount(t)
	if d := r.login(t, a.email, a.password, auth.SessionOptions{}).Data(); d.Handle != a.handle || d.Email != a.email {
		t.Fatalf("session %s %s", d.Handle, d.Email)
	}
}

func TestRealPDSAppPasswordScope(t *testing.T) {
	r := needRealPDS(t)
	a := r.newAccount(t)
	var out struct {
		Password   string `json:"password"`
		Privileged bool   `json:"privileged"`
	}
	if err := a.session.Procedure(context.Background(), "com.atproto.server.createAppPassword", map[string]any{"name": "skyswitch-test"}, &out); err != nil {
		t.Fatal(err)
	}
	s := r.login(t, a.handle, out.Password, auth.SessionOptions{})
	if c, _ := auth.ParseClaims(s.Data().AccessJwt); c.Kind() != auth.KindAppPassword {
		t.Fatalf("app-password session has scope %q", c.Scope)
	}
}

func TestRealPDSWrongPassword(t *testing.T) {
	r := needRealPDS(t)
	a := r.newAccount(t)
	_, err := r.client.Login(context.Background(), auth.LoginInput{Service: r.url, Identifier: a.handle, Password: "not-the-password"}, auth.SessionOptions{})
	if !errors.Is(err, auth.ErrAuthenticationRequired) || auth.IsTransient(err) || strings.Contains(err.Error(), "not-the-password") {
		t.Fatalf("got %v", err)
	}
}

func TestRealPDSRefreshRotationAndGrace(t *testing.T) {
	r := needRealPDS(t)
	a := r.newAccount(t)
	old := a.session.Data()
	time.Sleep(1100 * time.Millisecond) // tokens carry whole-second iat
	if err := a.session.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	fresh := a.session.Data()
	if fresh.AccessJwt == old.AccessJwt || fresh.RefreshJwt == old.RefreshJwt {
		t.Fatal("the real PDS did not rotate the tokens")
	}
	// The reference PDS accepts the used refresh token for a grace period.
	again, err := r.client.RefreshSession(context.Background(), old)
	if err != nil {
		t.Fatalf("old refresh token within grace: %v", err)
	}
	if _, err := r.client.NewSession(again, auth.SessionOptions{}).GetSession(context.Background()); err != nil {
		t.Fatalf("tokens from the grace refresh: %v", err)
	}
}

func TestRealPDSLogoutRevokesRefreshToken(t *testing.T) {
	r := needRealPDS(t)
	a := r.newAccount(t)
	var deleted bool
	s := r.login(t, a.handle, a.password, auth.SessionOptions{OnEvent: func(e auth.Event) { deleted = deleted || e.Kind == auth.EventDeleted }})
	d := s.Data()
	if err := s.Logout(context.Background()); err != nil || !deleted {
		t.Fatalf("logout: %v (deleted event %v)", err, deleted)
	}
	_, err := r.client.RefreshSession(context.Background(), d)
	var xe *auth.Error
	if !errors.As(err, &xe) || xe.Name != "ExpiredToken" || !strings.Contains(xe.Message, "revoked") {
		t.Fatalf("refresh after logout: %v", err)
	}
	// Logging out stored data again counts as done.
	if err := r.client.DeleteSession(context.Background(), d); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	// The access token is stateless: it stays valid until it expires.
	if _, err := r.client.NewSession(d, auth.SessionOptions{}).GetSession(context.Background()); err != nil {
		t.Fatalf("access token after logout: %v", err)
	}
}

func TestRealPDSTakedownOnLogin(t *testing.T) {
	r := needRealPDS(t)
	a := r.newAccount(t)
	r.takedown(t, a.session.Data().DID)
	_, err := r.client.Login(context.Background(), auth.LoginInput{Service: r.url, Identifier: a.handle, Password: a.password}, auth.SessionOptions{})
	if !errors.Is(err, auth.ErrAccountTakedown) {
		t.Fatalf("got %v", err)
	}
}

func TestRealPDSTakedownOnRefresh(t *testing.T) {
	r := needRealPDS(t)
	a := r.newAccount(t)
	var last auth.Event
	s := r.client.NewSession(a.session.Data(), auth.SessionOptions{OnEvent: func(e auth.Event) { last = e }})
	r.takedown(t, s.Data().DID)
	err := s.Refresh(context.Background())
	if !errors.Is(err, auth.ErrAccountTakedown) || !auth.EndsSession(err) {
		t.Fatalf("got %v", err)
	}
	if last.Kind != auth.EventDeleted || !errors.Is(s.Err(), auth.ErrLoggedOut) {
		t.Fatalf("event %v, Err %v", last.Kind, s.Err())
	}
}

func TestRealPDSDeactivatedAccount(t *testing.T) {
	r := needRealPDS(t)
	a := r.newAccount(t)
	if err := a.session.Procedure(context.Background(), "com.atproto.server.deactivateAccount", map[string]any{}, nil); err != nil {
		t.Fatal(err)
	}
	s := r.login(t, a.handle, a.password, auth.SessionOptions{})
	if d := s.Data(); d.Active || d.Status != "deactivated" {
		t.Fatalf("login: active %v status %q", d.Active, d.Status)
	}
	d, err := s.GetSession(context.Background())
	if err != nil || d.Active || d.Status != "deactivated" {
		t.Fatalf("getSession: active %v status %q err %v", d.Active, d.Status, err)
	}
}

func TestRealPDSDiscoveryThroughPLC(t *testing.T) {
	r := needRealPDS(t)
	a := r.newAccount(t)
	d := r.login(t, a.handle, a.password, auth.SessionOptions{}).Data()
	if len(d.DIDDoc) == 0 {
		t.Fatal("no DID document: the answer had none, and PLC was not asked")
	}
	pds, err := auth.PDSFromDoc(d.DIDDoc)
	want, _ := auth.NormalizeServiceURL(r.url)
	if err != nil || pds != want || d.PDSURL != want {
		t.Fatalf("document PDS %q (%v), session PDS %q, want %q", pds, err, d.PDSURL, want)
	}
	if auth.HandleFromDoc(d.DIDDoc) != a.handle {
		t.Fatalf("document handle %q", auth.HandleFromDoc(d.DIDDoc))
	}
}

func TestRealPDSRequestRetriedAfterAccessTokenRejected(t *testing.T) {
	r := needRealPDS(t)
	if r.jwtSecret == "" {
		skipWithoutPDS(t, "SKYSWITCH_TEST_PDS_JWT_SECRET not set: cannot mint an expired token")
	}
	a := r.newAccount(t)
	d := a.session.Data()
	d.AccessJwt = expire(t, d.AccessJwt, r.jwtSecret) // genuine, but expired an hour ago
	var kinds []auth.EventKind
	s := r.client.NewSession(d, auth.SessionOptions{OnEvent: func(e auth.Event) { kinds = append(kinds, e.Kind) }})
	// Our clock says fresh, so only the server's ExpiredToken can trigger the refresh.
	r.client.Now = func() time.Time { return time.Now().Add(-3 * time.Hour) }
	defer func() { r.client.Now = nil }()
	got, err := s.GetSession(context.Background())
	if err != nil || got.DID != d.DID {
		t.Fatalf("getSession: %v", err)
	}
	if len(kinds) != 1 || kinds[0] != auth.EventUpdated || s.Data().AccessJwt == d.AccessJwt {
		t.Fatalf("no refresh happened: events %v", kinds)
	}
}

// expire re-signs an HS256 access token with iat/exp moved two hours back.
func expire(t *testing.T, tok, secret string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	claims["iat"], claims["exp"] = now-3*3600, now-3600
	payload, _ := json.Marshal(claims)
	signing := parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(signing))
	return signing + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}
