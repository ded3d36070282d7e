package cli

// End-to-end tests of the switcher: the built binary in a real terminal
// (tmux, 80×24), against the fake PDS running in the test process. Keys go
// in with send-keys and the screen comes back with capture-pane; every wait
// polls the screen until a deadline (a hang fails the test, a slow machine
// does not).

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

// tmuxTerm is one binary running in a detached tmux session of its own
// server (-L), so parallel runs and the user's tmux never meet.
type tmuxTerm struct {
	t      *testing.T
	socket string
	dir    string
}

var tmuxSeq atomic.Int64

// startTUI runs the switcher in tmux with a config folder of its own and
// the extra environment given.
func startTUI(t *testing.T, p *procEnv, extraEnv ...string) *tmuxTerm {
	t.Helper()
	return startPane(t, p, append(extraEnv, p.bin)...)
}

// startPane runs command (env assignments first) in tmux with a config
// folder of its own.
func startPane(t *testing.T, p *procEnv, command ...string) *tmuxTerm {
	t.Helper()
	lookTool(t, "tmux", "the end-to-end TUI tests")
	tt := &tmuxTerm{t: t, socket: fmt.Sprintf("skyswitch-e2e-%d-%d", os.Getpid(), tmuxSeq.Add(1)), dir: t.TempDir()}
	// Keep the pane when the program ends, to see how it ended.
	conf := filepath.Join(tt.dir, "tmux.conf")
	if err := os.WriteFile(conf, []byte("set -g remain-on-exit on\nset -g status off\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"-f", conf, "new-session", "-d", "-s", "main", "-x", "80", "-y", "24", "env"}
	args = append(args, p.environ()...)
	// A person's terminal, not CI's: termenv turns colour off whenever CI
	// is set, and the tmux server inherits this process's environment.
	args = append(args, "CI=")
	args = append(args, command...)
	// Record every byte the pane's programs write, for a failure to show
	// (rawTail). The server runs the commands of one call before it reads
	// the new pane, so the record misses nothing.
	args = append(args, ";", "pipe-pane", "-t", "main", "cat >> "+shQuote(tt.rawPath()))
	t.Cleanup(func() { _ = tt.tmux("kill-server") })
	if err := tt.tmux(args...); err != nil {
		t.Fatalf("tmux new-session: %v", err)
	}
	return tt
}

func (tt *tmuxTerm) command(args ...string) *exec.Cmd {
	// -u: UTF-8 whatever the locale, so ● and … come back as they are.
	cmd := exec.Command("tmux", append([]string{"-u", "-L", tt.socket}, args...)...)
	cmd.Env = append(os.Environ(), "TMUX=", "TMUX_TMPDIR="+tt.dir)
	return cmd
}

func (tt *tmuxTerm) tmux(args ...string) error {
	out, err := tt.command(args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("tmux %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

// screen is what the terminal shows now (with -e, its colours too).
func (tt *tmuxTerm) screen(escapes bool) string {
	tt.t.Helper()
	args := []string{"capture-pane", "-p", "-t", "main"}
	if escapes {
		args = append(args, "-e")
	}
	out, err := tt.command(args...).Output()
	if err != nil {
		tt.t.Fatalf("capture-pane: %v", err)
	}
	return string(out)
}

// keys sends tmux key names (Enter, Tab, BTab, a, x).
func (tt *tmuxTerm) keys(keys ...string) {
	tt.t.Helper()
	if err := tt.tmux(append([]string{"send-keys", "-t", "main"}, keys...)...); err != nil {
		tt.t.Fatal(err)
	}
}

// typ sends text literally.
func (tt *tmuxTerm) typ(text string) {
	tt.t.Helper()
	if err := tt.tmux("send-keys", "-t", "main", "-l", text); err != nil {
		tt.t.Fatal(err)
	}
}

// e2eWait bounds every wait on the terminal: as long as procEnv.run gives
// a command, so that only a hang fails (a machine shared by several test
// runs may take seconds to start a process and draw its first frame).
const e2eWait = 60 * time.Second

// until polls cond until it holds, for at most e2eWait, then fails the
// test with the screen and the state of the pane (running, or how the
// program in it ended).
func (tt *tmuxTerm) until(what string, cond func() bool) {
	tt.t.Helper()
	deadline := time.Now().Add(e2eWait)
	for !cond() {
		if time.Now().After(deadline) {
			tt.t.Fatalf("waited %v for %s; %s; the screen:\n%s\nthe last bytes written to it: %s",
				e2eWait, what, tt.paneState(), tt.screen(false), tt.rawTail())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (tt *tmuxTerm) rawPath() string { return filepath.Join(tt.dir, "pane.raw") }

// rawTail is the end of what the pane's programs wrote, escapes and all,
// quoted: what made the screen what it is.
func (tt *tmuxTerm) rawTail() string {
	raw, err := os.ReadFile(tt.rawPath())
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%q", raw[max(len(raw)-1500, 0):])
}

// waitFor polls the screen until cond holds, and returns that screen.
func (tt *tmuxTerm) waitFor(what string, cond func(screen string) bool) string {
	tt.t.Helper()
	var s string
	tt.until(what, func() bool { s = tt.screen(false); return cond(s) })
	return s
}

// paneState says whether the pane's program runs, or its exit status, and
// whether the alternate screen is on.
func (tt *tmuxTerm) paneState() string {
	out, err := tt.command("display-message", "-p", "-t", "main",
		"pane dead #{pane_dead}, exit status #{pane_dead_status}, alternate screen #{alternate_on}").Output()
	if err != nil {
		return fmt.Sprintf("the pane's state is unknown (%v)", err)
	}
	return strings.TrimSpace(string(out))
}

func (tt *tmuxTerm) waitText(text string) string {
	tt.t.Helper()
	return tt.waitFor(fmt.Sprintf("%q", text), func(s string) bool { return strings.Contains(s, text) })
}

// paneDead reports whether the program has ended.
func (tt *tmuxTerm) paneDead() bool {
	out, err := tt.command("display-message", "-p", "-t", "main", "#{pane_dead}").Output()
	return err == nil && strings.TrimSpace(string(out)) == "1"
}

var countdownRE = regexp.MustCompile(`@alice\.test\s+\S+\s+(\d+h\d\dm\d\ds|\d+m\d\ds|0:\d\d)\s`)

// Add an account through the form, watch its countdown move, log it out
// with x: the session is revoked on the server.
func TestTUIEndToEnd(t *testing.T) {
	t.Parallel()
	srv := newProcServer(t, fakepds.Options{AccessLifetime: 2 * time.Minute})
	alice := srv.AddAccount(fakepds.Account{Handle: "alice.test", Email: "alice@example.com", Password: testPassword})
	p := newProcEnv(t, srv)
	tt := startTUI(t, p)

	tt.waitText("No accounts yet.")
	tt.keys("a")
	tt.waitText("Add an account")
	tt.keys("BTab") // the form opens on the account; the service is last
	tt.typ(srv.URL())
	tt.keys("Tab")
	tt.typ("alice.test")
	tt.keys("Tab")
	tt.typ(testPassword)
	if s := tt.screen(false); strings.Contains(s, testPassword) {
		t.Fatal("the password is on the screen")
	}
	tt.keys("Enter")

	s := tt.waitFor("alice's row with a countdown", func(s string) bool { return countdownRE.MatchString(s) })
	if !strings.Contains(s, "Added @alice.test; it is now the active account.") {
		t.Errorf("no word that the account was added:\n%s", s)
	}
	first := countdownRE.FindStringSubmatch(s)[1]
	tt.waitFor("the countdown to move from "+first, func(s string) bool {
		m := countdownRE.FindStringSubmatch(s)
		return m != nil && m[1] != first
	})

	st, err := storage.Open(p.path()).Load()
	if err != nil {
		t.Fatal(err)
	}
	a, ok := st.Account(alice.DID)
	if !ok || st.Active != alice.DID {
		t.Fatal("alice is not saved as the active account")
	}
	refresh := a.RefreshJwt
	if !srv.RefreshTokenValid(refresh) {
		t.Fatal("the saved refresh token does not work before logout")
	}
	if s := tt.screen(false); strings.Contains(s, refresh) || strings.Contains(s, a.AccessJwt) {
		t.Fatal("a token is on the screen")
	}

	tt.keys("x")
	tt.waitText("logout in ") // the undo window; the logout follows it
	s = tt.waitText("Logged out @alice.test")
	if !strings.Contains(s, "No accounts yet.") {
		t.Errorf("the account is still listed:\n%s", s)
	}
	if srv.RefreshTokenValid(refresh) {
		t.Error("the refresh token still works after x")
	}
	if n := srv.ActiveSessions(alice.DID); n != 0 {
		t.Errorf("%d sessions left on the server", n)
	}
	if st, err := storage.Open(p.path()).Load(); err != nil || len(st.Accounts) != 0 || st.Active != "" {
		t.Errorf("accounts file after logout: %v", err)
	}

	tt.keys("q")
	tt.until("q to end the program", tt.paneDead)
}

// paste pastes text as a terminal does when the program asked for
// bracketed paste (tmux paste-buffer -p), in one piece.
func (tt *tmuxTerm) paste(text string) {
	tt.t.Helper()
	if err := tt.tmux("set-buffer", "-b", "e2e", "--", text); err != nil {
		tt.t.Fatal(err)
	}
	if err := tt.tmux("paste-buffer", "-p", "-d", "-b", "e2e", "-t", "main"); err != nil {
		tt.t.Fatal(err)
	}
}

// pasteLogin opens the login form, pastes account, password and service
// into its fields in order, and submits it.
func pasteLogin(tt *tmuxTerm, account, password, service string) {
	tt.t.Helper()
	tt.keys("a")
	tt.waitText("Add an account")
	tt.paste(account)
	tt.keys("Tab")
	tt.paste(password)
	tt.keys("Tab")
	tt.paste(service)
	tt.waitText(service)
	tt.keys("Enter")
}

// An app password and an emailed sign-in code pasted into the login form
// log the account in.
func TestTUIPasteLogsIn(t *testing.T) {
	t.Parallel()
	srv := newProcServer(t, fakepds.Options{})
	carol := srv.AddAccount(fakepds.Account{Handle: "carol.test", Email: "carol@example.com", Password: testPassword, EmailAuthFactor: true})
	appPassword, err := srv.CreateAppPassword(carol.DID, "e2e", false)
	if err != nil {
		t.Fatal(err)
	}
	p := newProcEnv(t, srv)
	tt := startTUI(t, p)
	tt.waitText("No accounts yet.")
	pasteLogin(tt, "carol.test", appPassword, srv.URL())
	if s := tt.waitText("Added @carol.test"); strings.Contains(s, appPassword) {
		t.Fatal("the app password is on the screen")
	}

	// The main password asks for the emailed code (app passwords skip it):
	// dave's, as carol's would (another account, so that no 5-second undo
	// window of x is waited out to log carol out first).
	dave := srv.AddAccount(fakepds.Account{Handle: "dave.test", Email: "dave@example.com", Password: testPassword, EmailAuthFactor: true})
	pasteLogin(tt, "dave.test", testPassword, srv.URL())
	tt.waitText("A sign-in code was sent to your email")
	tt.paste(srv.SignInCode(dave.DID))
	tt.keys("Enter")
	tt.waitText("Added @dave.test")
}

// After q the terminal is as it was: off the alternate screen, and the
// shell that follows reads what is typed as plain text (no keyboard
// protocol left on) and echoes it as it is typed.
func TestTUILeavesTheTerminalClean(t *testing.T) {
	t.Parallel()
	srv := newProcServer(t, fakepds.Options{})
	p := newProcEnv(t, srv)
	// The shell outlives its last line: what a pane prints as it dies can
	// miss tmux's screen (once in CI the last line was not there, though
	// the shell had exited 0).
	tt := startShell(t, p, `"$BIN"; echo "switcher exit $?"; read -r line; echo "the shell read [$line]"; sleep 600`, "BIN="+p.bin)
	tt.waitText("No accounts yet.")
	tt.keys("q")
	// The shell prints the status once the switcher has ended: by then
	// every byte the switcher wrote has reached the terminal, so the
	// screen is what the switcher left.
	s := tt.waitFor("the switcher to end", func(s string) bool { return exitRE.MatchString(s) })
	if !strings.Contains(s, "switcher exit 0") || tt.alternate() {
		t.Fatalf("after q: %s; the screen:\n%s", tt.paneState(), s)
	}
	tt.typ("typed-after-q")
	tt.waitText("typed-after-q") // echoed as typed
	tt.keys("Enter")
	tt.waitText("the shell read [typed-after-q]")
}

var exitRE = regexp.MustCompile(`switcher exit \d+`)

// sgrRE finds SGR sequences; hasColour looks in them for a colour (39 and
// 49, the terminal's default colours, are none: tmux writes them after a
// reset).
var sgrRE = regexp.MustCompile(`\x1b\[([0-9;]*)m`)

func hasColour(screen string) bool {
	for _, m := range sgrRE.FindAllStringSubmatch(screen, -1) {
		for _, p := range strings.Split(m[1], ";") {
			var n int
			fmt.Sscan(p, &n)
			if n >= 30 && n <= 49 && n != 39 && n != 49 || n >= 90 && n <= 107 {
				return true
			}
		}
	}
	return false
}

// NO_COLOR turns every colour off, whatever its value (no-color.org: any
// but empty, as prompt reads it); without it the countdown is coloured.
func TestTUIHonoursNoColor(t *testing.T) {
	t.Parallel()
	_, _, p := newAliceProc(t, fakepds.Options{})
	for _, c := range []struct {
		env    []string
		colour bool
	}{{nil, true}, {[]string{"NO_COLOR=1"}, false}, {[]string{"NO_COLOR=yes"}, false}, {[]string{"NO_COLOR="}, true}} {
		tt := startTUI(t, p, c.env...)
		tt.waitText("@alice.test")
		if got := hasColour(tt.screen(true)); got != c.colour {
			t.Errorf("env %v: colour on screen %v, want %v", c.env, got, c.colour)
		}
		tt.keys("q")
	}
}

// startShell runs script under sh in tmux (80×24), with the procEnv's
// environment, this process's PATH (the script runs stty, grep…) and env.
func startShell(t *testing.T, p *procEnv, script string, env ...string) *tmuxTerm {
	t.Helper()
	command := append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	return startPane(t, p, append(command, "sh", "-c", script)...)
}

// alternate reports whether the pane shows the alternate screen.
func (tt *tmuxTerm) alternate() bool {
	out, err := tt.command("display-message", "-p", "-t", "main", "#{alternate_on}").Output()
	return err == nil && strings.TrimSpace(string(out)) == "1"
}
