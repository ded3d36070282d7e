package cli

// login --oauth against the real reference PDS started by testdata/pds/run
// (see auth/realpds_test.go), the person at the browser played headless by
// internal/oauthtest: approving, refusing, and over "SSH" pasting the
// address the browser ended at.

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/oauthtest"
	"github.com/skyswitch/skyswitch/storage"
)

// realSignIn is one test's new account on the real PDS, never logged in
// here, and the way to run commands on its accounts file.
type realSignIn struct {
	t                     *testing.T
	ctx                   context.Context
	url                   string
	did, handle, password string
	path                  string
	client                *auth.Client
	mu                    sync.Mutex
	runs                  []result
	secrets               []string // every token, key and callback code or state seen
}

func newRealSignIn(t *testing.T) *realSignIn {
	pdsURL, plcURL := realPDS(t)
	r := &realSignIn{t: t, url: pdsURL, path: filepath.Join(t.TempDir(), "skyswitch", "accounts.json"),
		client: &auth.Client{Timeout: 20 * time.Second, Resolver: &auth.Resolver{PLCURL: plcURL}}}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	r.ctx = ctx
	a := newRealPDSAccount(ctx, t, r.client, pdsURL, "o", "oauth")
	r.did, r.handle, r.password = a.did, a.handle, a.password
	t.Cleanup(r.checkNoSecrets)
	return r
}

// app is an App on r's accounts file, with open as its browser.
func (r *realSignIn) app(open func(string) error) *App {
	return &App{
		Version: version, Getenv: func(string) string { return "" }, OpenBrowser: open,
		ReadSecret: func() (string, error) { r.t.Error("ReadSecret called"); return "", nil },
		Manager:    &accounts.Manager{Store: storage.Open(r.path), Client: r.client},
	}
}

func (r *realSignIn) record(res result) {
	r.mu.Lock()
	r.runs = append(r.runs, res)
	r.mu.Unlock()
	r.noteSecrets()
}

// start runs args in the background; run runs them to their end.
func (r *realSignIn) start(a *App, args ...string) *started {
	return startApp(r.t, a, r.record, args...)
}

func (r *realSignIn) run(a *App, args ...string) result {
	if a.Stdin == nil {
		a.Stdin = strings.NewReader("")
	}
	return r.start(a, args...).wait()
}

// browser is an opener that plays the person at the browser (play), then
// follows the redirect back to the listener.
func (r *realSignIn) browser(play func(ctx context.Context, u string) (string, error)) func(string) error {
	return func(u string) error {
		go func() {
			cb, err := play(r.ctx, u)
			if err != nil {
				r.t.Errorf("the browser: %v", err)
				return
			}
			r.noteCallback(cb)
			follow(r.t, cb)
		}()
		return nil
	}
}

func (r *realSignIn) approve(ctx context.Context, u string) (string, error) {
	return oauthtest.Approve(ctx, u, r.handle, r.password)
}

func (r *realSignIn) noteCallback(cb string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secrets = append(r.secrets, callbackSecrets(r.t, cb)...)
}

// noteSecrets remembers the tokens and DPoP keys of the accounts file.
func (r *realSignIn) noteSecrets() {
	st, err := storage.Open(r.path).Load()
	if err != nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, a := range st.Accounts {
		r.secrets = append(r.secrets, a.AccessJwt, a.RefreshJwt)
		if a.OAuth != nil {
			r.secrets = append(r.secrets, a.OAuth.DPoPKey)
		}
	}
}

// checkNoSecrets: no output held the password, a token, a key, a code or
// a state.
func (r *realSignIn) checkNoSecrets() {
	r.noteSecrets()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, res := range r.runs {
		for _, s := range append(r.secrets, r.password) {
			if s != "" && strings.Contains(res.stdout+res.stderr, s) {
				r.t.Errorf("skyswitch %s printed a secret", strings.Join(res.args, " "))
			}
		}
	}
}

func (r *realSignIn) state() *storage.State {
	r.t.Helper()
	st, err := storage.Open(r.path).Load()
	if err != nil {
		r.t.Fatal(err)
	}
	return st
}

// wantSignedIn: the account is saved with an OAuth session, active, and
// the session works on the server.
func (r *realSignIn) wantSignedIn(res result) {
	r.t.Helper()
	wantCode(r.t, res, exitOK)
	if !strings.Contains(res.stderr, "Logged in as @"+r.handle) {
		r.t.Errorf("%s", res)
	}
	st := r.state()
	a, ok := st.Account(r.did)
	if !ok || a.Kind() != auth.KindOAuth || st.Active != r.did {
		r.t.Fatalf("saved: %v, kind %q, active %q", ok, a.Kind(), st.Active)
	}
	if status, did := sessionWorks(r.t, r.client, a.SessionData); status != http.StatusOK || did != r.did {
		r.t.Fatalf("getSession with the saved session: HTTP %d, did %q", status, did)
	}
}

// anyAuthorizeLine matches a line that is an authorization URL alone.
func anyAuthorizeLine(l string) bool {
	return strings.HasPrefix(l, "http") && strings.Contains(l, "/oauth/authorize?") && !strings.ContainsAny(l, " \t")
}

func TestRealPDSOAuthLogin(t *testing.T) {
	r := newRealSignIn(t)
	res := r.run(r.app(r.browser(r.approve)), "login", "--oauth", "--service", r.url, "--identifier", r.handle)
	r.wantSignedIn(res)

	// token refuses: the token is bound to the key skyswitch holds.
	res = r.run(r.app(nil), "token")
	wantCode(t, res, exitFailure)
	if res.stdout != "" || !strings.Contains(res.stderr, "signed in with OAuth") {
		t.Errorf("token for an OAuth account: %d bytes on stdout; %s", len(res.stdout), res.stderr)
	}

	// What the login made works where skyswitch goes: api signs with
	// DPoP, and exec's command reaches the PDS through the proxy with
	// curl, never holding the real token.
	res = r.run(r.app(nil), "api", "-q", ".did", "com.atproto.server.getSession")
	wantCode(t, res, exitOK)
	if strings.TrimSpace(res.stdout) != r.did {
		t.Errorf("api getSession after login --oauth: %s", res)
	}
	a := r.app(nil)
	a.Environ = func() []string { return []string{"PATH=" + os.Getenv("PATH")} }
	res = r.run(a, "exec", "--", "sh", "-c",
		`curl -sS --fail-with-body -H "Authorization: Bearer $ATP_ACCESS_TOKEN" "$ATP_PDS_URL/xrpc/com.atproto.server.getSession"`)
	wantCode(t, res, exitOK)
	if !strings.Contains(res.stdout, `"did":"`+r.did+`"`) {
		t.Errorf("curl through exec's proxy after login --oauth: %s", res)
	}
}

// Over SSH: --no-browser prints the address; the browser (elsewhere)
// cannot come back to this machine, and its last address is pasted.
func TestRealPDSOAuthLoginNoBrowser(t *testing.T) {
	r := newRealSignIn(t)
	never := func(string) error { t.Error("a browser was opened with --no-browser"); return nil }
	s := r.start(r.app(never), "login", "--oauth", "--no-browser", "--service", r.url, "--identifier", r.handle)
	u, _ := s.waitLine("the authorization URL alone on a line", anyAuthorizeLine)
	cb, err := r.approve(r.ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	r.noteCallback(cb)
	s.paste(cb)
	r.wantSignedIn(s.wait())
}

func TestRealPDSOAuthLoginRejected(t *testing.T) {
	r := newRealSignIn(t)
	res := r.run(r.app(r.browser(oauthtest.Reject)), "login", "--oauth", "--service", r.url, "--identifier", r.handle)
	wantCode(t, res, exitFailure)
	if !strings.Contains(res.stderr, "the sign-in was refused at the browser; nothing was saved") {
		t.Errorf("%s", res)
	}
	if st := r.state(); len(st.Accounts) != 0 {
		t.Fatal("a refused sign-in saved an account")
	}
}
