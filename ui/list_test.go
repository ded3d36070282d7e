package ui_test

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/ui"
)

func TestEmptyStoreInvitesToAdd(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	d := w.start(ui.Options{})
	d.has("skyswitch  0 accounts", "No accounts yet.", "Press a to add one", "App passwords", "skyswitch login --password-stdin")
	// Keys that need an account do nothing.
	for _, k := range []string{"enter", "x", "r", "i", "j", "k"} {
		d.key(k)
	}
	d.has("No accounts yet.")
	if n := w.srv.Calls(nsidRefresh) + w.srv.Calls(nsidDelete); n != 0 {
		t.Fatalf("%d calls to the server with no account", n)
	}
}

// threeAccounts logs in alice (2 h tokens), bob (10 min) and carol (2 min)
// so that at t0 their access tokens have 1h59m12s, 4m07s and 0:42 left,
// none of them due for a refresh (the margin is scaled to the short ones).
func threeAccounts(w *world) (srv10m, srv2m *fakepds.Server) {
	srv10m = w.server(fakepds.Options{AccessLifetime: 10 * time.Minute})
	srv2m = w.server(fakepds.Options{AccessLifetime: 2 * time.Minute})
	w.clk.Set(t0.Add(-48 * time.Second))
	w.login(nil, "alice.test")
	w.clk.Set(t0.Add(-(5*time.Minute + 53*time.Second)))
	w.login(srv10m, "bob.test")
	w.clk.Set(t0.Add(-78 * time.Second))
	w.login(srv2m, "carol.test")
	w.clk.Set(t0)
	return srv10m, srv2m
}

func TestListShowsCountdownsAndRefreshExpiry(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	srv10m, srv2m := threeAccounts(w)
	d := w.start(ui.Options{})
	d.has("3 accounts")
	if l := d.row("alice.test"); !strings.Contains(l, "1h59m12s") || !strings.Contains(l, "89d") || !strings.Contains(l, "valid") {
		t.Errorf("alice: %q", l)
	}
	if l := d.row("bob.test"); !strings.Contains(l, "4m07s") || !strings.Contains(l, "89d") {
		t.Errorf("bob: %q", l)
	}
	if l := d.row("carol.test"); !strings.Contains(l, "0:42") || !strings.Contains(l, "89d") || !strings.Contains(l, "● ") {
		t.Errorf("carol (active): %q", l)
	}
	// One second later every countdown moved, on one tick.
	d.advance(time.Second, w.clk)
	d.has("1h59m11s", "4m06s", "0:41")
	if d.ticks != 1 {
		t.Errorf("a tick re-armed %d ticks, want exactly 1", d.ticks)
	}
	if n := w.srv.Calls(nsidRefresh) + srv10m.Calls(nsidRefresh) + srv2m.Calls(nsidRefresh); n != 0 {
		t.Errorf("%d refreshes of tokens not yet due", n)
	}
}

func TestOneTickDrivesEveryCountdown(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	for _, h := range []string{"a.test", "b.test", "c.test", "d.test", "e.test"} {
		w.login(nil, h)
	}
	d := newDriver(t, w.mgr, w.clk, ui.Options{})
	d.w = w
	init := d.leaves(d.m.Init())
	if d.ticks != 1 {
		t.Fatalf("Init started %d ticks, want 1", d.ticks)
	}
	for _, c := range init {
		d.deliver(c)
	}
	for range 5 {
		d.advance(time.Second, w.clk)
		if d.ticks != 1 {
			t.Fatalf("a tick with 5 accounts re-armed %d ticks, want 1", d.ticks)
		}
	}
	// A key press or a result never starts another tick.
	d.key("j")
	d.key("r")
	if d.ticks != 0 {
		t.Fatalf("a key and a refresh started %d ticks", d.ticks)
	}
}

func TestCountdownColoursShiftWithUrgency(t *testing.T) {
	withProfile(t, colorprofile.TrueColor)
	w := newWorld(t, fakepds.Options{AccessLifetime: 2 * time.Hour})
	w.login(nil, "alice.test")
	d := w.start(ui.Options{RefreshMargin: time.Second}) // never refresh here
	calm, warn, alarm := "38;2;95;215;135", "38;2;255;179;71", "38;2;255;95;95"
	cases := []struct {
		left   time.Duration
		colour string
		text   string
	}{
		{16 * time.Minute, calm, "16m00s"},
		{15*time.Minute + time.Second, calm, "15m01s"},
		{14*time.Minute + 59*time.Second, warn, "14m59s"},
		{2 * time.Minute, warn, "2m00s"},
		{time.Minute + 59*time.Second, alarm, "1m59s"},
		{42 * time.Second, alarm, "0:42"},
		{0, alarm, "expired"},
	}
	exp := w.account("alice.test").AccessExpiry()
	for _, c := range cases {
		if c.left == 0 { // keep the expired token: its refresh fails
			w.srv.Inject(nsidRefresh, fakepds.Fault{Kind: fakepds.FaultStatus, Status: 503})
		}
		w.clk.Set(exp.Add(-c.left))
		d.tick()
		l := d.row("alice.test")
		i := strings.Index(l, c.text)
		if i < 0 {
			t.Fatalf("%v left: no %q in %q", c.left, c.text, l)
		}
		before := l[:i]
		if j := strings.LastIndex(before, "\x1b["); j < 0 || !strings.Contains(before[j:], c.colour+"m") {
			t.Errorf("%v left: %q is not in colour %s: %q", c.left, c.text, c.colour, l)
		}
	}
}

func TestKeysMoveSelectAndQuit(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	threeAccounts(w)
	d := w.start(ui.Options{})
	if got := d.selectedRow(); got != "carol.test" {
		t.Fatalf("first selected %q, not the active carol.test", got)
	}
	steps := []struct{ key, want string }{
		{"k", "bob.test"}, {"up", "alice.test"}, {"k", "alice.test"},
		{"j", "bob.test"}, {"down", "carol.test"}, {"down", "carol.test"},
	}
	for _, s := range steps {
		d.key(s.key)
		if got := d.selectedRow(); got != s.want {
			t.Fatalf("after %q selected %q, want %q", s.key, got, s.want)
		}
	}
	for _, k := range []tea.KeyPressMsg{keyMsg("q"), keyMsg("ctrl+c")} {
		if !quits(d.m, k) {
			t.Errorf("%s does not quit", k)
		}
	}
	for _, k := range []string{"Q", "esc", "enter", "x"} {
		if quits(d.m, keyMsg(k)) {
			t.Errorf("%s quits", k)
		}
	}
}

func TestSelectOptionPutsCursorOnAccount(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	threeAccounts(w)
	d := w.start(ui.Options{Select: "@bob.test"})
	if got := d.selectedRow(); got != "bob.test" {
		t.Fatalf("selected %q", got)
	}
}

func TestEnterMakesActiveInStorageAtOnce(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	threeAccounts(w)
	d := w.start(ui.Options{})
	carol := w.account("carol.test")
	if w.load().Active != carol.DID {
		t.Fatal("carol should be active")
	}
	d.key("k") // bob, above the active carol
	d.key("enter")
	bob := w.account("bob.test")
	st := w.load()
	if st.Active != bob.DID || st.Previous != carol.DID {
		t.Fatalf("active %s previous %s", st.Active, st.Previous)
	}
	d.has("@bob.test is now the active account.")
	if l := d.row("bob.test"); !strings.Contains(l, "● ") {
		t.Errorf("bob not marked active: %q", l)
	}
	if l := d.row("carol.test"); strings.Contains(l, "●") {
		t.Errorf("carol still marked: %q", l)
	}
}

func TestHelpTogglesFullKeys(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	d := w.start(ui.Options{})
	d.send(tea.WindowSizeMsg{Width: 120, Height: 30})
	short := d.has("enter activate", "a add", "x log out", "i/→ inspect", "/ filter", "? keys", "q quit")
	if strings.Contains(short, "r refresh") {
		t.Fatalf("short help shows refresh:\n%s", short)
	}
	d.key("?")
	d.has("↑/k    up", "↓/j    down", "pgdn   page down", "G/end  last", "i/→/l inspect", "r     refresh")
	d.key("?")
	d.hasNot("refresh")
}

func TestFilterNarrowsAndEscClears(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	threeAccounts(w)
	d := w.start(ui.Options{})
	d.key("/")
	d.typ("bo")
	v := d.has("@bob.test", "/bo")
	if strings.Contains(v, "@alice.test") || strings.Contains(v, "@carol.test") {
		t.Fatalf("filter did not narrow:\n%s", d.redact(v))
	}
	if got := d.selectedRow(); got != "bob.test" {
		t.Fatalf("selected %q", got)
	}
	// Keys are text while filtering: x does not log out.
	d.typ("x")
	d.has("no account matches the filter", "/box")
	if n := w.srv.Calls(nsidDelete); n != 0 {
		t.Fatal("x logged out while filtering")
	}
	d.key("backspace")
	d.key("enter") // keep the filter, back to the list keys
	d.has("@bob.test", "/bo")
	d.hasNot("@alice.test")
	d.key("/")
	d.key("esc")
	d.has("@alice.test", "@bob.test", "@carol.test")
	d.hasNot("/bo")
	// The filter matches DIDs too.
	d.key("/")
	d.typ(strings.TrimPrefix(did("carol.test"), "did:plc:")[:8])
	d.key("enter")
	d.has("@carol.test")
	d.hasNot("@alice.test", "@bob.test")
}

func TestInspectOpensAndEscGoesBack(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	for _, open := range []string{"i", "right"} {
		d := w.start(ui.Options{})
		gets := w.srv.Calls(nsidGet)
		d.key(open)
		d.has("@alice.test", did("alice.test"), "Token kind", "Access token", "Refresh token", "90d", "alice.test@example.com (confirmed)")
		if w.srv.Calls(nsidGet) != gets+1 {
			t.Errorf("%s: the inspector did not ask the server for the status", open)
		}
		d.fits(d.view(), 80, 24)
		d.key("esc")
		d.has("@alice.test", "x log out")
		d.hasNot("Token kind")
	}
}

func TestWindowSizes(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	threeAccounts(w)
	d := w.start(ui.Options{})
	for _, size := range []struct{ w, h int }{{80, 24}, {60, 24}, {120, 40}} {
		d.send(tea.WindowSizeMsg{Width: size.w, Height: size.h})
		d.fits(d.has("@alice.test", "@bob.test", "@carol.test", "0:42", "4m07s", "1h59m12s"), size.w, size.h)
		d.key("?")
		d.fits(d.has("refresh"), size.w, size.h)
		d.key("?")
	}
	// 120 columns show the DID; 60 still the state.
	d.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	d.has("did:plc:")
	d.send(tea.WindowSizeMsg{Width: 60, Height: 24})
	if l := d.row("alice.test"); !strings.Contains(l, "valid") {
		t.Errorf("60 columns: %q", l)
	}
}

// The filter ignores case: CAROL finds carol.test, by handle and by DID.
func TestFilterIgnoresCase(t *testing.T) {
	st := storage.NewState()
	for _, h := range []string{"alice.test", "bob.test", "carol.test"} {
		st.Accounts = append(st.Accounts, account(h, auth.ScopeAppPass))
	}
	for _, query := range []string{"CAROL", "Carol.Test", strings.ToUpper(did("carol.test"))} {
		d := newDriver(t, &stub{st: st}, newClock(), ui.Options{})
		d.boot()
		d.key("/")
		d.typ(query)
		d.key("enter")
		d.has("@carol.test")
		d.hasNot("@alice.test", "@bob.test", "no account matches")
		if got := d.selectedRow(); got != "carol.test" {
			t.Errorf("%q: selected %q", query, got)
		}
	}
}
