package cli

// The commands over an OAuth account on the fake PDS: what they print
// holds no token, no DPoP key and no exec proxy secret, in the file or
// with the keyring; an ended session is exit 4.

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/storage/keyringtest"
)

// oauthSignIn signs handle in through the browser (the fake approving at
// once) with the accounts package, as `login --oauth` does, into e's
// file; k, when not nil, is the keyring.
func (e *cliEnv) oauthSignIn(handle string, k storage.Secrets) storage.Account {
	e.t.Helper()
	ctx := context.Background()
	m := &accounts.Manager{Store: storage.Open(e.path), Client: e.client, Now: e.clock.Now}
	if k != nil {
		m.Store.UseSecrets(k)
	}
	p, err := m.StartOAuth(ctx, auth.OAuthRequest{Service: e.srv.URL(), Identifier: handle, RedirectURI: "http://127.0.0.1:1/callback"})
	if err != nil {
		e.t.Fatalf("StartOAuth: %v", err)
	}
	cb, err := e.srv.ApproveOAuth(p.AuthorizeURL(), p.DID())
	if err != nil {
		e.t.Fatal(err)
	}
	a, err := m.FinishOAuth(ctx, p, cb)
	if err != nil {
		e.t.Fatalf("FinishOAuth: %v", err)
	}
	e.noteTokens()
	return a
}

// Every command an OAuth account goes through (api, refresh, list, status,
// exec with its proxy, logout), with its secrets in the file and in the
// keyring, prints none of them: not its tokens, not its DPoP key, not the
// proxy's secret (which exec gives its command alone, as
// ATP_ACCESS_TOKEN). With the keyring, the accounts file holds none of
// them at any point. (checkNoSecretsPrinted sweeps every run's output for
// every token and key the file or the keyring held.)
func TestCLIOAuthCommandsShowNoSecret(t *testing.T) {
	t.Parallel()
	needTools(t, "sh", "curl")
	for _, where := range []string{"file", "keyring"} {
		t.Run(where, func(t *testing.T) {
			e := newCLIEnv(t, fakepds.Options{})
			alice := e.addAccount("alice.test")
			var k *keyringtest.Keyring
			if where == "keyring" {
				k = keyringtest.New()
			}
			app := func() *App {
				if k == nil {
					return &App{}
				}
				return &App{Keyring: k}
			}
			run := func(a *App, args ...string) result {
				t.Helper()
				r := e.runCLI(a, args...)
				if k != nil {
					e.noteKeyringTokens(k)
					e.wantNoSecretInFile()
				}
				return r
			}
			e.oauthSignIn("alice.test", k)
			if k != nil {
				wantCode(t, run(app(), "secrets", "keyring"), exitOK)
				if k.Len() != 1 {
					t.Fatalf("the keyring holds %d items", k.Len())
				}
			}
			if r := run(app(), "api", nsidGetSession); r.code != exitOK || !strings.Contains(r.stdout, alice.DID) {
				t.Fatalf("api: %s", r)
			}
			before := e.srv.OAuthRefreshes()
			wantCode(t, run(app(), "refresh"), exitOK)
			if e.srv.OAuthRefreshes() != before+1 {
				t.Error("refresh did not refresh")
			}
			for _, args := range [][]string{{"list"}, {"list", "--json"}, {"status"}, {"status", "--json"}} {
				wantCode(t, run(app(), args...), exitOK)
			}

			dir := t.TempDir()
			a := app()
			a.Environ = func() []string { return []string{"PATH=" + os.Getenv("PATH")} }
			r := run(a, "exec", "--", "sh", "-c", `printf %s "$ATP_ACCESS_TOKEN" > "$1/secret"; `+curlGetSession, "sh", dir)
			secret, _ := os.ReadFile(filepath.Join(dir, "secret"))
			e.mu.Lock()
			known := e.tokens[string(secret)]
			e.tokens[string(secret)] = true // the sweep covers it from now on
			e.mu.Unlock()
			if r.code != exitOK || !strings.Contains(r.stdout, alice.DID) || len(secret) < 32 || known {
				t.Fatalf("exec through the proxy (secret %d bytes, a token: %v): %s", len(secret), known, r)
			}

			wantCode(t, run(app(), "logout"), exitOK)
			if n := len(e.srv.OAuthSessions(alice.DID)); n != 0 {
				t.Errorf("%d OAuth sessions live after logout", n)
			}
			if k != nil && k.Len() != 0 {
				t.Errorf("the keyring holds %d items after logout", k.Len())
			}
		})
	}
}

// wantNoSecretInFile: the accounts file holds none of the secrets seen.
func (e *cliEnv) wantNoSecretInFile() {
	e.t.Helper()
	text := e.fileText()
	e.mu.Lock()
	defer e.mu.Unlock()
	for s := range e.tokens {
		if s != "" && strings.Contains(text, s) {
			e.t.Error("the accounts file holds a secret that is in the keyring")
			return
		}
	}
}

// An OAuth session the server ended (its refresh token spent elsewhere:
// invalid_grant) is exit 4, "log in again", for api and refresh alike,
// and stays saved, marked ended.
func TestCLIOAuthEndedSessionExits4(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	alice := e.addAccount("alice.test")
	a := e.oauthSignIn("alice.test", nil)
	copyClient := &auth.Client{Now: e.clock.Now, Resolver: e.client.Resolver}
	if _, err := copyClient.RefreshSession(context.Background(), a.SessionData); err != nil {
		t.Fatalf("the copy's refresh: %v", err)
	}
	e.srv.Inject(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultStatus, Status: 401, Name: "invalid_token", Times: 1}) // the old access token, void
	wantError(t, e.run("", "api", nsidGetSession), exitNoSession, "log in again")
	wantError(t, e.run("", "refresh"), exitNoSession, "log in again")
	if s := e.account(alice.DID); !s.SessionEnded {
		t.Error("the account is not marked ended")
	}
}
