package ui_test

// The test harness: a fake clock shared by the fake PDS, the auth client,
// the accounts Manager and the model; a driver that feeds messages to
// Model.Update and runs the commands it returns the way Bubble Tea would,
// except the timers (the one-second tick, spinner frames, cursor blinks),
// which it counts and drops: the tests send their own ticks.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/ui"
)

func TestMain(m *testing.M) {
	// Clock times print in UTC. (The model's colours are a dark
	// terminal's until the terminal says otherwise, which here it never
	// does; views are seen without colour unless a test asks: viewProfile.)
	time.Local = time.UTC
	os.Exit(m.Run())
}

// viewProfile is the terminal the tests see frames on: one without colour
// (goldens and text checks), unless a test asks for another (withProfile).
// The tests do not run in parallel.
var viewProfile = colorprofile.NoTTY

// withProfile sees the test's frames on a terminal of profile p.
func withProfile(t testing.TB, p colorprofile.Profile) {
	viewProfile = p
	t.Cleanup(func() { viewProfile = colorprofile.NoTTY })
}

// screenOf is a frame as a terminal of viewProfile receives it: the view
// always has true colour, and Bubble Tea's renderer converts it to what
// the terminal shows (none at all without a terminal).
func screenOf(v tea.View) string {
	if viewProfile == colorprofile.TrueColor {
		return v.Content
	}
	var b strings.Builder
	w := &colorprofile.Writer{Forward: &b, Profile: viewProfile}
	if _, err := w.WriteString(v.Content); err != nil {
		panic(err)
	}
	return b.String()
}

const password = "app-pass-word-1234"

// t0 is when every test starts: a whole second, so token times (whole
// seconds) line up with it.
var t0 = time.Date(2030, 3, 4, 15, 0, 0, 0, time.UTC)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: t0} }

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func (c *clock) Set(t time.Time)         { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// did makes a fixed, valid-looking did:plc for a name (24 base32 chars).
func did(name string) string {
	s := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z' || r >= '2' && r <= '7':
			return r
		case r >= '0' && r <= '9': // 0, 1, 8, 9 are not base32
			return 'w' + r%4
		}
		return -1
	}, name)
	return "did:plc:" + (s + strings.Repeat("a", 24))[:24]
}

// world is a fake PDS (or several), an accounts file and a Manager over
// them, all on one fake clock.
type world struct {
	t    *testing.T
	clk  *clock
	srv  *fakepds.Server
	path string
	mgr  *accounts.Manager
}

func newWorld(t *testing.T, opts fakepds.Options) *world {
	t.Helper()
	w := &world{t: t, clk: newClock(), path: filepath.Join(t.TempDir(), "skyswitch", "accounts.json")}
	w.srv = w.server(opts)
	w.mgr = w.manager()
	return w
}

// server starts another fake PDS on the world's clock.
func (w *world) server(opts fakepds.Options) *fakepds.Server {
	opts.Now = w.clk.Now
	opts.IncludeDIDDoc = true
	srv := fakepds.New(opts)
	w.t.Cleanup(srv.Close)
	return srv
}

// manager is a Manager over the world's file, as another process would
// have one.
func (w *world) manager() *accounts.Manager {
	return &accounts.Manager{
		Store:  storage.Open(w.path),
		Client: &auth.Client{Now: w.clk.Now, Timeout: 5 * time.Second, Resolver: &auth.Resolver{PLCURL: w.srv.URL()}},
		Now:    w.clk.Now,
	}
}

// add creates an account on srv (the world's by default).
func (w *world) add(srv *fakepds.Server, handle string, twoFactor bool) fakepds.Account {
	if srv == nil {
		srv = w.srv
	}
	return srv.AddAccount(fakepds.Account{DID: did(handle), Handle: handle, Email: handle + "@example.com",
		Password: password, EmailConfirmed: true, EmailAuthFactor: twoFactor})
}

// login adds an account on srv and logs it in through the Manager, as the
// demo seeds its accounts. It becomes the active one.
func (w *world) login(srv *fakepds.Server, handle string) storage.Account {
	w.t.Helper()
	if srv == nil {
		srv = w.srv
	}
	w.add(srv, handle, false)
	a, err := w.mgr.Login(context.Background(), auth.LoginInput{Service: srv.URL(), Identifier: handle, Password: password})
	if err != nil {
		w.t.Fatalf("login %s: %v", handle, err)
	}
	return a
}

func (w *world) load() *storage.State {
	w.t.Helper()
	st, err := storage.Open(w.path).Load()
	if err != nil {
		w.t.Fatal(err)
	}
	return st
}

func (w *world) account(handle string) storage.Account {
	w.t.Helper()
	a, ok := w.load().Find(handle)
	if !ok {
		w.t.Fatalf("%s is not saved", handle)
	}
	return *a
}

// Endpoints of the fake PDS.
const (
	nsidCreate  = "com.atproto.server.createSession"
	nsidRefresh = "com.atproto.server.refreshSession"
	nsidDelete  = "com.atproto.server.deleteSession"
	nsidGet     = "com.atproto.server.getSession"
)

// driver runs a Model the way Bubble Tea would, one message at a time.
type driver struct {
	t      *testing.T
	m      ui.Model
	svc    ui.Service
	w      *world // nil with a stub service
	clk    *clock // the model's
	timers int    // timer commands returned by the last send (dropped)
	ticks  int    // of which one-second ticks (tea.Every)
	views  []string
	// secrets must never appear in any View: every token the accounts
	// file held at any step, and the password.
	secrets map[string]bool
}

func (w *world) start(opts ui.Options) *driver {
	w.t.Helper()
	d := newDriver(w.t, w.mgr, w.clk, opts)
	d.w = w
	d.secrets[password] = true
	d.boot()
	return d
}

func newDriver(t *testing.T, svc ui.Service, clk *clock, opts ui.Options) *driver {
	if opts.Now == nil {
		opts.Now = clk.Now
	}
	if opts.Jitter == nil {
		opts.Jitter = func() float64 { return 0 }
	}
	d := &driver{t: t, m: ui.New(svc, opts), svc: svc, clk: clk, secrets: map[string]bool{}}
	t.Cleanup(d.checkSecrets)
	return d
}

// boot runs Init and gives the window its 80×24.
func (d *driver) boot() {
	d.t.Helper()
	d.run(d.m.Init())
	d.send(tea.WindowSizeMsg{Width: 80, Height: 24})
}

// send hands msg to Update and runs every command that follows from it.
func (d *driver) send(msg tea.Msg) {
	d.t.Helper()
	var cmd tea.Cmd
	d.m, cmd = d.m.Update(msg)
	d.collect()
	d.run(cmd)
}

// run executes cmd and what follows, until only timers are left.
func (d *driver) run(cmd tea.Cmd) {
	d.t.Helper()
	d.timers, d.ticks = 0, 0
	queue := d.leaves(cmd)
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 1000 {
			d.t.Fatal("commands keep coming: a loop")
		}
		c := queue[0]
		queue = queue[1:]
		msg := c()
		if _, ok := msg.(spinner.TickMsg); ok {
			continue // a frame of the spinner: nothing to test
		}
		var next tea.Cmd
		d.m, next = d.m.Update(msg)
		d.collect()
		queue = append(queue, d.leaves(next)...)
	}
}

// pending is send without running the commands: it returns them.
func (d *driver) pending(msg tea.Msg) []tea.Cmd {
	d.t.Helper()
	var cmd tea.Cmd
	d.m, cmd = d.m.Update(msg)
	d.timers, d.ticks = 0, 0
	return d.leaves(cmd)
}

// deliver runs one held command and what follows from it.
func (d *driver) deliver(c tea.Cmd) {
	d.t.Helper()
	d.send(c())
}

// leaves flattens batches and drops (counting) the timers.
func (d *driver) leaves(cmd tea.Cmd) []tea.Cmd {
	if cmd == nil {
		return nil
	}
	name := cmdName(cmd)
	switch {
	case strings.Contains(name, "Every.func"):
		d.timers++
		d.ticks++
		return nil
	case strings.Contains(name, ".Tick.func"), strings.Contains(name, ".Blink.func"):
		d.timers++
		return nil
	case strings.Contains(name, "compactCmds"):
		msg := cmd()
		v := reflect.ValueOf(msg)
		if v.Kind() != reflect.Slice {
			d.t.Fatalf("a batch gave %T", msg)
		}
		var out []tea.Cmd
		for i := range v.Len() {
			out = append(out, d.leaves(v.Index(i).Interface().(tea.Cmd))...)
		}
		return out
	}
	return []tea.Cmd{cmd}
}

func cmdName(cmd tea.Cmd) string {
	return runtime.FuncForPC(reflect.ValueOf(cmd).Pointer()).Name()
}

// tick is the one-second tick at the clock's time.
func (d *driver) tick() {
	d.t.Helper()
	d.send(ui.Tick(time.Now()))
}

// advance moves the clock and ticks.
func (d *driver) advance(dur time.Duration, clk *clock) {
	d.t.Helper()
	clk.Advance(dur)
	d.tick()
}

// logOut presses x and lets its undo window close: the logout is sent.
func (d *driver) logOut() {
	d.t.Helper()
	d.key("x")
	d.advance(ui.UndoWindow, d.clk)
}

// key sends one key press, named as Bubble Tea names them ("enter", "esc",
// "up", "shift+tab", "ctrl+c") or as the runes typed ("x", "/").
func (d *driver) key(k string) { d.t.Helper(); d.send(keyMsg(k)) }

// typ types text one rune at a time.
func (d *driver) typ(s string) {
	d.t.Helper()
	for _, r := range s {
		d.send(runeKey(r))
	}
}

var namedKeys = map[string]tea.Key{
	"enter": {Code: tea.KeyEnter}, "esc": {Code: tea.KeyEscape}, "tab": {Code: tea.KeyTab},
	"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift},
	"up":        {Code: tea.KeyUp}, "down": {Code: tea.KeyDown}, "left": {Code: tea.KeyLeft}, "right": {Code: tea.KeyRight},
	"ctrl+c": {Code: 'c', Mod: tea.ModCtrl}, "backspace": {Code: tea.KeyBackspace},
}

// keyMsg is the press of a named key or of one rune's key.
func keyMsg(k string) tea.KeyPressMsg {
	if key, ok := namedKeys[k]; ok {
		return tea.KeyPressMsg(key)
	}
	r := []rune(k)
	if len(r) != 1 {
		panic(fmt.Sprintf("keyMsg(%q): not a key", k))
	}
	return runeKey(r[0])
}

// runeKey is the press of the key that types r.
func runeKey(r rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: r, Text: string(r)} }

// view renders the screen (and remembers it for the secrets check).
func (d *driver) view() string {
	v := screenOf(d.m.View())
	d.views = append(d.views, v)
	return v
}

// collect remembers the tokens in the file now, to look for them in views.
func (d *driver) collect() {
	if d.w == nil {
		return
	}
	st, err := storage.Open(d.w.path).Load()
	if err != nil {
		return
	}
	for _, a := range st.Accounts {
		d.secrets[a.AccessJwt], d.secrets[a.RefreshJwt] = true, true
		if a.OAuth != nil {
			d.secrets[a.OAuth.DPoPKey] = true
		}
	}
	for _, p := range st.PendingLogouts {
		d.secrets[p.Session.AccessJwt], d.secrets[p.Session.RefreshJwt] = true, true
		if p.Session.OAuth != nil {
			d.secrets[p.Session.OAuth.DPoPKey] = true
		}
	}
}

// checkSecrets: no View of the test showed a token (whole, or its
// signature, even across a line break) or the password.
func (d *driver) checkSecrets() {
	d.views = append(d.views, screenOf(d.m.View()))
	for _, v := range d.views {
		flat := strings.ReplaceAll(v, "\n", "")
		for s := range d.secrets {
			if s == "" {
				continue
			}
			parts := strings.Split(s, ".")
			if strings.Contains(flat, s) || len(parts) == 3 && len(parts[2]) > 16 && strings.Contains(flat, parts[2]) {
				d.t.Errorf("a View showed a secret (%d bytes; not printed)", len(s))
				return
			}
		}
	}
}

// redact hides the secrets in a view about to be printed.
func (d *driver) redact(v string) string {
	for s := range d.secrets {
		if s != "" {
			v = strings.ReplaceAll(v, s, "[secret]")
		}
	}
	return v
}

// fits fails the test if the view is larger than w×h.
func (d *driver) fits(v string, w, h int) {
	d.t.Helper()
	lines := strings.Split(v, "\n")
	if len(lines) > h {
		d.t.Errorf("%dx%d: %d lines:\n%s", w, h, len(lines), d.redact(v))
	}
	for _, l := range lines {
		if lipgloss.Width(l) > w {
			d.t.Errorf("%dx%d: a line of %d cells: %q", w, h, lipgloss.Width(l), d.redact(l))
		}
	}
}

// has fails the test unless the view contains every piece.
func (d *driver) has(pieces ...string) string {
	d.t.Helper()
	v := d.view()
	flat := flatten(v)
	for _, p := range pieces {
		if !strings.Contains(v, p) && !strings.Contains(flat, p) {
			d.t.Fatalf("the screen lacks %q:\n%s", p, d.redact(v))
		}
	}
	return v
}

// flatten joins the view's lines into one, without the banners' left
// border, so a sentence wrapped in a banner can be found whole.
func flatten(v string) string {
	var parts []string
	for _, l := range strings.Split(v, "\n") {
		l = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(l), "│"))
		if l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, " ")
}

// hasNot fails the test if the view contains any piece.
func (d *driver) hasNot(pieces ...string) string {
	d.t.Helper()
	v := d.view()
	for _, p := range pieces {
		if strings.Contains(v, p) {
			d.t.Fatalf("the screen shows %q:\n%s", p, d.redact(v))
		}
	}
	return v
}

// line returns the line of the view that contains s.
func (d *driver) line(s string) string {
	d.t.Helper()
	v := d.view()
	for _, l := range strings.Split(v, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	d.t.Fatalf("no line with %q:\n%s", s, d.redact(v))
	return ""
}

// row returns the list row of the account with this handle.
func (d *driver) row(handle string) string {
	d.t.Helper()
	v := d.view()
	re := regexp.MustCompile(`^(?:> |  )(?:● |  )@` + regexp.QuoteMeta(handle) + ` `)
	for _, l := range strings.Split(v, "\n") {
		if re.MatchString(ansiRE.ReplaceAllString(l, "")) {
			return l
		}
	}
	d.t.Fatalf("no row for @%s:\n%s", handle, d.redact(v))
	return ""
}

var ansiRE = regexp.MustCompile("\x1b\\[[0-9;]*m")

// selectedRow is the handle on the row with the cursor.
func (d *driver) selectedRow() string {
	d.t.Helper()
	for _, l := range strings.Split(d.view(), "\n") {
		if m := selectedRE.FindStringSubmatch(l); m != nil {
			return m[1]
		}
	}
	return ""
}

var selectedRE = regexp.MustCompile(`^> (?:● |  )@(\S+)`)

// quits reports whether the key makes the program quit (through the
// adapter tea.NewProgram runs).
func quits(m ui.Model, k tea.KeyPressMsg) bool {
	_, cmd := ui.Program(m).Update(k)
	if cmd == nil {
		return false
	}
	_, ok := cmd().(tea.QuitMsg)
	return ok
}

func (d *driver) String() string { return fmt.Sprintf("driver(%d views)", len(d.views)) }
