package cli

// Tests of exec's loopback proxy, which an OAuth account's command gets
// instead of the token (accounts.Proxy). These force the proxy for
// password accounts with App.execProxy (the proxy does not care which
// kind it serves); TestCLIOAuthCommandsShowNoSecret runs exec for an
// OAuth account, and accounts' TestProxy…OAuth… test the proxy for one.

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

// proxyCalls is a shell script's prelude: xrpc calls its first argument
// (a path) through $ATP_PDS_URL with $ATP_ACCESS_TOKEN, as a script
// would; its other arguments go to curl. It prints the body, then the
// status on a line of its own.
const proxyCalls = `xrpc() { p=$1; shift; curl -sS --noproxy '*' -w '\n%{http_code}\n' "$@" "$ATP_PDS_URL$p"; }
bearer="Authorization: Bearer $ATP_ACCESS_TOKEN"
`

// execScript runs script (after proxyCalls) under exec with the proxy
// forced, with no environment but exec's own; its "$1" is dir.
func (e *cliEnv) execScript(script, dir string) result {
	e.t.Helper()
	return e.execScriptWith(accounts.ProxyOptions{}, script, dir)
}

// execScriptWith is execScript with the proxy's options.
func (e *cliEnv) execScriptWith(opts accounts.ProxyOptions, script, dir string) result {
	e.t.Helper()
	return e.runCLI(&App{execProxy: &opts}, "exec", "--", "sh", "-c", proxyCalls+script, "sh", dir)
}

// A command reaches the PDS through the proxy with curl, as it would with
// the token: a query, and a POST with a body. It gets the proxy's URL and
// the run's secret, never the token.
func TestExecProxyCurl(t *testing.T) {
	t.Parallel()
	needTools(t, "sh", "curl")
	e := newCLIEnv(t, fakepds.Options{})
	alice := e.addAccount("alice.test")
	e.login("alice.test")
	dir := t.TempDir()
	r := e.execScript(`printf '%s\n' "$ATP_PDS_URL" "$ATP_DID" "$ATP_HANDLE" > "$1/env"
printf %s "$ATP_ACCESS_TOKEN" > "$1/secret"
xrpc /xrpc/com.atproto.server.getSession -H "$bearer"
xrpc /xrpc/com.atproto.repo.createRecord -H "$bearer" -H 'Content-Type: application/json' \
  -d '{"repo":"'"$ATP_DID"'","collection":"app.bsky.feed.post","record":{"text":"from a script"}}'`, dir)
	wantCode(t, r, exitOK)
	env, _ := os.ReadFile(filepath.Join(dir, "env"))
	secret, _ := os.ReadFile(filepath.Join(dir, "secret"))
	vars := strings.Split(string(env), "\n")
	a := e.account(alice.DID)
	if len(vars) < 3 || !strings.HasPrefix(vars[0], "http://127.0.0.1:") || vars[0] == a.Endpoint() || vars[1] != alice.DID || vars[2] != "alice.test" {
		t.Errorf("the command's variables: %q", vars)
	}
	if len(secret) < 40 || e.tokens[string(secret)] || string(secret) == a.AccessJwt {
		t.Error("the command's ATP_ACCESS_TOKEN is not the run's secret")
	}
	if strings.Contains(r.stdout+r.stderr, string(secret)) || strings.Contains(r.stdout, a.AccessJwt) {
		t.Error("the secret or the token was printed")
	}
	answers := strings.Split(r.stdout, "\n")
	if len(answers) < 4 || !strings.Contains(answers[0], `"handle":"alice.test"`) || answers[1] != "200" ||
		!strings.Contains(answers[2], `"uri":"at://`+alice.DID+`/app.bsky.feed.post/`) || answers[3] != "200" {
		t.Errorf("through the proxy:\n%s", r)
	}
	if got := e.srv.LastRequest("com.atproto.repo.createRecord"); !strings.Contains(string(got.Body), "from a script") || got.Header.Get("Authorization") != "Bearer "+a.AccessJwt {
		t.Errorf("the PDS got %q with the account's token: %v", got.Body, got.Header.Get("Authorization") == "Bearer "+a.AccessJwt)
	}
	// The proxy is gone with the command.
	if c, err := net.DialTimeout("tcp", strings.TrimPrefix(vars[0], "http://"), time.Second); err == nil {
		c.Close()
		t.Error("the proxy still listens after exec ended")
	}
}

// Without the secret, with another, or with the token itself, the proxy
// refuses; a path that is not an XRPC call is not found. Nothing of these
// reaches the PDS.
func TestExecProxyRefuses(t *testing.T) {
	t.Parallel()
	needTools(t, "sh", "curl")
	e := newCLIEnv(t, fakepds.Options{})
	e.addAccount("alice.test")
	e.login("alice.test")
	r := e.execScript(`xrpc /xrpc/com.atproto.server.getSession
xrpc /xrpc/com.atproto.server.getSession -H "Authorization: Bearer x$ATP_ACCESS_TOKEN"
xrpc /xrpc/com.atproto.server.getSession -H "Authorization: DPoP $ATP_ACCESS_TOKEN"
xrpc /xrpc/com.atproto.server.getSession -H "Authorization: Bearer $1"
xrpc /.well-known/atproto-did -H "$bearer"`, e.account(e.state().Active).AccessJwt)
	wantCode(t, r, exitOK)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	want := []string{"401", "401", "401", "401", "404"}
	for i := range want {
		if 2*i+1 >= len(lines) || lines[2*i+1] != want[i] || !strings.Contains(lines[2*i], `"error":`) {
			t.Fatalf("answer %d: want HTTP %s with an XRPC error:\n%s", i+1, want[i], r)
		}
	}
	if !strings.Contains(lines[0], "AuthenticationRequired") || !strings.Contains(lines[8], "NotFound") {
		t.Errorf("the errors:\n%s", r)
	}
	if n := e.srv.Calls("com.atproto.server.getSession") + e.srv.Calls("/.well-known/atproto-did"); n != 0 {
		t.Errorf("%d refused requests reached the PDS", n)
	}
}

// The proxy acts as the account exec started with, by its DID: a switch
// in another terminal while the command runs changes nothing. A session
// that ends meanwhile gives the command a 401 it can read.
func TestExecProxyMidRun(t *testing.T) {
	t.Parallel()
	needTools(t, "sh", "curl")
	e := newCLIEnv(t, fakepds.Options{})
	e.addAccount("bob.test")
	e.login("bob.test")
	alice := e.addAccount("alice.test")
	e.login("alice.test") // active
	dir := t.TempDir()
	step := func(name string) string {
		return `xrpc /xrpc/com.atproto.server.getSession -H "$bearer"` + "\n" + awaitStep(name)
	}
	done := make(chan result, 1)
	go func() {
		done <- e.execScript(step("started")+step("switched")+`xrpc /xrpc/com.atproto.server.getSession -H "$bearer"`, dir)
	}()
	next := func(name string) {
		waitForFile(t, filepath.Join(dir, name))
		os.WriteFile(filepath.Join(dir, "go-"+name), nil, 0o600)
	}
	waitForFile(t, filepath.Join(dir, "started"))
	wantCode(t, e.run("", "switch", "bob.test"), exitOK)
	next("started")
	waitForFile(t, filepath.Join(dir, "switched"))
	e.revoke(e.account(alice.DID).RefreshJwt)
	e.clock.Set(e.clock.Now().Add(3 * time.Hour))
	next("switched")
	r := <-done
	wantCode(t, r, exitOK)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 6 {
		t.Fatalf("three answers wanted:\n%s", r)
	}
	if lines[1] != "200" || !strings.Contains(lines[0], alice.DID) || lines[3] != "200" || !strings.Contains(lines[2], alice.DID) {
		t.Errorf("before and after the switch to bob, the proxy must be alice's:\n%s", r)
	}
	if lines[5] != "401" || !strings.Contains(lines[4], `"error":"SessionEnded"`) {
		t.Errorf("the session ended mid-run:\n%s", r)
	}
	if !e.account(alice.DID).SessionEnded {
		t.Error("the ended session was not saved as such")
	}
}

// A refresh the proxy sent is saved before exec ends, even when the
// command ended first and the proxy cut its request: the rotated tokens
// are not lost.
func TestExecProxySavesARefreshUnderWay(t *testing.T) {
	t.Parallel()
	needTools(t, "sh", "curl")
	e := newCLIEnv(t, fakepds.Options{Grace: fakepds.NoGrace})
	alice := e.addAccount("alice.test")
	e.login("alice.test")
	old := e.account(alice.DID).RefreshJwt
	e.clock.Set(e.clock.Now().Add(fakepds.DefaultAccessLifetime - 20*time.Minute)) // exec's own 10 minutes are left
	dir := t.TempDir()
	e.srv.Inject(nsidRefresh, fakepds.Fault{Kind: fakepds.FaultRotateThenDelay, Delay: 300 * time.Millisecond, Times: 1})
	done := make(chan result, 1)
	go func() {
		done <- e.execScriptWith(accounts.ProxyOptions{CloseWait: time.Millisecond}, awaitStep("started")+
			// (exec …): else the background call holds the pipe of exec's stdout, and exec waits for it.
			`(exec >/dev/null 2>&1; xrpc /xrpc/com.atproto.server.getSession -H "$bearer") &
`+awaitStep("sent"), dir)
	}()
	waitForFile(t, filepath.Join(dir, "started"))
	e.clock.Set(e.clock.Now().Add(17 * time.Minute)) // 3 minutes left: the proxy's call refreshes first
	os.WriteFile(filepath.Join(dir, "go-started"), nil, 0o600)
	waitForFile(t, filepath.Join(dir, "sent"))
	for deadline := time.Now().Add(20 * time.Second); e.srv.Calls(nsidRefresh) == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the proxy's refresh never reached the PDS")
		}
	}
	os.WriteFile(filepath.Join(dir, "go-sent"), nil, 0o600)
	wantCode(t, <-done, exitOK)
	if a := e.account(alice.DID); a.RefreshJwt == old || !e.srv.RefreshTokenValid(a.RefreshJwt) {
		t.Errorf("exec ended before the refresh under way was saved (the new refresh token saved: %v)", a.RefreshJwt != old)
	}
}

// The seam: a password account's command gets the PDS's URL and the real
// token; an OAuth account's, the proxy's URL and the run's secret.
func TestExecSessionByKind(t *testing.T) {
	t.Parallel()
	ce := newCLIEnv(t, fakepds.Options{})
	alice := ce.addAccount("alice.test")
	ce.login("alice.test")
	a := ce.account(alice.DID)
	e := &invocation{app: &App{}, mgr: &accounts.Manager{Store: storage.Open(ce.path), Client: ce.client, Now: ce.clock.Now}}
	s, err := e.execSession(context.Background(), a)
	if err != nil || s.proxy != nil || s.pds != a.Endpoint() || s.token != a.AccessJwt {
		t.Errorf("a password session: proxy %v, the PDS's URL %v, the token %v (%v)", s.proxy != nil, s.pds == a.Endpoint(), s.token == a.AccessJwt, err)
	}
	a.OAuth = &auth.OAuthData{Issuer: ce.srv.URL()}
	s, err = e.execSession(context.Background(), a)
	if err != nil || s.proxy == nil {
		t.Fatalf("an OAuth session got no proxy: %v", err)
	}
	defer s.proxy.Close()
	if s.pds != s.proxy.URL() || s.token != s.proxy.Secret() || s.token == a.AccessJwt || s.proxy.DID() != alice.DID {
		t.Errorf("an OAuth session: the proxy's URL %v, its secret %v", s.pds == s.proxy.URL(), s.token == s.proxy.Secret())
	}
}

// awaitStep is a line of shell that makes the file "$1/<name>", then
// waits (at most 20 s) for "$1/go-<name>".
func awaitStep(name string) string {
	return `touch "$1/` + name + `"
n=0; while [ ! -e "$1/go-` + name + `" ] && [ $n -lt 2000 ]; do sleep 0.01; n=$((n+1)); done
`
}

// waitForFile waits until the file exists, failing after 20 s.
func waitForFile(t *testing.T, name string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(name); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never appeared", filepath.Base(name))
		}
	}
}

// A command whose environment names an HTTP proxy (http_proxy, as behind
// a company's proxy) still reaches exec's proxy: curl sends a request
// for 127.0.0.1 to http_proxy unless no_proxy exempts it, so exec adds
// 127.0.0.1 to the no_proxy variable set (or sets both). A password
// account's command, given the PDS's own URL, gets the environment as it
// was.
func TestExecProxyBypassesAnHTTPProxy(t *testing.T) {
	t.Parallel()
	needTools(t, "sh", "curl")
	e := newCLIEnv(t, fakepds.Options{})
	alice := e.addAccount("alice.test")
	e.login("alice.test")
	const script = `printf '%s|%s' "${no_proxy-unset}" "${NO_PROXY-unset}" > "$1/np"
curl -sS -H "Authorization: Bearer $ATP_ACCESS_TOKEN" "$ATP_PDS_URL/xrpc/com.atproto.server.getSession"`
	for _, c := range []struct {
		env  []string
		want string
	}{
		{[]string{"NO_PROXY=corp.example"}, "unset|corp.example,127.0.0.1"},
		{[]string{"no_proxy=a.example", "NO_PROXY=b.example"}, "a.example,127.0.0.1|b.example,127.0.0.1"},
		{nil, "127.0.0.1|127.0.0.1"},
	} {
		dir := t.TempDir()
		env := append([]string{"PATH=" + os.Getenv("PATH"), "http_proxy=http://127.0.0.1:1", "HTTP_PROXY=http://127.0.0.1:1"}, c.env...)
		a := &App{execProxy: &accounts.ProxyOptions{}, Environ: func() []string { return env }}
		r := e.runCLI(a, "exec", "--", "sh", "-c", script, "sh", dir)
		np, _ := os.ReadFile(filepath.Join(dir, "np"))
		if r.code != exitOK || !strings.Contains(r.stdout, alice.DID) || string(np) != c.want {
			t.Errorf("%v: no_proxy|NO_PROXY %q, want %q: %s", c.env, np, c.want, r)
		}
	}
	dir := t.TempDir()
	env := []string{"PATH=" + os.Getenv("PATH"), "NO_PROXY=corp.example"}
	r := e.runCLI(&App{Environ: func() []string { return env }}, "exec", "--", "sh", "-c", script, "sh", dir)
	if np, _ := os.ReadFile(filepath.Join(dir, "np")); r.code != exitOK || string(np) != "unset|corp.example" {
		t.Errorf("a password account's command: no_proxy|NO_PROXY %q: %s", np, r)
	}
}
