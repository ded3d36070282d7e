package cli

// Tests of `skyswitch exec`, run as command functions against the fake PDS;
// the command it runs is sh, and curl calls the server with the token.

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// curlGetSession is a shell command calling getSession with exec's
// variables, as a script would.
const curlGetSession = `curl -sS --noproxy '*' -H "Authorization: Bearer $ATP_ACCESS_TOKEN" "$ATP_PDS_URL/xrpc/com.atproto.server.getSession"`

func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("CI must run this test: %s is not on PATH", tool)
			}
			t.Skipf("%s is not on PATH", tool)
		}
	}
}

// runWith runs a command line with this process environment for exec.
func (e *cliEnv) runWith(environ []string, args ...string) result {
	e.t.Helper()
	return e.runCLI(&App{Environ: func() []string { return environ }}, args...)
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestExecCurl(t *testing.T) {
	t.Parallel()
	needTools(t, "sh", "curl")
	e := newCLIEnv(t, fakepds.Options{})
	alice := e.addAccount("alice.test")
	e.login("alice.test")
	r := e.runWith(nil, "exec", "--", "sh", "-c", curlGetSession)
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, `"handle":"alice.test"`) || !strings.Contains(r.stdout, alice.DID) {
		t.Errorf("curl with exec's token:\n%s", r)
	}
	// The other variables, and the rest of the environment passed on; the
	// same names in it are replaced.
	r = e.runWith([]string{"KEEP=kept", "ATP_ACCESS_TOKEN=stale", "ATP_DID=did:plc:stale"},
		"exec", "sh", "-c", `printf '%s|%s|%s|%s|' "$KEEP" "$ATP_HANDLE" "$ATP_DID" "$ATP_PDS_URL"; printf %s "$ATP_ACCESS_TOKEN" | sha256sum`)
	wantCode(t, r, exitOK)
	a := e.account(alice.DID)
	want := "kept|alice.test|" + alice.DID + "|" + a.Endpoint() + "|" + sha(a.AccessJwt)
	if !strings.HasPrefix(r.stdout, want) {
		t.Errorf("the environment: got %q, want %q…", r.stdout, want)
	}
}

// The token has at least 10 minutes left: refreshed first when it has
// less, and not when it has more.
func TestExecTokenLastsTenMinutes(t *testing.T) {
	t.Parallel()
	needTools(t, "sh", "sha256sum")
	e := newCLIEnv(t, fakepds.Options{})
	alice := e.addAccount("alice.test")
	e.login("alice.test")
	hashOf := func() string {
		r := e.runWith(nil, "exec", "--", "sh", "-c", `printf %s "$ATP_ACCESS_TOKEN" | sha256sum`)
		wantCode(t, r, exitOK)
		return strings.Fields(r.stdout)[0]
	}
	refreshes := e.srv.Calls(nsidRefresh)
	if got := hashOf(); got != sha(e.account(alice.DID).AccessJwt) || e.srv.Calls(nsidRefresh) != refreshes {
		t.Error("a fresh token was not passed as it is")
	}
	old := e.account(alice.DID).AccessJwt
	e.clock.Set(e.clock.Now().Add(fakepds.DefaultAccessLifetime - 9*time.Minute))
	got := hashOf()
	a := e.account(alice.DID)
	if e.srv.Calls(nsidRefresh) != refreshes+1 || a.AccessJwt == old || got != sha(a.AccessJwt) || !e.srv.AccessTokenValid(a.AccessJwt) {
		t.Errorf("a token with 9 minutes left: %d refreshes, passed the new one: %v", e.srv.Calls(nsidRefresh)-refreshes, got == sha(a.AccessJwt))
	}
}

func TestExecExitStatus(t *testing.T) {
	t.Parallel()
	needTools(t, "sh")
	e := newCLIEnv(t, fakepds.Options{})
	alice := e.addAccount("alice.test")
	e.login("alice.test")
	// The command's status, and nothing printed of skyswitch's own.
	r := e.runWith(nil, "exec", "--", "sh", "-c", "echo out; echo err >&2; exit 7")
	if r.code != 7 || r.stdout != "out\n" || r.stderr != "err\n" {
		t.Errorf("exit 7: %s", r)
	}
	// Killed by a signal: 128+n, as shells say.
	if r := e.runWith(nil, "exec", "--", "sh", "-c", "kill -TERM $$"); r.code != 128+15 || r.stderr != "" {
		t.Errorf("killed by SIGTERM: %s", r)
	}
	// Flags after the command are its own.
	if r := e.runWith(nil, "exec", "sh", "-c", "echo $0 $1", "--account", "x"); r.code != exitOK || r.stdout != "--account x\n" {
		t.Errorf("the command's flags: %s", r)
	}
	wantError(t, e.runWith(nil, "exec", "--", "no-such-command-skyswitch"), exitNotFound, "command not found")
	// A path that names nothing is not found either, as in a shell.
	wantError(t, e.runWith(nil, "exec", "--", "./no-such-file-skyswitch"), exitNotFound, "not found")
	wantError(t, e.runWith(nil, "exec", "--", filepath.Join(t.TempDir(), "missing")), exitNotFound, "not found")
	notExec := filepath.Join(t.TempDir(), "script")
	os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o600)
	wantError(t, e.runWith(nil, "exec", "--", notExec), exitCannotRun)
	wantError(t, e.runWith(nil, "exec"), exitUsage, "name the command")
	wantError(t, e.runWith(nil, "exec", "--"), exitUsage, "name the command")

	// An ended session: exit 4, and the command is not run.
	marker := filepath.Join(t.TempDir(), "ran")
	e.revoke(e.account(alice.DID).RefreshJwt)
	e.clock.Set(e.clock.Now().Add(3 * time.Hour))
	wantError(t, e.runWith(nil, "exec", "--", "touch", marker), exitNoSession)
	wantError(t, e.runWith(nil, "exec", "--account", "nobody.test", "--", "touch", marker), exitNoSession, "--account")
	if _, err := os.Stat(marker); !os.IsNotExist(err) {
		t.Errorf("the command ran without a session: %v", err)
	}
}

// A run whose context ends (not by a signal) does not wait for its
// command forever.
func TestExecDeadlineKillsTheCommand(t *testing.T) {
	t.Parallel()
	needTools(t, "sleep")
	e := newCLIEnv(t, fakepds.Options{})
	e.addAccount("alice.test")
	e.login("alice.test")
	e.deadline = 2 * time.Second
	start := time.Now()
	r := e.runWith(nil, "exec", "--", "sleep", "60")
	if r.code != 128+9 || time.Since(start) > 30*time.Second {
		t.Errorf("exec past its deadline: %s", r)
	}
}

// envSignalCounter makes the test binary, run as exec's command, count the
// SIGINTs it gets (see countSignals) instead of running the tests.
const envSignalCounter = "SKYSWITCH_TEST_COUNT_SIGINT_UNTIL"

// countSignals prints "ready", then "got-int-N" for each SIGINT as it
// comes (so that two close together are two, unlike in a shell's trap),
// and when the file stop exists "done-N", and exits 7.
func countSignals(stop string) int {
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, os.Interrupt)
	fmt.Println("ready")
	n := 0
	for {
		select {
		case <-sigs:
			n++
			fmt.Printf("got-int-%d\n", n)
		case <-time.After(50 * time.Millisecond):
			if _, err := os.Stat(stop); err == nil {
				fmt.Printf("done-%d\n", n)
				return 7
			}
		}
	}
}
