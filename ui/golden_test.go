package ui_test

// Golden files of the whole screen at 80×24, one per scenario, made by
// running the real program over the accounts Manager and the fake PDS, its
// output going into a virtual terminal (github.com/charmbracelet/x/vt).
// Regenerate with `go test ./ui -run Golden -update` and read every diff
// before committing.
//
// The golden is the screen as the terminal shows it, not the byte stream:
// Bubble Tea v2 writes only the cells that changed, so a frame's text is
// seldom whole in the stream, and its frame boundaries depend on timing.
//
// What makes them deterministic: the model, the Manager and the fake PDS
// share a clock that stands still (the program's real one-second tick
// only re-reads it), the retry jitter is zero, DIDs are fixed (did()) and
// clock times print in UTC. The one random thing left is the fake PDS's
// port: its digits are replaced by X (the same width, so the columns stay
// put).

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image/color"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/vt"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/ui"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// vterm is a virtual terminal the program writes to: the screen it shows,
// and every byte it was sent (for the secrets check).
type vterm struct {
	mu     sync.Mutex
	emu    *vt.Emulator
	stream bytes.Buffer
}

// Write is the terminal receiving output. Like a terminal behind a tty
// (whose line discipline maps NL to CR NL, as Bubble Tea expects when its
// input is not a tty), a line feed also returns the carriage.
func (v *vterm) Write(b []byte) (int, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.stream.Write(b)
	if _, err := v.emu.Write(bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))); err != nil {
		return 0, err
	}
	return len(b), nil
}

// screen is the text the terminal shows now, trailing spaces trimmed.
func (v *vterm) screen() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.emu.String()
}

// styled is the screen with its styles, as SGR sequences.
func (v *vterm) styled() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.emu.Render()
}

func (v *vterm) altScreen() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.emu.IsAltScreen()
}

func (v *vterm) bytesSent() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.stream.String()
}

// program runs the TUI over the world in a virtual 80×24 terminal.
type program struct {
	t     *testing.T
	w     *world
	p     *tea.Program
	term  *vterm
	keyIn *io.PipeWriter // the terminal's keyboard: bytes as typed
	done  chan struct{}
	final tea.Model
	err   error
}

func (w *world) run(opts ui.Options) *program { return w.runOn(nil, opts) }

// runOn is run in a terminal whose background is bg (black when nil), as
// it answers the program's question.
func (w *world) runOn(bg color.Color, opts ui.Options) *program {
	opts.Now = w.clk.Now
	opts.Jitter = func() float64 { return 0 }
	m := ui.New(w.mgr, opts)
	term := &vterm{emu: vt.NewEmulator(80, 24)}
	if bg != nil {
		term.emu.SetDefaultBackgroundColor(bg)
	}
	in, keyIn := io.Pipe()
	p := &program{t: w.t, w: w, term: term, keyIn: keyIn, done: make(chan struct{})}
	p.p = tea.NewProgram(ui.Program(m), tea.WithInput(in), tea.WithOutput(term),
		tea.WithWindowSize(80, 24), tea.WithColorProfile(colorprofile.TrueColor),
		tea.WithEnvironment([]string{"TERM=xterm-256color"}), tea.WithoutSignals())
	// The terminal's answers (its background colour) go back as input.
	go func() { _, _ = io.Copy(keyIn, term.emu) }()
	go func() {
		defer close(p.done)
		p.final, p.err = p.p.Run()
	}()
	w.t.Cleanup(func() {
		p.p.Quit()
		p.wait()
		_ = in.CloseWithError(io.EOF)
	})
	return p
}

// wait waits for the program to end (a deadline, not a timing).
func (p *program) wait() {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		p.t.Fatal("the program did not end within 15 s")
	}
}

// waitFor waits until everything in pieces is on the screen (a deadline,
// not a timing: a hang fails the test).
func (p *program) waitFor(pieces ...string) string {
	p.t.Helper()
	return p.waitUntil(p.term.screen, func(s string) string { return s }, pieces)
}

// waitStyled waits until the screen with its styles (vterm.styled) holds
// every piece (a deadline, not a timing).
func (p *program) waitStyled(pieces ...string) {
	p.t.Helper()
	p.waitUntil(p.term.styled, func(s string) string {
		return strings.ReplaceAll(fmt.Sprintf("%q", s), `\n`, "\n")
	}, pieces)
}

// waitUntil polls read until its text holds every piece, for at most 15 s,
// and returns that text; on failure it shows the text through show.
func (p *program) waitUntil(read func() string, show func(string) string, pieces []string) string {
	p.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		s := read()
		missing := ""
		for _, piece := range pieces {
			if !strings.Contains(s, piece) {
				missing = piece
				break
			}
		}
		if missing == "" {
			return s
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("waited 15 s for %q; the screen:\n%s", missing, show(s))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (p *program) keys(keys ...string) {
	for _, k := range keys {
		p.p.Send(keyMsg(k))
	}
}

func (p *program) typ(s string) {
	for _, r := range s {
		p.p.Send(runeKey(r))
	}
}

// input writes bytes to the program's input in one write, as a terminal
// does with keys that arrive together.
func (p *program) input(b string) {
	p.t.Helper()
	if _, err := io.WriteString(p.keyIn, b); err != nil {
		p.t.Fatal(err)
	}
}

var portRE = regexp.MustCompile(`127\.0\.0\.1:(\d+)`)

// golden compares the screen with the golden file, checks that no token
// was ever sent to the terminal, and quits the program.
func (p *program) golden() {
	p.t.Helper()
	screen := p.term.screen()
	p.checkSecrets(screen + p.term.bytesSent())
	screen = portRE.ReplaceAllStringFunc(screen, func(s string) string {
		host, port, _ := strings.Cut(s, ":")
		return host + ":" + strings.Repeat("X", len(port))
	})
	path := filepath.Join("testdata", p.t.Name()+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(screen), 0o600); err != nil {
			p.t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		p.t.Fatal(err)
	}
	if screen != string(want) {
		p.t.Fatalf("the screen differs from %s:\n--- got\n%s\n--- want\n%s", path, screen, want)
	}
	p.p.Quit()
	p.wait()
}

func (p *program) checkSecrets(seen string) {
	p.t.Helper()
	st, err := storage.Open(p.w.path).Load()
	if err != nil {
		p.t.Fatal(err)
	}
	secrets := []string{password}
	for _, a := range st.Accounts {
		secrets = append(secrets, a.AccessJwt, a.RefreshJwt)
		if a.OAuth != nil {
			secrets = append(secrets, a.OAuth.DPoPKey)
		}
	}
	for _, q := range st.PendingLogouts {
		secrets = append(secrets, q.Session.AccessJwt, q.Session.RefreshJwt)
	}
	for _, s := range secrets {
		if strings.Contains(seen, s) {
			p.t.Errorf("a secret (%d bytes, not printed) was on the screen", len(s))
		}
	}
}

// fill fills the add-account form opened with a.
func (p *program) fill(service, ident, pw string) {
	p.keys("a")
	p.waitFor("Add an account")
	p.keys("shift+tab")
	p.typ(service)
	p.keys("tab")
	p.typ(ident)
	p.keys("tab")
	p.typ(pw)
}

func TestGoldenEmptyStore(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	p := w.run(ui.Options{})
	p.waitFor("No accounts yet.")
	p.golden()
}

func TestGoldenThreeAccounts(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	threeAccounts(w)
	p := w.run(ui.Options{})
	p.waitFor("@alice.test", "@bob.test", "@carol.test")
	p.golden()
}

func TestGoldenLoginSignInCode(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	w.add(nil, "carol.test", true)
	p := w.run(ui.Options{})
	p.waitFor("@alice.test")
	p.fill(w.srv.URL(), "carol.test", password)
	p.keys("enter")
	p.waitFor("Sign-in code", "A sign-in code was sent to your email")
	p.typ(w.srv.SignInCode(did("carol.test")))
	p.keys("enter")
	p.waitFor("Added @carol.test", "2 accounts")
	p.golden()
}

func TestGoldenWrongPassword(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.add(nil, "alice.test", false)
	p := w.run(ui.Options{})
	p.waitFor("No accounts yet.")
	p.fill(w.srv.URL(), "alice.test", "not-the-password")
	p.keys("enter")
	p.waitFor("Wrong identifier or password.")
	p.golden()
}

func TestGoldenTransientFailure(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	w.login(nil, "bob.test")
	w.srv.Inject(nsidRefresh, fakepds.Fault{Kind: fakepds.FaultStatus, Status: 503, RetryAfter: 42 * time.Second})
	// Four minutes left: under the margin, so the first tick refreshes.
	w.clk.Set(w.account("alice.test").AccessExpiry().Add(-4 * time.Minute))
	p := w.run(ui.Options{})
	p.waitFor(": refresh failed, server error 503; retrying in 0:42", "@alice.test, @bob.test")
	p.golden()
}

func TestGoldenPermanentFailure(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	alice := w.login(nil, "alice.test")
	w.login(nil, "bob.test")
	// The session was revoked elsewhere; the TUI learns it at the refresh.
	if err := w.mgr.Client.DeleteSession(context.Background(), alice.SessionData); err != nil {
		t.Fatal(err)
	}
	p := w.run(ui.Options{Select: "alice.test"})
	p.waitFor("@alice.test")
	p.keys("r")
	p.waitFor("@alice.test: session expired or revoked; press enter on it to log in again")
	p.golden()
}

func TestGoldenLogout(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	w.login(nil, "bob.test")
	p := w.run(ui.Options{Select: "bob.test"})
	p.waitFor("@bob.test")
	p.keys("x")
	p.waitFor("logout in 5 s")
	w.clk.Advance(ui.UndoWindow) // the next tick closes the window
	p.waitFor("Logged out @bob.test", "1 account")
	p.golden()
}

// x opens the undo window: the row counts down, the footer offers u.
func TestGoldenLogoutWindow(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	w.login(nil, "bob.test")
	p := w.run(ui.Options{Select: "bob.test"})
	p.waitFor("@bob.test")
	p.keys("x")
	p.waitFor("logout in 5 s", "u undo log out")
	p.golden()
}

func TestGoldenLogoutPending(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	w.login(nil, "bob.test")
	w.srv.Inject(nsidDelete, fakepds.Fault{Kind: fakepds.FaultStatus, Status: 502})
	p := w.run(ui.Options{Select: "bob.test"})
	p.waitFor("@bob.test")
	p.keys("x")
	p.waitFor("logout in 5 s")
	w.clk.Advance(ui.UndoWindow)
	p.waitFor("@bob.test removed", "logout pending", "1 account")
	p.golden()
}

// The golden tests run the real program; make sure it is the same model
// the driver tests use, i.e. Program only adapts it, and that q gives the
// terminal back: the alternate screen left, the view empty.
func TestProgramQuitsOnQ(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	p := w.run(ui.Options{})
	p.waitFor("No accounts yet.")
	if !p.term.altScreen() {
		t.Fatal("the switcher is not on the alternate screen")
	}
	p.keys("q")
	p.wait()
	if p.err != nil {
		t.Fatalf("the program ended with %v", p.err)
	}
	if v := p.final.View(); v.Content != "" {
		t.Fatalf("after q the view is %q", v.Content)
	}
	if p.term.altScreen() {
		t.Fatal("after q the terminal is still on the alternate screen")
	}
}

// Keys that arrive in one read ("jj" from a held key or a fast typist over
// SSH) each count: Bubble Tea gives each its own message.
func TestKeysArrivingTogetherEachCount(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	threeAccounts(w)
	p := w.run(ui.Options{Select: "alice.test"})
	p.waitFor(">   @alice.test")
	p.input("jj")
	p.waitFor("> ● @carol.test")
	// In a text field the same burst is text, not commands.
	p.input("/bo")
	p.waitFor("/bo", ">   @bob.test")
}
