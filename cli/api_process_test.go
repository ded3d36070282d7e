package cli

// Tests of api and exec as the built binary: concurrent processes sharing
// one session, and the signals exec passes on to its command.

import (
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

// Two processes call getSession through `api` 100 times each, with
// 2-second access tokens and no grace period (so a refresh token spent
// twice would end the session), a little apart so that the calls span
// several token lifetimes: refreshes before expiry, and after the
// server's ExpiredToken, race between the two. Every call must succeed
// and the session must survive. (Unlike token's test, nothing is checked
// after a process ends, so the server's clock is the real one.)
func TestProcessConcurrentAPICalls(t *testing.T) {
	t.Parallel()
	srv, alice, p := newAliceProc(t, fakepds.Options{AccessLifetime: 2 * time.Second, Grace: fakepds.NoGrace})
	refreshes := srv.Calls(nsidRefresh)
	start := time.Now()

	const perProcess = 100
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perProcess {
				r := p.run(nil, "api", nsidGetSession)
				var s map[string]any
				if r.code != exitOK || json.Unmarshal([]byte(r.stdout), &s) != nil || s["did"] != alice.DID {
					t.Errorf("worker %d, call %d: exit %d; stdout %q; stderr: %s", w, i, r.code, r.stdout, r.stderr)
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	// Each token lives 2 s at most: the calls needed this many new ones.
	if n, need := srv.Calls(nsidRefresh)-refreshes, int(time.Since(start)/(2*time.Second)); n < max(need, 1) {
		t.Errorf("only %d refreshes in %v of calls with 2-second tokens", n, time.Since(start).Round(time.Millisecond))
	}
	st, err := storage.Open(p.path()).Load()
	if err != nil {
		t.Fatal(err)
	}
	a, ok := st.Account(alice.DID)
	if !ok || a.SessionEnded || a.LastRefreshError != "" {
		t.Fatalf("account saved %v, ended %v, last error %q", ok, a != nil && a.SessionEnded, a.LastRefreshError)
	}
	if !srv.RefreshTokenValid(a.RefreshJwt) || srv.ActiveSessions(alice.DID) != 1 {
		t.Errorf("the session did not survive: refresh token valid %v, %d active sessions", srv.RefreshTokenValid(a.RefreshJwt), srv.ActiveSessions(alice.DID))
	}
	wantCode(t, p.run(nil, "api", nsidGetSession), exitOK)
}

// exec, as a process: the command's output and status, the token in no
// output, and the exit codes of api's failures.
func TestProcessExecAndAPI(t *testing.T) {
	t.Parallel()
	needTools(t, "sh", "curl")
	_, alice, p := newAliceProc(t, fakepds.Options{})
	path := []string{"PATH=" + os.Getenv("PATH")}
	r := p.runEnv(path, nil, "exec", "--", "sh", "-c", curlGetSession+`; echo; exit 3`)
	if r.code != 3 || !strings.Contains(r.stdout, `"did":"`+alice.DID+`"`) {
		t.Errorf("exec curl: %s", r)
	}
	st, err := storage.Open(p.path()).Load()
	if err != nil {
		t.Fatal(err)
	}
	a, _ := st.Account(alice.DID)
	for _, out := range []string{r.stdout, r.stderr} {
		if strings.Contains(out, a.AccessJwt) || strings.Contains(out, a.RefreshJwt) {
			t.Error("exec printed a token")
		}
	}
	wantError(t, p.run(nil, "api", "getSession"), exitUsage, "not an NSID")
	wantError(t, p.run(nil, "api", "-f", "actor=alice.test", "app.bsky.actor.getProfile"), exitFailure, "MethodNotImplemented: Method Not Implemented")
	wantError(t, p.runEnv(path, nil, "exec", "--", "no-such-command-skyswitch"), exitNotFound)
}

// exec pins what it starts to its account: a skyswitch called inside
// `exec --account alice` acts as alice, not as the saved active account
// (bob), and SKYSWITCH_ACCOUNT holds her DID, which stays hers whatever
// the handles become. An `--account` given inside still wins.
func TestProcessExecPinsNestedCalls(t *testing.T) {
	t.Parallel()
	needTools(t, "sh")
	srv, alice, p := newAliceProc(t, fakepds.Options{})
	bob := srv.AddAccount(fakepds.Account{Handle: "bob.test", Email: "bob@example.com", Password: testPassword})
	p.login("bob.test") // the saved active account now
	didOf := func(r result) string {
		t.Helper()
		var s struct{ DID string }
		if r.code != exitOK || json.Unmarshal([]byte(r.stdout), &s) != nil {
			t.Fatalf("getSession: %s", r)
		}
		return s.DID
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "BIN=" + p.bin}
	if got := didOf(p.runEnv(env, nil, "exec", "--account", "alice.test", "--", "sh", "-c", `"$BIN" api `+nsidGetSession)); got != alice.DID {
		t.Errorf("a call inside exec --account alice.test acted as %s (bob is %s), not as alice (%s)", got, bob.DID, alice.DID)
	}
	r := p.runEnv(env, nil, "exec", "--account", "alice.test", "--", "sh", "-c", `printf '%s|%s' "$SKYSWITCH_ACCOUNT" "$ATP_DID"`)
	if want := alice.DID + "|" + alice.DID; r.code != exitOK || r.stdout != want {
		t.Errorf("exec's pin: got %q, want %q (%s)", r.stdout, want, r)
	}
	// A shell pinned by handle hands its command the DID; no pin at all
	// hands it the saved active account's.
	r = p.runEnv(append(env, envAccount+"=alice.test"), nil, "exec", "--", "sh", "-c", `printf %s "$SKYSWITCH_ACCOUNT"`)
	if r.code != exitOK || r.stdout != alice.DID {
		t.Errorf("exec in a shell pinned to alice.test: SKYSWITCH_ACCOUNT=%q, want %q", r.stdout, alice.DID)
	}
	if got := didOf(p.runEnv(env, nil, "exec", "--", "sh", "-c", `"$BIN" api `+nsidGetSession)); got != bob.DID {
		t.Errorf("a call inside a plain exec acted as %s, not as the active bob (%s)", got, bob.DID)
	}
	if got := didOf(p.runEnv(env, nil, "exec", "--account", "alice.test", "--", "sh", "-c", `"$BIN" --account bob.test api `+nsidGetSession)); got != bob.DID {
		t.Errorf("--account bob.test inside exec --account alice.test acted as %s", got)
	}
}
