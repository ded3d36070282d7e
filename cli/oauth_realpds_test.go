package cli

// An OAuth account through the commands against the real reference PDS
// (testdata/pds/run), signed in headless: accounts.Manager.StartOAuth,
// the person at the browser played by internal/oauthtest, FinishOAuth.

import (
	"bytes"
	"context"
	"io"
	"net/http"
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

// oauthWire watches an OAuth account's requests: it counts the refreshes
// sent to the token endpoint and fails the test on a plain Bearer.
type oauthWire struct {
	t         *testing.T
	mu        sync.Mutex
	refreshes int
}

func (w *oauthWire) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasPrefix(req.Header.Get("Authorization"), "Bearer ") {
		w.t.Errorf("a plain Bearer went to %s", req.URL.Path)
	}
	if req.URL.Path == "/oauth/token" && req.GetBody != nil {
		if body, err := req.GetBody(); err == nil {
			b, _ := io.ReadAll(body)
			if strings.Contains(string(b), "grant_type=refresh_token") {
				w.mu.Lock()
				w.refreshes++
				w.mu.Unlock()
			}
		}
	}
	return http.DefaultTransport.RoundTrip(req)
}

func (w *oauthWire) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.refreshes
}

// realOAuth is one test's account on the real PDS, signed in with OAuth
// into an accounts file of its own.
type realOAuth struct {
	t                     *testing.T
	ctx                   context.Context
	url, plc              string
	did, handle, password string
	config                string // XDG_CONFIG_HOME; the file is in it
	wire                  *oauthWire
	mu                    sync.Mutex
	runs                  []result
	secrets               map[string]bool // tokens, keys and proxy secrets seen
}

func newRealOAuth(t *testing.T) *realOAuth {
	pdsURL, plcURL := realPDS(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	r := &realOAuth{t: t, ctx: ctx, url: pdsURL, plc: plcURL, config: t.TempDir(),
		wire: &oauthWire{t: t}, secrets: map[string]bool{}}
	plain := &auth.Client{Timeout: 20 * time.Second, Resolver: &auth.Resolver{PLCURL: r.plc}}
	a := newRealPDSAccount(ctx, t, plain, pdsURL, "o", "oauth")
	r.did, r.handle, r.password = a.did, a.handle, a.password
	t.Cleanup(r.checkNoSecrets)

	m := r.manager()
	p, err := m.StartOAuth(ctx, auth.OAuthRequest{Service: pdsURL, Identifier: r.handle, RedirectURI: "http://127.0.0.1:1/callback"})
	if err != nil {
		t.Fatalf("StartOAuth: %v", err)
	}
	cb, err := oauthtest.Approve(ctx, p.AuthorizeURL(), r.handle, r.password)
	if err != nil {
		t.Fatalf("approve: %v", err)
	}
	if a, err := m.FinishOAuth(ctx, p, cb); err != nil || a.Kind() != auth.KindOAuth {
		t.Fatalf("FinishOAuth: %v", err)
	}
	r.note()
	return r
}

func (r *realOAuth) path() string { return filepath.Join(r.config, "skyswitch", "accounts.json") }

// client is a client of its own (its own nonces, as a process has) whose
// requests r.wire watches.
func (r *realOAuth) client() *auth.Client {
	return &auth.Client{Timeout: 20 * time.Second, Resolver: &auth.Resolver{PLCURL: r.plc},
		HTTP: &http.Client{Transport: r.wire, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// manager is a Manager on r's file, as another process would have.
func (r *realOAuth) manager() *accounts.Manager {
	return &accounts.Manager{Store: storage.Open(r.path()), Client: r.client()}
}

// run runs one command line in this process, as the binary would.
func (r *realOAuth) run(app *App, args ...string) result {
	r.t.Helper()
	var stdout, stderr bytes.Buffer
	app.Stdin, app.Stdout, app.Stderr = strings.NewReader(""), &stdout, &stderr
	app.Getenv = func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return r.config
		}
		return ""
	}
	app.ReadSecret = func() (string, error) { r.t.Error("ReadSecret called"); return "", io.EOF }
	app.Manager = r.manager()
	res := result{args: args, code: app.Run(r.ctx, args), stdout: stdout.String(), stderr: stderr.String()}
	r.mu.Lock()
	r.runs = append(r.runs, res)
	r.mu.Unlock()
	r.note()
	return res
}

// saved is the account as the file holds it.
func (r *realOAuth) saved() storage.Account {
	r.t.Helper()
	st, err := storage.Open(r.path()).Load()
	if err != nil {
		r.t.Fatal(err)
	}
	a, ok := st.Account(r.did)
	if !ok {
		r.t.Fatalf("%s is not saved", r.did)
	}
	return *a
}

// note adds the secrets the file holds to those no output may show.
func (r *realOAuth) note(more ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range more {
		r.secrets[s] = true
	}
	st, err := storage.Open(r.path()).Load()
	if err != nil {
		return
	}
	for _, a := range st.Accounts {
		r.secrets[a.AccessJwt], r.secrets[a.RefreshJwt] = true, true
		if a.OAuth != nil {
			r.secrets[a.OAuth.DPoPKey] = true
		}
	}
}

// checkNoSecrets: no output held a token, a DPoP key, a proxy secret or
// the password.
func (r *realOAuth) checkNoSecrets() {
	r.note()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, res := range r.runs {
		out := res.stdout + res.stderr
		for s := range r.secrets {
			if s != "" && strings.Contains(out, s) {
				r.t.Errorf("skyswitch %s printed a secret", commandOf(res.args))
			}
		}
		if strings.Contains(out, r.password) {
			r.t.Errorf("skyswitch %s printed the password", commandOf(res.args))
		}
	}
}

// getSession is the HTTP status getSession gets with d's tokens (DPoP).
func (r *realOAuth) getSession(d auth.SessionData) int {
	r.t.Helper()
	code, err := oauthtest.SessionStatus(r.ctx, r.client(), d)
	if err != nil {
		r.t.Fatalf("getSession: %v", err)
	}
	return code
}

// dueSoon makes the saved access token due for a refresh, as if it had
// been given an hour ago and ended in a minute.
func (r *realOAuth) dueSoon() {
	r.t.Helper()
	err := storage.Open(r.path()).Update(func(st *storage.State) error {
		a, _ := st.Account(r.did)
		o := *a.OAuth
		o.AccessExpiresAt = time.Now().Add(time.Minute)
		a.OAuth = &o
		a.RefreshedAt = time.Now().Add(-59 * time.Minute)
		return nil
	})
	if err != nil {
		r.t.Fatal(err)
	}
}
