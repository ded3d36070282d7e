package cli

// Tests of the built binary, as scripts run it: separate processes sharing
// one accounts file, against the fake PDS running in the test process.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

var (
	binOnce sync.Once
	binDir  string // removed by TestMain
	binPath string
	binErr  error
)

func TestMain(m *testing.M) {
	if os.Getenv(envSignalCounter) != "" {
		os.Exit(countSignals(os.Getenv(envSignalCounter)))
	}
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// skyswitchBinary builds the command once per test run, without -race
// (the processes only need to be skyswitch; the race detector would make
// each one several times slower).
func skyswitchBinary(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH: cannot build the skyswitch binary for the process tests")
	}
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "skyswitch-bin-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "skyswitch")
		cmd := exec.Command(goTool, "build", "-o", binPath, "github.com/skyswitch/skyswitch")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out.String())
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// procEnv runs the binary with its own config folder and a minimal
// environment. Proxies point at a closed loopback port, so a request to
// anything but loopback (which Go never proxies) fails at once.
type procEnv struct {
	t      *testing.T
	bin    string
	config string
	srv    *fakepds.Server
}

func newProcEnv(t *testing.T, srv *fakepds.Server) *procEnv {
	return &procEnv{t: t, bin: skyswitchBinary(t), config: t.TempDir(), srv: srv}
}

func (p *procEnv) environ() []string {
	return []string{
		"XDG_CONFIG_HOME=" + p.config,
		"HOME=" + p.config,
		"HTTP_PROXY=http://127.0.0.1:9",
		"HTTPS_PROXY=http://127.0.0.1:9",
		"LANG=C",
	}
}

// run runs the binary; stdin nil means /dev/null. A command that has not
// ended after 60 s is killed and fails the test (a hang, not a timing).
func (p *procEnv) run(stdin io.Reader, args ...string) result {
	p.t.Helper()
	return p.runEnv(nil, stdin, args...)
}

// runEnv is run with more environment variables (later ones win).
func (p *procEnv) runEnv(extra []string, stdin io.Reader, args ...string) result {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, p.bin, args...)
	cmd.Env = append(p.environ(), extra...)
	cmd.Dir = p.config
	cmd.Stdin = stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{args: args, stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		p.t.Errorf("skyswitch %s did not end within 60 s", strings.Join(args, " "))
		r.code = -1
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil: // Errorf, not Fatalf: run is called from other goroutines
		p.t.Errorf("running skyswitch: %v", err)
		r.code = -1
	}
	return r
}

func (p *procEnv) path() string { return filepath.Join(p.config, "skyswitch", "accounts.json") }

func (p *procEnv) login(handle string) {
	p.t.Helper()
	r := p.run(strings.NewReader(testPassword+"\n"), "login", "--service", p.srv.URL(), "--identifier", handle, "--password-stdin")
	wantCode(p.t, r, exitOK)
}

// newProcServer is a fake PDS that puts the DID document in its session
// answers, so the binary (which uses the public PLC directory) never needs
// to resolve anything.
func newProcServer(t *testing.T, opts fakepds.Options) *fakepds.Server {
	opts.IncludeDIDDoc = true
	srv := fakepds.New(opts)
	t.Cleanup(srv.Close)
	return srv
}

// newAliceProc is newProcServer with alice.test on it, and a procEnv in
// which she is logged in.
func newAliceProc(t *testing.T, opts fakepds.Options) (*fakepds.Server, fakepds.Account, *procEnv) {
	t.Helper()
	srv := newProcServer(t, opts)
	alice := srv.AddAccount(fakepds.Account{Handle: "alice.test", Email: "alice@example.com", Password: testPassword})
	p := newProcEnv(t, srv)
	p.login("alice.test")
	return srv, alice, p
}

func TestProcessExitCodes(t *testing.T) {
	t.Parallel()
	srv := newProcServer(t, fakepds.Options{})
	alice := srv.AddAccount(fakepds.Account{Handle: "alice.test", Email: "alice@example.com", Password: testPassword})
	carol := srv.AddAccount(fakepds.Account{Handle: "carol.test", Email: "carol@example.com", Password: testPassword, EmailAuthFactor: true})
	p := newProcEnv(t, srv)

	r := p.run(nil, "--version")
	wantCode(t, r, exitOK)
	if r.stdout != "skyswitch dev\n" {
		t.Errorf("%s", r)
	}
	wantCode(t, p.run(nil, "--help"), exitOK)
	wantError(t, p.run(nil, "nope"), exitUsage, "unknown command")
	wantError(t, p.run(nil, "list", "--nope"), exitUsage)
	wantError(t, p.run(nil, "token"), exitNoSession, "no active account")
	wantError(t, p.run(nil, "status"), exitNoSession, "no active account")
	if r := p.run(nil, "list", "--json"); r.code != exitOK || strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("%s", r)
	}

	// No terminal and nothing on stdin: login without --password-stdin
	// refuses at once instead of waiting for a password.
	wantError(t, p.run(nil, "login", "--service", srv.URL(), "--identifier", "alice.test"), exitUsage, "--password-stdin")
	wantError(t, p.run(nil, "login", "--service", srv.URL()), exitUsage, "--identifier")
	wantError(t, p.run(nil, "login", "--service", srv.URL(), "--identifier", "alice.test", "--password-stdin"), exitUsage, "empty")
	if n := srv.Calls(nsidCreate); n != 0 {
		t.Errorf("%d logins reached the server", n)
	}

	wantError(t, p.run(strings.NewReader("wrong password\n"), "login", "--service", srv.URL(), "--identifier", "alice.test", "--password-stdin"),
		exitFailure, "wrong identifier or password")
	wantError(t, p.run(strings.NewReader(testPassword+"\n"), "login", "--service", srv.URL(), "--identifier", "carol.test", "--password-stdin"),
		exitNeedsCode, "--auth-factor-token")
	wantCode(t, p.run(strings.NewReader(testPassword+"\n"), "login", "--service", srv.URL(), "--identifier", "carol.test", "--password-stdin",
		"--auth-factor-token", strings.ToLower(srv.SignInCode(carol.DID))), exitOK)
	p.login("alice.test")

	r = p.run(nil, "token")
	wantCode(t, r, exitOK)
	if tok := strings.TrimSpace(r.stdout); !srv.AccessTokenValid(tok) || r.stdout != tok+"\n" {
		t.Error("token did not print one valid access token")
	}
	wantCode(t, p.run(nil, "status"), exitOK)
	wantCode(t, p.run(nil, "switch", "-"), exitOK)
	if r := p.run(nil, "status", "--json"); r.code != exitOK || !strings.Contains(r.stdout, `"handle": "carol.test"`) {
		t.Errorf("%s", r)
	}
	wantError(t, p.run(nil, "token", "nobody.test"), exitNoSession)
	wantCode(t, p.run(nil, "refresh", "--all"), exitOK)
	wantCode(t, p.run(nil, "logout", "alice.test"), exitOK)
	wantCode(t, p.run(nil, "logout"), exitOK)
	wantError(t, p.run(nil, "token"), exitNoSession)
	if n := srv.ActiveSessions(alice.DID) + srv.ActiveSessions(carol.DID); n != 0 {
		t.Errorf("%d sessions still active on the server after logout", n)
	}
	fi, err := os.Stat(p.path())
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("accounts file: %v %v", fi, err)
	}
}

// Two processes ask for the same account's token 100 times each, with
// 2-second access tokens (so every call refreshes) and no grace period (so
// spending a rotated refresh token twice would end the session). Every
// printed token must be accepted by the server, and the session must
// survive.
func TestProcessConcurrentTokenRefresh(t *testing.T) {
	t.Parallel()
	// Tokens live 2 s of the server's time, which runs at a quarter of real
	// speed: every call still refreshes (the tokens are always under a
	// minute), while a printed token stays valid long enough to be checked
	// after its process exits, however loaded the machine. Whole-second iat
	// left a "2 s" token as little as 1 s of real life.
	start := time.Now()
	slow := func() time.Time { return start.Add(time.Since(start) / 4) }
	srv, alice, p := newAliceProc(t, fakepds.Options{AccessLifetime: 2 * time.Second, Grace: fakepds.NoGrace, Now: slow})
	refreshes := srv.Calls(nsidRefresh)

	const perProcess = 100
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perProcess {
				r := p.run(nil, "token")
				tok := strings.TrimSpace(r.stdout)
				if r.code != exitOK || r.stdout != tok+"\n" || !srv.AccessTokenValid(tok) {
					// Never log the token itself.
					t.Errorf("worker %d, call %d: exit %d, %d bytes on stdout, accepted by the server: %v; stderr: %s",
						w, i, r.code, len(r.stdout), srv.AccessTokenValid(tok), r.stderr)
					return
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	if n := srv.Calls(nsidRefresh) - refreshes; n < perProcess {
		t.Errorf("only %d refreshes for %d calls of 2-second tokens", n, 2*perProcess)
	}
	r := p.run(nil, "token")
	wantCode(t, r, exitOK)
	if !srv.AccessTokenValid(strings.TrimSpace(r.stdout)) {
		t.Error("the last token is not valid")
	}
	st, err := storage.Open(p.path()).Load()
	if err != nil {
		t.Fatal(err)
	}
	a, ok := st.Account(alice.DID)
	if !ok || a.SessionEnded || a.LastRefreshError != "" {
		t.Fatalf("account saved %v, ended %v, last error %q", ok, a != nil && a.SessionEnded, a.LastRefreshError)
	}
	if !srv.RefreshTokenValid(a.RefreshJwt) {
		t.Error("the saved refresh token is no longer valid on the server")
	}
	if n := srv.ActiveSessions(alice.DID); n != 1 {
		t.Errorf("%d active sessions on the server, want 1", n)
	}
}
