package cli

// Tests of the script commands, run as command functions: a cli with
// buffers for its streams, a temp accounts file and the in-process fake PDS.
// Every request goes through a guard that refuses anything but loopback and
// counts what was sent, so "no network" is asserted, not assumed.
//
// Each test also checks, when it ends, that no command printed a stored
// token (except `token` on its stdout) or a password.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

// version is the version the tests give the App, and the binary's when
// built without -ldflags.
const version = "dev"

// testPassword is the password of every fake account.
const testPassword = "correct horse battery staple"

const (
	nsidCreate  = "com.atproto.server.createSession"
	nsidRefresh = "com.atproto.server.refreshSession"
	nsidDelete  = "com.atproto.server.deleteSession"
)

// testClock is a settable clock shared by the fake server, the manager and
// the cli, so token lifetimes can pass without sleeping.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// netGuard is the HTTP transport of the tests: it counts requests and
// refuses any host that is not a loopback IP address.
type netGuard struct {
	base *http.Transport
	mu   sync.Mutex
	n    int
}

func (g *netGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if ip := net.ParseIP(req.URL.Hostname()); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("test guard: refusing a request to the non-loopback host %q", req.URL.Hostname())
	}
	g.mu.Lock()
	g.n++
	g.mu.Unlock()
	return g.base.RoundTrip(req)
}

func (g *netGuard) requests() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.n
}

// cliEnv is one test's world: a fake PDS, a config folder, a clock.
type cliEnv struct {
	t      *testing.T
	srv    *fakepds.Server
	clock  *testClock
	config string // XDG_CONFIG_HOME
	path   string // the accounts file
	guard  *netGuard
	client *auth.Client
	// deadline bounds each command; 0 means 30 s.
	deadline time.Duration
	// handles, when set, looks handles up for every run's manager (a
	// stand-in resolver); nil makes none.
	handles auth.HandleResolver

	mu        sync.Mutex
	runs      []result
	tokens    map[string]bool // every token ever seen in the accounts file
	passwords []string
}

// result is what one command did.
type result struct {
	args           []string
	code           int
	stdout, stderr string
}

func (r result) String() string {
	out := r.stdout
	if commandOf(r.args) == "token" {
		out = fmt.Sprintf("<%d bytes, not shown>", len(out))
	}
	return fmt.Sprintf("skyswitch %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(r.args, " "), r.code, out, r.stderr)
}

func newCLIEnv(t *testing.T, opts fakepds.Options) *cliEnv {
	t.Helper()
	clock := &testClock{t: time.Now().Truncate(time.Second)}
	if opts.Now == nil {
		opts.Now = clock.Now
	}
	srv := fakepds.New(opts)
	t.Cleanup(srv.Close)
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.Proxy = nil
	t.Cleanup(base.CloseIdleConnections)
	guard := &netGuard{base: base}
	config := t.TempDir()
	e := &cliEnv{
		t: t, srv: srv, clock: clock, config: config, guard: guard,
		path:   filepath.Join(config, "skyswitch", "accounts.json"),
		tokens: map[string]bool{},
		client: &auth.Client{
			HTTP: &http.Client{
				Transport:     guard,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			},
			Now: clock.Now,
			Resolver: &auth.Resolver{
				PLCURL: srv.URL(),
				HTTP:   &http.Client{Transport: guard, Timeout: 10 * time.Second},
				LookupTXT: func(context.Context, string) ([]string, error) {
					return nil, errors.New("test guard: no DNS")
				},
			},
		},
		passwords: []string{testPassword},
	}
	t.Cleanup(e.checkNoSecretsPrinted)
	return e
}

// addAccount adds handle to the fake server with testPassword.
func (e *cliEnv) addAccount(handle string) fakepds.Account {
	name, _, _ := strings.Cut(handle, ".")
	return e.srv.AddAccount(fakepds.Account{Handle: handle, Email: name + "@example.com", Password: testPassword, EmailConfirmed: true})
}

// run runs one command line non-interactively with stdin.
func (e *cliEnv) run(stdin string, args ...string) result {
	return e.runCLI(&App{Stdin: strings.NewReader(stdin)}, args...)
}

// runCLI runs one command line with a, whose streams, clock, version and
// manager it sets (Stdin and ReadSecret only when a left them nil). Each
// run gets its own Manager over the same file, as separate processes
// would.
func (e *cliEnv) runCLI(a *App, args ...string) result {
	e.t.Helper()
	var stdout, stderr bytes.Buffer
	a.Stdout, a.Stderr = &stdout, &stderr
	a.Version = version
	if a.Stdin == nil {
		a.Stdin = strings.NewReader("")
	}
	getenv := a.Getenv // a test's own variables, if it set any
	a.Getenv = func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return e.config
		}
		if getenv != nil {
			return getenv(k)
		}
		return ""
	}
	if a.ReadSecret == nil {
		a.ReadSecret = func() (string, error) {
			e.t.Error("ReadSecret called in a non-interactive run")
			return "", io.EOF
		}
	}
	a.Now = e.clock.Now
	a.Manager = &accounts.Manager{Store: storage.Open(e.path), Client: e.client, Now: e.clock.Now, Handles: e.handles}
	deadline := e.deadline
	if deadline == 0 {
		deadline = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	code := a.Run(ctx, args)
	r := result{args: args, code: code, stdout: stdout.String(), stderr: stderr.String()}
	e.mu.Lock()
	e.runs = append(e.runs, r)
	e.mu.Unlock()
	e.noteTokens()
	return r
}

// noteTokens remembers every token (and OAuth session's DPoP key) in the
// accounts file, for the leak check.
func (e *cliEnv) noteTokens() {
	st, err := storage.Open(e.path).Load()
	if err != nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	add := func(d auth.SessionData) {
		secrets := []string{d.AccessJwt, d.RefreshJwt}
		if d.OAuth != nil {
			secrets = append(secrets, d.OAuth.DPoPKey) // no output may show it either
		}
		for _, tok := range secrets {
			if tok != "" {
				e.tokens[tok] = true
			}
		}
	}
	for _, a := range st.Accounts {
		add(a.SessionData)
	}
	for _, p := range st.PendingLogouts {
		add(p.Session)
	}
}

// checkNoSecretsPrinted: no command printed a stored token, except `token`
// on its stdout, and none printed a password. It never logs a secret.
func (e *cliEnv) checkNoSecretsPrinted() {
	e.noteTokens()
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range e.runs {
		cmd := strings.Join(r.args, " ")
		for tok := range e.tokens {
			if tok != "" {
				cmd = strings.ReplaceAll(cmd, tok, "(a stored token)") // a test may pass one in -H
			}
		}
		for tok := range e.tokens {
			if strings.Contains(r.stderr, tok) {
				e.t.Errorf("skyswitch %s: a stored token appears on stderr", cmd)
			}
			if strings.Contains(r.stdout, tok) && commandOf(r.args) != "token" {
				e.t.Errorf("skyswitch %s: a stored token appears on stdout", cmd)
			}
		}
		for _, pw := range e.passwords {
			if strings.Contains(r.stdout+r.stderr, pw) {
				e.t.Errorf("skyswitch %s: a password appears in the output", cmd)
			}
		}
	}
}

// login logs ident in through the command, with --password-stdin.
func (e *cliEnv) login(ident string) result {
	e.t.Helper()
	r := e.run(testPassword+"\n", "login", "--service", e.srv.URL(), "--identifier", ident, "--password-stdin")
	wantCode(e.t, r, exitOK)
	return r
}

// state loads the accounts file.
func (e *cliEnv) state() *storage.State {
	e.t.Helper()
	st, err := storage.Open(e.path).Load()
	if err != nil {
		e.t.Fatalf("loading the accounts file: %v", err)
	}
	return st
}

// account is the saved account with this DID.
func (e *cliEnv) account(did string) storage.Account {
	e.t.Helper()
	a, ok := e.state().Account(did)
	if !ok {
		e.t.Fatalf("%s is not saved", did)
	}
	return *a
}

// listJSON runs `list --json` and decodes it.
func (e *cliEnv) listJSON() []map[string]any {
	e.t.Helper()
	r := e.run("", "list", "--json")
	wantCode(e.t, r, exitOK)
	var out []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		e.t.Fatalf("list --json is not a JSON array of objects: %v\n%s", err, r.stdout)
	}
	return out
}

// revoke revokes a refresh token on the server, as another device logging
// the session out would.
func (e *cliEnv) revoke(refreshJwt string) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL()+"/xrpc/"+nsidDelete, nil)
	req.Header.Set("Authorization", "Bearer "+refreshJwt)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || e.srv.RefreshTokenValid(refreshJwt) {
		e.t.Fatalf("revoking on the server: HTTP %d", resp.StatusCode)
	}
}

func wantCode(t *testing.T, r result, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("want exit %d, got %s", code, r)
	}
}

// wantError checks a failed command: the exit code, nothing on stdout, and
// stderr ending in exactly one error line "skyswitch: <one sentence>" that
// contains every want (case-insensitively).
func wantError(t *testing.T, r result, code int, want ...string) {
	t.Helper()
	wantCode(t, r, code)
	if r.stdout != "" && code != exitUsage && commandOf(r.args) != "status" { // status shows an ended session, then fails
		t.Errorf("stdout of a failed command is not empty:\n%s", r)
	}
	if !strings.HasSuffix(r.stderr, "\n") {
		t.Fatalf("stderr does not end in a line:\n%s", r)
	}
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	last := lines[len(lines)-1]
	if code == exitUsage && strings.HasPrefix(last, "Run 'skyswitch") && len(lines) > 1 {
		// A usage error's hint follows it: "Did you mean this?", then
		// where the usage is.
		hint := 1
		if strings.HasPrefix(lines[len(lines)-2], "Did you mean this? ") {
			hint = 2
		}
		last = lines[len(lines)-1-hint]
	}
	msg, ok := strings.CutPrefix(last, "skyswitch: ")
	if !ok || strings.TrimSpace(msg) == "" {
		t.Errorf("the last line of stderr is not a \"skyswitch: \" error:\n%s", r)
	}
	n := 0
	for _, l := range lines {
		if strings.HasPrefix(l, "skyswitch: ") && !strings.HasPrefix(l, "skyswitch: note:") {
			n++
		}
	}
	if n != 1 && !(len(r.args) > 1 && slices.Contains(r.args, "--all")) {
		t.Errorf("want one error line, got %d:\n%s", n, r)
	}
	for _, w := range want {
		if !strings.Contains(strings.ToLower(msg), strings.ToLower(w)) {
			t.Errorf("error %q does not say %q", msg, w)
		}
	}
}

// --- help, version, usage -------------------------------------------------

func TestCLIHelpAndVersion(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		r := e.run("", args...)
		wantCode(t, r, exitOK)
		for _, cmd := range table() {
			if line := "skyswitch " + cmd.name; !strings.Contains(r.stdout, line+" ") && !strings.Contains(r.stdout, line+"\n") {
				t.Errorf("%v: usage does not show %q:\n%s", args, cmd.name, r.stdout)
			}
		}
		if !strings.Contains(r.stdout, "Exit codes: 0 ok, 1 failure, 2 usage, 3 sign-in code required") || r.stderr != "" {
			t.Errorf("%v: %s", args, r)
		}
	}
	for _, args := range [][]string{{"--version"}, {"-v"}, {"version"}} {
		r := e.run("", args...)
		wantCode(t, r, exitOK)
		if r.stdout != "skyswitch "+version+"\n" || r.stderr != "" {
			t.Errorf("%v: %s", args, r)
		}
	}
	// A command's --help, -h and "help <command>" show its flags on
	// stdout, the same, and succeed.
	for _, cmd := range table() {
		r := e.run("", cmd.name, "--help")
		wantCode(t, r, exitOK)
		// Its first line names the command, with no space left at its end
		// (move-aside and man take no arguments).
		first, _, _ := strings.Cut(r.stdout, "\n")
		if !strings.HasPrefix(first+" ", "Usage: skyswitch "+cmd.name+" ") || strings.TrimSpace(first) != first || r.stderr != "" {
			t.Errorf("%s --help: %q: %s", cmd.name, first, r)
		}
		for _, args := range [][]string{{cmd.name, "-h"}, {"help", cmd.name}} {
			if o := e.run("", args...); o.code != exitOK || o.stdout != r.stdout || o.stderr != "" {
				t.Errorf("%v is not %s --help: %s", args, cmd.name, o)
			}
		}
		// Every flag of the table, its one-letter form first, GNU style.
		for _, f := range cmd.cmdFlags() {
			want := "\n      --" + f.long
			if f.short != "" {
				want = "\n  -" + f.short + ", --" + f.long
			}
			if !slices.ContainsFunc([]string{" ", "\n"}, func(end string) bool { return strings.Contains(r.stdout, want+end) }) {
				t.Errorf("%s --help does not list %q:\n%s", cmd.name, want[1:], r.stdout)
			}
		}
	}
	if e.guard.requests() != 0 {
		t.Errorf("help and version made %d requests", e.guard.requests())
	}
	if _, err := os.Stat(e.path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("help created the accounts file: %v", err)
	}
}

func TestCLIUsageErrors(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	alice := e.addAccount("alice.test")
	e.login("alice.test")
	before, _ := os.ReadFile(e.path)
	calls := e.guard.requests()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"nope"}, `unknown command "nope"`},
		{[]string{"--nope"}, `unknown command "--nope"`},
		{[]string{"list", "--bogus"}, "unknown flag"},
		{[]string{"list", "extra"}, "too many arguments"},
		{[]string{"status", "--json=maybe"}, "invalid boolean value"},
		{[]string{"status", "alice.test", "bob.test"}, "too many arguments"},
		{[]string{"token", "--all"}, "unknown flag"},
		{[]string{"token", "alice.test", "bob.test"}, "too many arguments"},
		{[]string{"switch"}, "name the account"},
		{[]string{"switch", "alice.test", "-"}, "too many arguments"},
		{[]string{"refresh", "--all", "alice.test"}, "not both"},
		{[]string{"refresh", "a", "b"}, "too many arguments"},
		{[]string{"logout", "--all", alice.DID}, "not both"},
		{[]string{"logout", "--everything"}, "unknown flag"},
		{[]string{"login", "--identifier"}, "flag needs an argument"},
		{[]string{"login", "--identifier", "alice.test", "--password-stdin", "extra"}, "too many arguments"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := e.run(testPassword+"\n", tc.args...)
			wantError(t, r, exitUsage, tc.want)
			if n := strings.Count(r.stderr, tc.want); n != 1 {
				t.Errorf("the error is printed %d times:\n%s", n, r)
			}
			if hint := "\nRun 'skyswitch " + tc.args[0] + " --help' for usage.\n"; strings.Contains(tc.want, "flag") && !strings.HasSuffix(r.stderr, hint) {
				t.Errorf("a bad flag does not end with %q:\n%s", hint, r)
			}
			if strings.Contains(r.stderr, "Usage:") {
				t.Errorf("a usage error dumps the usage:\n%s", r)
			}
		})
	}
	if n := e.guard.requests() - calls; n != 0 {
		t.Errorf("usage errors made %d requests", n)
	}
	if after, _ := os.ReadFile(e.path); !bytes.Equal(before, after) {
		t.Error("a usage error changed the accounts file")
	}
	// An unknown command is one line and a hint on stderr, not the usage.
	if r := e.run("", "nope"); r.stderr != "skyswitch: unknown command \"nope\"\nRun 'skyswitch --help' for usage.\n" || r.stdout != "" {
		t.Errorf("unknown command: %s", r)
	}
}

// --- login ------------------------------------------------------------------

func TestCLILoginPasswordStdin(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	alice := e.addAccount("alice.test")
	for _, tc := range []struct{ name, stdin string }{
		{"LF", testPassword + "\n"},
		{"CRLF", testPassword + "\r\n"},
		{"no newline", testPassword},
		{"only the first line", testPassword + "\nsomething else\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.run(tc.stdin, "login", "--service", e.srv.URL(), "--identifier", "@Alice.Test", "--password-stdin")
			wantCode(t, r, exitOK)
			if r.stdout != "" || !strings.Contains(r.stderr, "Logged in as @alice.test ("+alice.DID+")") {
				t.Errorf("%s", r)
			}
			st := e.state()
			a, ok := st.ActiveAccount()
			if !ok || a.DID != alice.DID || len(st.Accounts) != 1 {
				t.Fatalf("after login: active %q, %d accounts", st.Active, len(st.Accounts))
			}
			if !e.srv.AccessTokenValid(a.AccessJwt) || !e.srv.RefreshTokenValid(a.RefreshJwt) {
				t.Error("the saved tokens are not valid on the server")
			}
			if a.Service != e.srv.URL() || a.PDSURL != e.srv.URL() || a.Handle != "alice.test" {
				t.Errorf("saved service %q pds %q handle %q", a.Service, a.PDSURL, a.Handle)
			}
		})
	}
	// The main password gives full access: the login says so.
	if r := e.login("alice.test"); !strings.Contains(r.stderr, "full account access") {
		t.Errorf("no full-access note: %s", r)
	}
	for _, path := range []string{e.path, filepath.Dir(e.path)} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		want := os.FileMode(0o600)
		if fi.IsDir() {
			want = 0o700
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s has mode %v, want %v", path, fi.Mode().Perm(), want)
		}
	}
	if raw, _ := os.ReadFile(e.path); bytes.Contains(raw, []byte(testPassword)) {
		t.Error("the password is in the accounts file")
	}
}

func TestCLILoginAppPasswordAndAgain(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	alice := e.addAccount("alice.test")
	bob := e.addAccount("bob.test")
	appPw, err := e.srv.CreateAppPassword(alice.DID, "skyswitch", false)
	if err != nil {
		t.Fatal(err)
	}
	e.passwords = append(e.passwords, appPw)
	r := e.run(appPw+"\n", "login", "--service", e.srv.URL(), "--identifier", "alice@example.com", "--password-stdin")
	wantCode(t, r, exitOK)
	if strings.Contains(r.stderr, "full account access") {
		t.Errorf("app-password login warned about full access: %s", r)
	}
	first := e.account(alice.DID)
	e.login("bob.test")
	e.clock.Set(e.clock.Now().Add(time.Minute))
	// Logging in again replaces the session, keeps one entry and its
	// AddedAt, and makes the account active (bob becomes the previous).
	e.login(alice.DID)
	st := e.state()
	if len(st.Accounts) != 2 || st.Active != alice.DID || st.Previous != bob.DID {
		t.Fatalf("accounts %d, active %s, previous %s", len(st.Accounts), st.Active, st.Previous)
	}
	again := e.account(alice.DID)
	if again.RefreshJwt == first.RefreshJwt || !again.AddedAt.Equal(first.AddedAt) {
		t.Errorf("login again: refresh token replaced %v, AddedAt kept %v", again.RefreshJwt != first.RefreshJwt, again.AddedAt.Equal(first.AddedAt))
	}
}

// Without --service, the PDS is found from the DID through the PLC
// directory (the fake, on loopback).
func TestCLILoginFindsPDSFromDID(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	alice := e.addAccount("alice.test")
	r := e.run(testPassword+"\n", "login", "--identifier", alice.DID, "--password-stdin")
	wantCode(t, r, exitOK)
	if a := e.account(alice.DID); a.Service != e.srv.URL() || a.PDSURL != e.srv.URL() {
		t.Errorf("service %q pds %q", a.Service, a.PDSURL)
	}
	if e.srv.Calls("/"+alice.DID) == 0 {
		t.Error("the PLC directory was not asked")
	}
}

func TestCLILoginNeverTakesThePasswordAsArgument(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	e.addAccount("alice.test")
	const secret = "hunter2-in-argv"
	e.passwords = append(e.passwords, secret)
	svc := e.srv.URL()
	cases := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"--password flag", "", []string{"login", "--service", svc, "--identifier", "alice.test", "--password", secret}, "unknown flag"},
		{"--password= flag", "", []string{"login", "--service", svc, "--identifier", "alice.test", "--password=" + secret}, "unknown flag"},
		{"-p flag", "", []string{"login", "--identifier", "alice.test", "-p", secret}, "unknown flag"},
		// Glued to a letter, the secret is not named with the flag.
		{"-p<secret>", "", []string{"login", "--identifier", "alice.test", "-p" + secret}, "unknown flag -p"},
		{"-password=<secret>", "", []string{"login", "--identifier", "alice.test", "-password=" + secret}, "unknown flag -p"},
		{"positional", "", []string{"login", "--service", svc, "--identifier", "alice.test", secret}, "too many arguments"},
		{"no --password-stdin", testPassword + "\n", []string{"login", "--service", svc, "--identifier", "alice.test"}, "--password-stdin"},
		{"no --identifier", testPassword + "\n", []string{"login", "--service", svc, "--password-stdin"}, "--identifier is required"},
		{"empty stdin", "", []string{"login", "--service", svc, "--identifier", "alice.test", "--password-stdin"}, "password is empty"},
		{"blank line", "\n", []string{"login", "--service", svc, "--identifier", "alice.test", "--password-stdin"}, "password is empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.run(tc.stdin, tc.args...)
			wantError(t, r, exitUsage, tc.want)
		})
	}
	if n := e.srv.Calls(nsidCreate); n != 0 {
		t.Errorf("%d logins reached the server", n)
	}
	if _, err := os.Stat(e.path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the accounts file was created: %v", err)
	}
}

func TestCLILoginWrongPassword(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	e.addAccount("alice.test")
	const wrong = "not-the-password-at-all"
	e.passwords = append(e.passwords, wrong)
	r := e.run(wrong+"\n", "login", "--service", e.srv.URL(), "--identifier", "alice.test", "--password-stdin")
	wantError(t, r, exitFailure, "wrong identifier or password")
	if r.stderr != "skyswitch: wrong identifier or password\n" {
		t.Errorf("stderr %q", r.stderr)
	}
	// An unknown identifier reads the same (the server does not say which).
	r = e.run(testPassword+"\n", "login", "--service", e.srv.URL(), "--identifier", "nobody.test", "--password-stdin")
	wantError(t, r, exitFailure, "wrong identifier or password")
	if st := e.state(); len(st.Accounts) != 0 {
		t.Errorf("%d accounts saved", len(st.Accounts))
	}
}

func TestCLILoginUnreachableServer(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	e.addAccount("alice.test")
	e.srv.Inject(nsidCreate, fakepds.Fault{Kind: fakepds.FaultStatus, Status: 503, Times: 1})
	r := e.run(testPassword+"\n", "login", "--service", e.srv.URL(), "--identifier", "alice.test", "--password-stdin")
	wantError(t, r, exitFailure)
	if st := e.state(); len(st.Accounts) != 0 {
		t.Errorf("%d accounts saved", len(st.Accounts))
	}
}

func TestCLILoginSignInCode(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	carol := e.srv.AddAccount(fakepds.Account{Handle: "carol.test", Email: "carol@example.com", Password: testPassword, EmailConfirmed: true, EmailAuthFactor: true})
	login := func(extra ...string) result {
		args := append([]string{"login", "--service", e.srv.URL(), "--identifier", "carol.test", "--password-stdin"}, extra...)
		return e.run(testPassword+"\n", args...)
	}
	r := login()
	wantError(t, r, exitNeedsCode, "--auth-factor-token")
	code := e.srv.SignInCode(carol.DID)
	if code == "" {
		t.Fatal("the server sent no code")
	}
	if st := e.state(); len(st.Accounts) != 0 {
		t.Fatal("saved an account without the code")
	}
	// A wrong code fails plainly.
	r = login("--auth-factor-token", "AAAAA-BBBBB")
	wantError(t, r, exitFailure, "sign-in code is wrong or has expired")
	wantError(t, login("--auth-factor-token", "not a code!"), exitFailure, "sign-in code")
	// The emailed code, typed in lower case with a space for the dash.
	r = login("--auth-factor-token", strings.ToLower(strings.Replace(code, "-", " ", 1)))
	wantCode(t, r, exitOK)
	if st := e.state(); st.Active != carol.DID {
		t.Fatalf("active %q after login with the code", st.Active)
	}
	// The code is used up: the next login without one asks again.
	wantError(t, login(), exitNeedsCode, "--auth-factor-token")
	code = e.srv.SignInCode(carol.DID)
	wantCode(t, login("--auth-factor-token", code), exitOK)
	// An expired code (they last 15 minutes) says so too.
	wantError(t, login(), exitNeedsCode, "--auth-factor-token")
	code = e.srv.SignInCode(carol.DID)
	e.clock.Set(e.clock.Now().Add(16 * time.Minute))
	wantError(t, login("--auth-factor-token", code), exitFailure, "sign-in code is wrong or has expired")
}

// stepReader hands out one chunk per Read, each made when it is read, so a
// test can answer a prompt with what the server did meanwhile.
type stepReader struct{ steps []func() string }

func (s *stepReader) Read(p []byte) (int, error) {
	if len(s.steps) == 0 {
		return 0, io.EOF
	}
	chunk := s.steps[0]()
	s.steps = s.steps[1:]
	return copy(p, chunk), nil
}

func TestCLILoginInteractive(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	carol := e.srv.AddAccount(fakepds.Account{Handle: "carol.test", Email: "carol@example.com", Password: testPassword, EmailAuthFactor: true})
	secrets := 0
	c := &App{
		Interactive: true,
		Stdin: &stepReader{steps: []func() string{
			func() string { return "carol.test\n" },
			func() string { return strings.ToLower(e.srv.SignInCode(carol.DID)) + "\n" },
		}},
		ReadSecret: func() (string, error) { secrets++; return testPassword, nil },
	}
	r := e.runCLI(c, "login", "--service", e.srv.URL())
	wantCode(t, r, exitOK)
	for _, w := range []string{"Handle, email or DID: ", "App password: ", "A sign-in code was sent", "Sign-in code: ", "Logged in as @carol.test"} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr lacks %q: %s", w, r)
		}
	}
	if secrets != 1 || r.stdout != "" || e.state().Active != carol.DID {
		t.Errorf("password read %d times; %s", secrets, r)
	}
	// Interactive, but the password comes from stdin: no prompt, and a
	// missing code is exit 3 (stdin is spent), not a prompt.
	c = &App{Interactive: true, Stdin: strings.NewReader(testPassword + "\n")}
	r = e.runCLI(c, "login", "--service", e.srv.URL(), "--identifier", "carol.test", "--password-stdin")
	wantError(t, r, exitNeedsCode, "--auth-factor-token")
}

// --- list, switch, status ------------------------------------------------------

func TestCLIListEmpty(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	r := e.run("", "list")
	wantCode(t, r, exitOK)
	if r.stdout != "" || !strings.Contains(r.stderr, "skyswitch login") {
		t.Errorf("%s", r)
	}
	r = e.run("", "list", "--json")
	wantCode(t, r, exitOK)
	if strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("list --json with no accounts: %s", r)
	}
}

func TestCLIList(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	alice, bob, carol := e.addAccount("alice.test"), e.addAccount("bob.test"), e.addAccount("carol.test")
	e.login("alice.test")
	e.login("bob.test")
	e.login("carol.test")
	wantCode(t, e.run("", "switch", "bob.test"), exitOK)

	r := e.run("", "list")
	wantCode(t, r, exitOK)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 4 || !strings.Contains(lines[0], "HANDLE") {
		t.Fatalf("list:\n%s", r.stdout)
	}
	if !strings.HasPrefix(lines[1], "*") || !strings.Contains(lines[1], "@bob.test") || !strings.Contains(lines[1], bob.DID) {
		t.Errorf("the active account is not first and marked:\n%s", r.stdout)
	}
	for _, l := range lines[2:] {
		if strings.HasPrefix(l, "*") {
			t.Errorf("an inactive account is marked:\n%s", r.stdout)
		}
	}
	if !strings.Contains(r.stdout, "@alice.test") || !strings.Contains(r.stdout, "@carol.test") || !strings.Contains(r.stdout, "valid") {
		t.Errorf("list:\n%s", r.stdout)
	}

	list := e.listJSON()
	if len(list) != 3 {
		t.Fatalf("list --json has %d entries", len(list))
	}
	wantDIDs := []string{bob.DID, alice.DID, carol.DID}
	for i, s := range list {
		for _, key := range []string{"did", "handle", "service", "pdsUrl", "active", "accessExpiresAt", "refreshExpiresAt", "state", "tokenKind", "accountStatus"} {
			if _, ok := s[key]; !ok {
				t.Errorf("entry %d has no %q: %v", i, key, s)
			}
		}
		if s["did"] != wantDIDs[i] {
			t.Errorf("entry %d is %v, want %s (active first, then as saved)", i, s["did"], wantDIDs[i])
		}
		if active, ok := s["active"].(bool); !ok || active != (i == 0) {
			t.Errorf("entry %d: active = %#v", i, s["active"])
		}
		if s["state"] != accounts.StateValid || s["pdsUrl"] != e.srv.URL() || s["service"] != e.srv.URL() || s["tokenKind"] != "full" {
			t.Errorf("entry %d: %v", i, s)
		}
		a := e.account(wantDIDs[i])
		for key, want := range map[string]time.Time{"accessExpiresAt": a.AccessExpiry(), "refreshExpiresAt": a.RefreshExpiry()} {
			str, _ := s[key].(string)
			got, err := time.Parse(time.RFC3339, str)
			if err != nil || !got.Equal(want) {
				t.Errorf("entry %d: %s = %q (%v), want %v", i, key, str, err, want)
			}
		}
		if strings.Contains(fmt.Sprint(s), "Jwt") {
			t.Errorf("entry %d names a token field: %v", i, s)
		}
	}
	// Expired access tokens say "expired" (they are refreshed on next use).
	e.clock.Set(e.clock.Now().Add(3 * time.Hour))
	for _, s := range e.listJSON() {
		if s["state"] != accounts.StateExpired {
			t.Errorf("after 3 h: state %v", s["state"])
		}
	}
}

func TestCLISwitch(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	alice, bob := e.addAccount("alice.test"), e.addAccount("bob.test")
	e.login("alice.test")
	e.login("bob.test")
	calls := e.guard.requests()
	steps := []struct {
		arg                string
		active, previous   string
		code               int
		stderrWant, errMsg string
	}{
		{"alice.test", alice.DID, bob.DID, exitOK, "Active account: @alice.test", ""},
		{"@bob.test", bob.DID, alice.DID, exitOK, "Active account: @bob.test", ""},
		{alice.DID, alice.DID, bob.DID, exitOK, "", ""},
		{"@" + bob.DID, bob.DID, alice.DID, exitOK, "", ""},
		{"ALICE.TEST", alice.DID, bob.DID, exitOK, "", ""},
		{"-", bob.DID, alice.DID, exitOK, "Active account: @bob.test", ""},
		{"-", alice.DID, bob.DID, exitOK, "", ""},
		{"alice.test", alice.DID, bob.DID, exitOK, "", ""}, // already active: nothing changes
		{"nobody.test", alice.DID, bob.DID, exitNoSession, "", "nobody.test"},
		{"did:plc:nobodynobodynobodynobody", alice.DID, bob.DID, exitNoSession, "", "not a saved account"},
	}
	for _, s := range steps {
		r := e.run("", "switch", s.arg)
		if s.errMsg != "" {
			wantError(t, r, s.code, s.errMsg)
		} else {
			wantCode(t, r, s.code)
			if r.stdout != "" || !strings.Contains(r.stderr, s.stderrWant) {
				t.Errorf("switch %s: %s", s.arg, r)
			}
		}
		if st := e.state(); st.Active != s.active || st.Previous != s.previous {
			t.Fatalf("after switch %s: active %s previous %s, want %s %s", s.arg, st.Active, st.Previous, s.active, s.previous)
		}
	}
	if n := e.guard.requests() - calls; n != 0 {
		t.Errorf("switch made %d requests", n)
	}
	// Nothing to go back to.
	e2 := newCLIEnv(t, fakepds.Options{})
	e2.addAccount("alice.test")
	wantError(t, e2.run("", "switch", "-"), exitNoSession, "no previous")
	e2.login("alice.test")
	wantError(t, e2.run("", "switch", "-"), exitNoSession, "no previous")
}

func TestCLIStatus(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	wantError(t, e.run("", "status"), exitNoSession, "no active account")
	wantError(t, e.run("", "status", "--json"), exitNoSession, "no active account")
	alice, bob := e.addAccount("alice.test"), e.addAccount("bob.test")
	e.login("alice.test")
	e.login("bob.test")
	calls := e.guard.requests()

	r := e.run("", "status")
	wantCode(t, r, exitOK)
	for _, w := range []string{"@bob.test (active)", bob.DID, "PDS:", e.srv.URL(), "full account access", "expires in 2h00m", "State:", "valid", "***", "Accounts file: " + e.path + "\n"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("status lacks %q:\n%s", w, r.stdout)
		}
	}
	r = e.run("", "status", "@alice.test")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "@alice.test\n") || strings.Contains(r.stdout, "(active)") {
		t.Errorf("status of an inactive account:\n%s", r.stdout)
	}

	// --json: one object, the same as the account's list entry.
	list := e.listJSON()
	for i, args := range [][]string{{"status", "--json"}, {"status", "--json", alice.DID}, {"status", "alice.test", "--json"}} {
		r := e.run("", args...)
		wantCode(t, r, exitOK)
		var got map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatalf("%v: not one JSON object: %v", args, err)
		}
		want := list[min(i, 1)]
		// Beyond the list entry, status says where the choice came from.
		if source := map[bool]string{true: "saved", false: "argument"}[i == 0]; got["activeSource"] != source {
			t.Errorf("%v: activeSource %v, want %s", args, got["activeSource"], source)
		}
		// And the accounts file it was read from.
		if got["accountsFile"] != e.path {
			t.Errorf("%v: accountsFile %v, want %s", args, got["accountsFile"], e.path)
		}
		delete(got, "activeSource")
		delete(got, "accountsFile")
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%v:\n got %v\nwant %v", args, got, want)
		}
	}
	wantError(t, e.run("", "status", "nobody.test"), exitNoSession, "nobody.test")
	if n := e.guard.requests() - calls; n != 0 {
		t.Errorf("status made %d requests", n)
	}

	// An expired access token is still a usable session.
	e.clock.Set(e.clock.Now().Add(3 * time.Hour))
	r = e.run("", "status")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "expired") {
		t.Errorf("status after 3 h:\n%s", r.stdout)
	}

	// A session the server ended: status still shows it, and exits 4.
	e.revoke(e.account(bob.DID).RefreshJwt)
	wantError(t, e.run("", "refresh"), exitNoSession)
	r = e.run("", "status")
	wantError(t, r, exitNoSession, "ended", "log in again")
	if !strings.Contains(r.stdout, "@bob.test") || !strings.Contains(r.stdout, "ended") || !strings.Contains(r.stdout, "Last error") {
		t.Errorf("status of an ended session:\n%s", r.stdout)
	}
	r = e.run("", "status", "--json")
	wantCode(t, r, exitNoSession)
	var got map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || got["state"] != accounts.StateEnded {
		t.Errorf("status --json of an ended session: %v %v", got, err)
	}
}

// --- token ---------------------------------------------------------------------

func TestCLITokenValidNoNetwork(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	alice, bob := e.addAccount("alice.test"), e.addAccount("bob.test")
	e.login("alice.test")
	e.login("bob.test")
	// Within the first hour and 58 minutes: no refresh, no request.
	e.clock.Set(e.clock.Now().Add(time.Hour + 58*time.Minute))
	calls, refreshes := e.guard.requests(), e.srv.Calls(nsidRefresh)
	for _, tc := range []struct {
		args []string
		did  string
	}{
		{[]string{"token"}, bob.DID},
		{[]string{"token", "alice.test"}, alice.DID},
		{[]string{"token", "@Alice.test"}, alice.DID},
		{[]string{"token", alice.DID}, alice.DID},
	} {
		r := e.run("", tc.args...)
		wantCode(t, r, exitOK)
		a := e.account(tc.did)
		if r.stdout != a.AccessJwt+"\n" || r.stderr != "" {
			t.Errorf("%v: stdout is not exactly the saved access token and a newline (stderr %q)", tc.args, r.stderr)
		}
		if !e.srv.AccessTokenValid(strings.TrimSpace(r.stdout)) {
			t.Errorf("%v: the server does not accept the token", tc.args)
		}
	}
	if n := e.guard.requests() - calls; n != 0 || e.srv.Calls(nsidRefresh) != refreshes {
		t.Errorf("token with a valid access token made %d requests", n)
	}
	if st := e.state(); st.Active != bob.DID {
		t.Errorf("token of another account changed the active one to %s", st.Active)
	}
}

func TestCLITokenRefreshesUnder60s(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{Grace: fakepds.NoGrace})
	alice := e.addAccount("alice.test")
	e.login("alice.test")
	old := e.account(alice.DID)
	exp := old.AccessExpiry()

	// 61 s left: still enough.
	e.clock.Set(exp.Add(-61 * time.Second))
	refreshes := e.srv.Calls(nsidRefresh)
	r := e.run("", "token")
	wantCode(t, r, exitOK)
	if r.stdout != old.AccessJwt+"\n" || e.srv.Calls(nsidRefresh) != refreshes {
		t.Fatal("token refreshed with 61 s left")
	}
	// 30 s left: refreshed first.
	e.clock.Set(exp.Add(-30 * time.Second))
	r = e.run("", "token")
	wantCode(t, r, exitOK)
	fresh := e.account(alice.DID)
	printed := strings.TrimSpace(r.stdout)
	if e.srv.Calls(nsidRefresh) != refreshes+1 {
		t.Errorf("%d refreshes, want 1", e.srv.Calls(nsidRefresh)-refreshes)
	}
	if printed == old.AccessJwt || printed != fresh.AccessJwt || !e.srv.AccessTokenValid(printed) {
		t.Error("token did not print the refreshed, valid access token")
	}
	if fresh.RefreshJwt == old.RefreshJwt || !e.srv.RefreshTokenValid(fresh.RefreshJwt) || e.srv.RefreshTokenValid(old.RefreshJwt) {
		t.Error("the rotated refresh token was not saved")
	}
	if r.stderr != "" {
		t.Errorf("stderr %q", r.stderr)
	}
	// Already expired: the same.
	e.clock.Set(fresh.AccessExpiry().Add(10 * time.Minute))
	r = e.run("", "token")
	wantCode(t, r, exitOK)
	if p := strings.TrimSpace(r.stdout); p == fresh.AccessJwt || !e.srv.AccessTokenValid(p) {
		t.Error("an expired token was not refreshed")
	}
}

func TestCLITokenNoUsableSession(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	wantError(t, e.run("", "token"), exitNoSession, "no active account")
	alice := e.addAccount("alice.test")
	e.login("alice.test")
	wantError(t, e.run("", "token", "nobody.test"), exitNoSession, "nobody.test")
	wantError(t, e.run("", "token", "did:plc:nobodynobodynobodynobody"), exitNoSession)

	// Refresh token expired (90 days): no usable session, no request.
	e.clock.Set(e.account(alice.DID).RefreshExpiry().Add(time.Second))
	calls := e.guard.requests()
	wantError(t, e.run("", "token"), exitNoSession, "expired")
	if e.guard.requests() != calls {
		t.Error("token asked the server with an expired refresh token")
	}
}

func TestCLITokenServerRevokedSession(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	alice := e.addAccount("alice.test")
	e.login("alice.test")
	e.revoke(e.account(alice.DID).RefreshJwt)
	e.clock.Set(e.account(alice.DID).AccessExpiry().Add(time.Second))
	wantError(t, e.run("", "token"), exitNoSession, "log in again")
	if a := e.account(alice.DID); !a.SessionEnded {
		t.Error("the account is not marked ended")
	}
	// Known ended: no more requests.
	calls := e.guard.requests()
	wantError(t, e.run("", "token"), exitNoSession)
	if e.guard.requests() != calls {
		t.Error("token of an ended session made a request")
	}
	// Logging in again revives it.
	e.login("alice.test")
	wantCode(t, e.run("", "token"), exitOK)
}

func TestCLITokenServerFailureIsNotTheEnd(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	alice := e.addAccount("alice.test")
	e.login("alice.test")
	e.clock.Set(e.account(alice.DID).AccessExpiry())
	e.srv.Inject(nsidRefresh, fakepds.Fault{Kind: fakepds.FaultStatus, Status: 502, Times: 1})
	wantError(t, e.run("", "token"), exitFailure)
	a := e.account(alice.DID)
	if a.SessionEnded || a.LastRefreshError == "" {
		t.Errorf("after a 502: ended %v, last error %q", a.SessionEnded, a.LastRefreshError)
	}
	r := e.run("", "token")
	wantCode(t, r, exitOK)
	if !e.srv.AccessTokenValid(strings.TrimSpace(r.stdout)) {
		t.Error("token after the server recovered is not valid")
	}
	if a := e.account(alice.DID); a.LastRefreshError != "" {
		t.Errorf("last error kept after a good refresh: %q", a.LastRefreshError)
	}
}

// --- refresh ---------------------------------------------------------------------

func TestCLIRefresh(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{Grace: fakepds.NoGrace})
	wantError(t, e.run("", "refresh"), exitNoSession, "no active account")
	wantCode(t, e.run("", "refresh", "--all"), exitOK) // nothing to do
	alice, bob := e.addAccount("alice.test"), e.addAccount("bob.test")
	e.login("alice.test")
	e.login("bob.test")
	tick := func() { e.clock.Set(e.clock.Now().Add(2 * time.Second)) } // new iat, new tokens

	check := func(args []string, dids ...string) {
		t.Helper()
		tick()
		before := map[string]storage.Account{alice.DID: e.account(alice.DID), bob.DID: e.account(bob.DID)}
		refreshes := e.srv.Calls(nsidRefresh)
		r := e.run("", args...)
		wantCode(t, r, exitOK)
		if r.stdout != "" || strings.Count(r.stderr, "Refreshed @") != len(dids) || !strings.Contains(r.stderr, "valid for 2h00m") {
			t.Errorf("%v: %s", args, r)
		}
		if n := e.srv.Calls(nsidRefresh) - refreshes; n != len(dids) {
			t.Errorf("%v: %d refreshes, want %d", args, n, len(dids))
		}
		for did, old := range before {
			now := e.account(did)
			changed := now.RefreshJwt != old.RefreshJwt
			if changed != slices.Contains(dids, did) {
				t.Errorf("%v: %s refreshed = %v", args, did, changed)
			}
			if !e.srv.RefreshTokenValid(now.RefreshJwt) || !e.srv.AccessTokenValid(now.AccessJwt) {
				t.Errorf("%v: %s holds tokens the server refuses", args, did)
			}
		}
	}
	check([]string{"refresh"}, bob.DID)
	check([]string{"refresh", "alice.test"}, alice.DID)
	check([]string{"refresh", "@" + bob.DID}, bob.DID)
	check([]string{"refresh", "--all"}, alice.DID, bob.DID)
	if st := e.state(); st.Active != bob.DID {
		t.Errorf("refresh changed the active account to %s", st.Active)
	}
	wantError(t, e.run("", "refresh", "nobody.test"), exitNoSession, "nobody.test")
}

func TestCLIRefreshRevokedSession(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	alice, bob := e.addAccount("alice.test"), e.addAccount("bob.test")
	e.login("alice.test")
	e.login("bob.test")
	e.revoke(e.account(alice.DID).RefreshJwt)

	r := e.run("", "refresh", "alice.test")
	wantError(t, r, exitNoSession, "log in again")
	if a := e.account(alice.DID); !a.SessionEnded || a.LastRefreshError == "" {
		t.Errorf("ended %v, last error %q", a.SessionEnded, a.LastRefreshError)
	}
	states := map[string]any{}
	for _, s := range e.listJSON() {
		states[s["did"].(string)] = s["state"]
	}
	if states[alice.DID] != accounts.StateEnded || states[bob.DID] != accounts.StateValid {
		t.Errorf("states after the revoked refresh: %v", states)
	}
	wantError(t, e.run("", "status", "alice.test"), exitNoSession, "ended")
	wantError(t, e.run("", "token", "alice.test"), exitNoSession)
	wantCode(t, e.run("", "token"), exitOK) // bob is fine

	// --all goes on past the ended one and fails as a whole.
	r = e.run("", "refresh", "--all")
	wantCode(t, r, exitFailure)
	if !strings.Contains(r.stderr, "Refreshed @bob.test") || !strings.Contains(r.stderr, "@alice.test") || !strings.Contains(r.stderr, "1 of 2") {
		t.Errorf("refresh --all with one ended session: %s", r)
	}

	// Taken down: the same.
	e.srv.Takedown(bob.DID)
	wantError(t, e.run("", "refresh"), exitNoSession, "taken down")
	if !e.account(bob.DID).SessionEnded {
		t.Error("a taken-down account is not marked ended")
	}
}

// --- logout ----------------------------------------------------------------------

func TestCLILogout(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	wantError(t, e.run("", "logout"), exitNoSession, "no active account")
	alice, bob, carol := e.addAccount("alice.test"), e.addAccount("bob.test"), e.addAccount("carol.test")
	e.login("alice.test")
	e.login("carol.test")
	e.login("bob.test") // active bob, previous carol
	bobSession := e.account(bob.DID)

	// Logging out the active account leaves none active, and says so: a
	// script's next command fails (exit 4) instead of acting as carol.
	r := e.run("", "logout")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stderr, "Logged out @bob.test") || !strings.Contains(r.stderr, "stays valid until") || r.stdout != "" ||
		!strings.Contains(r.stderr, "No account is active now: skyswitch switch - makes @carol.test active again") {
		t.Errorf("%s", r)
	}
	if e.srv.RefreshTokenValid(bobSession.RefreshJwt) {
		t.Error("the refresh token is still valid on the server after logout")
	}
	st := e.state()
	if _, ok := st.Account(bob.DID); ok || st.Active != "" || st.Previous != carol.DID || len(st.PendingLogouts) != 0 {
		t.Fatalf("after logout: active %q, previous %q, %d accounts, %d pending", st.Active, st.Previous, len(st.Accounts), len(st.PendingLogouts))
	}
	if raw, _ := os.ReadFile(e.path); bytes.Contains(raw, []byte(bobSession.RefreshJwt)) {
		t.Error("the logged-out session is still in the file")
	}
	wantError(t, e.run("", "token"), exitNoSession, "no active account")
	wantCode(t, e.run("", "switch", "-"), exitOK)
	if e.state().Active != carol.DID {
		t.Fatal("switch - after the logout did not bring carol back")
	}

	// Logging out an inactive account by handle leaves the active one, and
	// says nothing about it.
	aliceSession := e.account(alice.DID)
	r = e.run("", "logout", "@alice.test")
	wantCode(t, r, exitOK)
	if e.srv.RefreshTokenValid(aliceSession.RefreshJwt) || e.state().Active != carol.DID || strings.Contains(r.stderr, "active") {
		t.Errorf("logout of an inactive account: %s", r)
	}
	wantError(t, e.run("", "logout", "alice.test"), exitNoSession, "alice.test")

	// The last one: no active identity afterwards.
	wantCode(t, e.run("", "logout", carol.DID), exitOK)
	if st := e.state(); st.Active != "" || len(st.Accounts) != 0 {
		t.Errorf("after the last logout: active %q, %d accounts", st.Active, len(st.Accounts))
	}
	wantError(t, e.run("", "token"), exitNoSession)
	wantError(t, e.run("", "status"), exitNoSession)
}

// A logout whose session the server already ended still succeeds.
func TestCLILogoutEndedSession(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	alice := e.addAccount("alice.test")
	e.login("alice.test")
	e.revoke(e.account(alice.DID).RefreshJwt)
	wantError(t, e.run("", "refresh"), exitNoSession)
	wantCode(t, e.run("", "logout"), exitOK)
	if st := e.state(); len(st.Accounts) != 0 || len(st.PendingLogouts) != 0 {
		t.Errorf("%d accounts, %d pending", len(st.Accounts), len(st.PendingLogouts))
	}
}

func TestCLILogoutUnreachableServer(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	alice, bob := e.addAccount("alice.test"), e.addAccount("bob.test")
	e.login("alice.test")
	e.login("bob.test")
	bobSession := e.account(bob.DID)

	// Every deleteSession is dropped until the faults are cleared.
	e.srv.Inject(nsidDelete, fakepds.Fault{Kind: fakepds.FaultDrop})
	r := e.run("", "logout")
	wantError(t, r, exitFailure, "pending")
	if !strings.Contains(r.stderr, "could not be reached") || !strings.Contains(r.stderr, "will retry") {
		t.Errorf("%s", r)
	}
	if !e.srv.RefreshTokenValid(bobSession.RefreshJwt) {
		t.Fatal("the server revoked the session although the request was dropped")
	}
	st := e.state()
	if _, ok := st.Account(bob.DID); ok || st.Active != "" || !strings.Contains(r.stderr, "No account is active now") {
		t.Errorf("after a queued logout: bob saved %v, active %q\n%s", ok, st.Active, r)
	}
	if p, ok := st.PendingLogout(bobSession.RefreshJwt); !ok || p.Session.DID != bob.DID || len(st.PendingLogouts) != 1 {
		t.Fatalf("pending logouts: %d", len(st.PendingLogouts))
	}
	// list shows it as logout-pending, after the saved accounts.
	list := e.listJSON()
	if len(list) != 2 || list[0]["did"] != alice.DID || list[1]["did"] != bob.DID ||
		list[1]["state"] != accounts.StateLogoutPending || list[1]["active"] != false {
		t.Errorf("list --json with a pending logout: %v", list)
	}
	if r := e.run("", "list"); !strings.Contains(r.stdout, "logout-pending") {
		t.Errorf("list: %s", r.stdout)
	}
	// The account is gone for the commands.
	wantError(t, e.run("", "token", "bob.test"), exitNoSession)
	wantError(t, e.run("", "switch", "bob.test"), exitNoSession)

	// Still unreachable: logging in again retries, fails quietly and keeps
	// it queued; the next logout does not retry it again before its
	// backoff is over, and queues its own.
	deletes := e.srv.Calls(nsidDelete)
	wantCode(t, e.login("bob.test"), exitOK)
	if n := e.srv.Calls(nsidDelete) - deletes; n != 1 {
		t.Errorf("login made %d deleteSession calls, want 1 (the retry)", n)
	}
	if p, ok := e.state().PendingLogout(bobSession.RefreshJwt); !ok || p.Attempts != 1 || p.LastError == "" {
		t.Errorf("the failed retry is not recorded: queued %v", ok)
		if ok {
			t.Errorf("attempts %d, last error %q", p.Attempts, p.LastError)
		}
	}
	bob2 := e.account(bob.DID)
	deletes = e.srv.Calls(nsidDelete)
	wantError(t, e.run("", "logout", "bob.test"), exitFailure, "pending")
	if n := e.srv.Calls(nsidDelete) - deletes; n != 1 {
		t.Errorf("logout made %d deleteSession calls, want 1 (its own; the queued one waits)", n)
	}
	if st := e.state(); len(st.PendingLogouts) != 2 {
		t.Fatalf("%d pending logouts, want 2", len(st.PendingLogouts))
	}

	// The server is back: logging out another account first revokes the
	// queued sessions (once their backoff after a failed retry is over).
	e.srv.ClearFaults()
	e.clock.Set(e.clock.Now().Add(accounts.PendingBackoff(1) + time.Second))
	aliceSession := e.account(alice.DID)
	r = e.run("", "logout", "alice.test")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stderr, "Revoked 2 session(s) whose logout was pending") {
		t.Errorf("%s", r)
	}
	for name, tok := range map[string]string{"bob's first": bobSession.RefreshJwt, "bob's second": bob2.RefreshJwt, "alice's": aliceSession.RefreshJwt} {
		if e.srv.RefreshTokenValid(tok) {
			t.Errorf("%s session is still valid on the server", name)
		}
	}
	if st := e.state(); len(st.PendingLogouts) != 0 || len(st.Accounts) != 0 {
		t.Errorf("%d pending, %d accounts", len(st.PendingLogouts), len(st.Accounts))
	}
	if list := e.listJSON(); len(list) != 0 {
		t.Errorf("list --json: %v", list)
	}
}

func TestCLILogoutAll(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	wantCode(t, e.run("", "logout", "--all"), exitOK) // nothing to do
	var sessions []storage.Account
	for _, h := range []string{"alice.test", "bob.test", "carol.test"} {
		a := e.addAccount(h)
		e.login(h)
		sessions = append(sessions, e.account(a.DID))
	}
	r := e.run("", "logout", "--all")
	wantCode(t, r, exitOK)
	if strings.Count(r.stderr, "Logged out @") != 3 || strings.Count(r.stderr, "No account is active now: skyswitch switch <account> picks one.") != 1 {
		t.Errorf("%s", r)
	}
	for _, s := range sessions {
		if e.srv.RefreshTokenValid(s.RefreshJwt) {
			t.Errorf("%s: still valid on the server", s.Handle)
		}
	}
	if st := e.state(); len(st.Accounts) != 0 || st.Active != "" || st.Previous != "" || len(st.PendingLogouts) != 0 {
		t.Errorf("after logout --all: %d accounts, active %q, previous %q, %d pending", len(st.Accounts), st.Active, st.Previous, len(st.PendingLogouts))
	}
	wantError(t, e.run("", "token"), exitNoSession)
}

func TestCLILogoutAllPartlyUnreachable(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	for _, h := range []string{"alice.test", "bob.test"} {
		e.addAccount(h)
		e.login(h)
	}
	e.srv.Inject(nsidDelete, fakepds.Fault{Kind: fakepds.FaultStatus, Status: 503, Times: 1})
	r := e.run("", "logout", "--all")
	wantError(t, r, exitFailure, "1 of 2")
	st := e.state()
	if len(st.Accounts) != 0 || len(st.PendingLogouts) != 1 {
		t.Errorf("%d accounts, %d pending", len(st.Accounts), len(st.PendingLogouts))
	}
}

// --- the accounts file -------------------------------------------------------------

func TestCLIUnreadableFileIsLeftAlone(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	alice := e.addAccount("alice.test")
	if err := os.MkdirAll(filepath.Dir(e.path), 0o700); err != nil {
		t.Fatal(err)
	}
	garbage := []byte("{ this is not an accounts file")
	if err := os.WriteFile(e.path, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"list"}, {"list", "--json"}, {"status"}, {"token"}, {"switch", "alice.test"}, {"refresh"}, {"logout"}} {
		r := e.run("", args...)
		wantError(t, r, exitFailure, e.path)
	}
	r := e.run(testPassword+"\n", "login", "--service", e.srv.URL(), "--identifier", "alice.test", "--password-stdin")
	wantError(t, r, exitFailure, e.path)
	if got, _ := os.ReadFile(e.path); !bytes.Equal(got, garbage) {
		t.Error("the unreadable file was changed")
	}
	// The login that could not be saved was revoked again.
	if n := e.srv.ActiveSessions(alice.DID); n != 0 {
		t.Errorf("%d sessions left on the server by a login that could not be saved", n)
	}
	// The error says how to start afresh, and that keeps the old file.
	wantError(t, e.run("", "list"), exitFailure, "skyswitch move-aside")
	r = e.run("", "move-aside")
	if r.code != exitOK {
		t.Fatalf("move-aside: exit %d: %s", r.code, r.stderr)
	}
	moved, _ := filepath.Glob(e.path + ".corrupt-*")
	if len(moved) != 1 {
		t.Fatalf("moved files: %v", moved)
	}
	if got, _ := os.ReadFile(moved[0]); !bytes.Equal(got, garbage) {
		t.Error("the moved file is not the old one")
	}
	if r := e.run("", "list", "--json"); r.code != exitOK || strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("after move-aside: exit %d, %q", r.code, r.stdout)
	}
}

// A logout queued because the server was unreachable is retried by the
// later commands that talk to servers (login, refresh, logout), and by no
// command that must stay local (token, list, status, switch).
func TestCLIPendingLogoutRetriedByLaterCommands(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	for _, h := range []string{"alice.test", "bob.test", "carol.test"} {
		e.addAccount(h)
		e.login(h)
	}
	queue := func(handle string) string {
		t.Helper()
		st := e.state()
		a, _ := st.Find(handle)
		tok := a.RefreshJwt
		e.srv.Inject(nsidDelete, fakepds.Fault{Kind: fakepds.FaultDrop})
		wantError(t, e.run("", "logout", handle), exitFailure, "pending")
		e.srv.ClearFaults()
		if _, ok := e.state().PendingLogout(tok); !ok || !e.srv.RefreshTokenValid(tok) {
			t.Fatalf("%s: the logout was not queued", handle)
		}
		return tok
	}
	revoked := func(tok, by string) {
		t.Helper()
		if _, ok := e.state().PendingLogout(tok); ok || e.srv.RefreshTokenValid(tok) {
			t.Errorf("%s did not revoke the queued session", by)
		}
	}

	tok := queue("carol.test")
	calls := e.guard.requests()
	for _, args := range [][]string{{"switch", "alice.test"}, {"token"}, {"list"}, {"status"}} {
		wantCode(t, e.run("", args...), exitOK)
	}
	if e.guard.requests() != calls {
		t.Errorf("local commands made %d requests", e.guard.requests()-calls)
	}
	if _, ok := e.state().PendingLogout(tok); !ok {
		t.Fatal("a local command dropped the queued logout")
	}
	e.addAccount("dave.test")
	r := e.login("dave.test")
	if !strings.Contains(r.stderr, "Revoked 1 session(s) whose logout was pending") {
		t.Errorf("%s", r)
	}
	revoked(tok, "login")

	tok = queue("bob.test")
	wantCode(t, e.run("", "refresh"), exitOK)
	revoked(tok, "refresh")

	tok = queue("dave.test")
	wantCode(t, e.run("", "logout", "alice.test"), exitOK)
	revoked(tok, "logout")
}

func TestPLCDirectoryFromEnvironment(t *testing.T) {
	t.Parallel()
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "SKYSWITCH_PLC_URL" {
				return v
			}
			return ""
		}
	}
	c, err := newClient(env(""), version)
	if err != nil || c.Resolver.PLCURL != "" {
		t.Fatalf("unset: %q, %v", c.Resolver.PLCURL, err)
	}
	if c, err = newClient(env("http://127.0.0.1:2582/"), version); err != nil || c.Resolver.PLCURL != "http://127.0.0.1:2582" {
		t.Fatalf("loopback: %v", err)
	}
	var ee *exitError
	if _, err := newClient(env("http://plc.example"), version); !errors.As(err, &ee) || ee.code != exitUsage {
		t.Fatalf("plain http on a public host: %v", err)
	}
}
