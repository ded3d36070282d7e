package ui_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/ui"
)

// dueNow moves the clock to when the account's token is due for a refresh (5 min
// before a 2 h token expires) and ticks.
func dueNow(d *driver, w *world, handle string) {
	d.t.Helper()
	w.clk.Set(w.account(handle).AccessExpiry().Add(-5 * time.Minute))
	d.tick()
}

func TestRefreshKeyRefreshesNow(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	d := w.start(ui.Options{})
	before := w.account("alice.test")
	w.clk.Advance(10 * time.Minute)
	d.tick()
	if n := w.srv.Calls(nsidRefresh); n != 0 {
		t.Fatalf("refreshed %d times before it was due", n)
	}
	d.has("1h50m00s")
	d.key("r")
	if n := w.srv.Calls(nsidRefresh); n != 1 {
		t.Fatalf("r: %d refreshes, want 1", n)
	}
	after := w.account("alice.test")
	if after.RefreshJwt == before.RefreshJwt || !w.srv.RefreshTokenValid(after.RefreshJwt) {
		t.Fatal("the refreshed tokens were not saved")
	}
	d.has("2h00m00s")
}

func TestAutomaticRefreshUnderTheMargin(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	d := w.start(ui.Options{})
	exp := w.account("alice.test").AccessExpiry()
	w.clk.Set(exp.Add(-5*time.Minute - time.Second))
	d.tick()
	if n := w.srv.Calls(nsidRefresh); n != 0 {
		t.Fatalf("refreshed with more than the margin left (%d)", n)
	}
	d.advance(time.Second, w.clk)
	if n := w.srv.Calls(nsidRefresh); n != 1 {
		t.Fatalf("%d refreshes at the margin, want 1", n)
	}
	d.has("2h00m00s")
	d.advance(time.Second, w.clk)
	if n := w.srv.Calls(nsidRefresh); n != 1 {
		t.Fatalf("refreshed again right after: %d", n)
	}
}

func TestExpiredTokensRefreshAtStart(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	w.login(nil, "bob.test")
	w.clk.Advance(3 * time.Hour) // both access tokens expired
	d := w.start(ui.Options{})
	if l := d.row("alice.test"); !strings.Contains(l, "expired") {
		t.Fatalf("before the first tick: %q", l)
	}
	d.tick()
	if n := w.srv.Calls(nsidRefresh); n != 2 {
		t.Fatalf("%d refreshes at start, want 2", n)
	}
	d.hasNot("expired")
	d.has("2h00m00s")
}

// A 2-second token is refreshed when a quarter of its life is left, not
// whenever it has less than the 5-minute margin (which would be always).
func TestShortTokensDoNotRefreshInALoop(t *testing.T) {
	w := newWorld(t, fakepds.Options{AccessLifetime: 2 * time.Second})
	w.login(nil, "alice.test")
	d := w.start(ui.Options{})
	for range 5 {
		d.tick() // the clock stands still: nothing is due
	}
	if n := w.srv.Calls(nsidRefresh); n != 0 {
		t.Fatalf("%d refreshes of a fresh 2 s token", n)
	}
	for range 10 {
		d.advance(time.Second, w.clk)
		d.tick() // a second tick at the same time starts nothing
	}
	// Due at 0.5 s left: every other second.
	if n := w.srv.Calls(nsidRefresh); n != 5 {
		t.Fatalf("%d refreshes in 10 s of 2 s tokens, want 5", n)
	}
	d.hasNot("expired", "refresh failed")
}

func TestAtMostMaxInFlightRefreshes(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	for i := range 5 {
		w.login(nil, fmt.Sprintf("user%d.test", i))
	}
	d := w.start(ui.Options{MaxInFlight: 3})
	w.clk.Advance(2 * time.Hour) // all expired
	held := d.pending(ui.Tick(time.Now()))
	var refreshes []tea.Cmd
	for _, c := range held {
		if strings.Contains(cmdName(c), "refreshCmd") {
			refreshes = append(refreshes, c)
		}
	}
	if len(refreshes) != 3 {
		t.Fatalf("%d refreshes started at once, want 3", len(refreshes))
	}
	if v := d.view(); strings.Count(v, "refreshing") != 3 {
		t.Fatalf("rows refreshing:\n%s", d.redact(v))
	}
	// While they run, a tick starts no more.
	more := d.pending(ui.Tick(time.Now()))
	for _, c := range more {
		if strings.Contains(cmdName(c), "refreshCmd") {
			t.Fatal("a fourth refresh started while three were running")
		}
	}
	for _, c := range held {
		d.deliver(c)
	}
	if n := w.srv.Calls(nsidRefresh); n != 3 {
		t.Fatalf("%d refreshes, want 3", n)
	}
	d.tick()
	if n := w.srv.Calls(nsidRefresh); n != 5 {
		t.Fatalf("%d refreshes after the next tick, want 5", n)
	}
	d.hasNot("expired", "refreshing")
}

func TestTransientFailureBannerCountsDownAndClears(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	d := w.start(ui.Options{})
	w.srv.Inject(nsidRefresh, fakepds.Fault{Kind: fakepds.FaultStatus, Status: 503, Times: 2})
	dueNow(d, w, "alice.test")
	d.has("@alice.test: refresh failed, server error 503; retrying in 0:01")
	if l := d.row("alice.test"); !strings.Contains(l, "retry") {
		t.Errorf("row not marked: %q", l)
	}
	d.advance(time.Second, w.clk) // second failure: 2 s
	d.has("@alice.test: refresh failed, server error 503; retrying in 0:02")
	d.advance(time.Second, w.clk)
	d.has("retrying in 0:01")
	if n := w.srv.Calls(nsidRefresh); n != 2 {
		t.Fatalf("retried before its time: %d calls", n)
	}
	d.advance(time.Second, w.clk) // the server is back
	if n := w.srv.Calls(nsidRefresh); n != 3 {
		t.Fatalf("%d calls, want 3", n)
	}
	d.hasNot("refresh failed", "retry")
	if a := w.account("alice.test"); a.LastRefreshError != "" || a.SessionEnded {
		t.Fatalf("after recovery: error %q ended %v", a.LastRefreshError, a.SessionEnded)
	}
}

func TestBackoffGrowsToFiveMinutes(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	d := w.start(ui.Options{})
	w.srv.Inject(nsidRefresh, fakepds.Fault{Kind: fakepds.FaultDrop})
	dueNow(d, w, "alice.test")
	want := []struct {
		text string
		wait time.Duration
	}{
		{"0:01", time.Second}, {"0:02", 2 * time.Second}, {"0:04", 4 * time.Second}, {"0:08", 8 * time.Second},
		{"0:16", 16 * time.Second}, {"0:32", 32 * time.Second}, {"1m04s", 64 * time.Second},
		{"2m08s", 128 * time.Second}, {"4m16s", 256 * time.Second}, {"5m00s", 5 * time.Minute}, {"5m00s", 5 * time.Minute},
	}
	for i, b := range want {
		d.has("@alice.test: refresh failed, cannot reach the server; retrying in " + b.text)
		if n := w.srv.Calls(nsidRefresh); n != i+1 {
			t.Fatalf("failure %d: %d calls", i+1, n)
		}
		w.clk.Advance(b.wait - time.Second)
		d.tick()
		if n := w.srv.Calls(nsidRefresh); n != i+1 {
			t.Fatalf("retried a second early after failure %d", i+1)
		}
		d.advance(time.Second, w.clk)
	}
	w.srv.ClearFaults()
	d.advance(5*time.Minute, w.clk)
	d.hasNot("refresh failed")
}

func TestBackoffJitterAddsUpToAFifth(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	d := w.start(ui.Options{Jitter: func() float64 { return 0.999 }})
	w.srv.Inject(nsidRefresh, fakepds.Fault{Kind: fakepds.FaultStatus, Status: 500})
	dueNow(d, w, "alice.test")
	for range 5 {
		d.advance(time.Minute, w.clk)
	}
	// The sixth failure waits 32 s plus just under 20 %: 38 s.
	d.has("retrying in 0:38")
}

func TestRetryAfterIsHonoured(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	d := w.start(ui.Options{})
	w.srv.Inject(nsidRefresh, fakepds.Fault{Kind: fakepds.FaultStatus, Status: 503, RetryAfter: 90 * time.Second, Times: 1})
	dueNow(d, w, "alice.test")
	d.has("@alice.test: refresh failed, server error 503; retrying in 1m30s")
	w.clk.Advance(89 * time.Second)
	d.tick()
	if n := w.srv.Calls(nsidRefresh); n != 1 {
		t.Fatalf("retried before Retry-After: %d calls", n)
	}
	d.advance(time.Second, w.clk)
	if n := w.srv.Calls(nsidRefresh); n != 2 {
		t.Fatalf("%d calls after Retry-After, want 2", n)
	}
	d.hasNot("refresh failed")
}

// A 429 names the time from RateLimit-Reset (the reference PDS sends no
// Retry-After), first, so a narrow window does not cut it off; skyswitch
// does not try again before it.
func TestRateLimitBanner(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	d := w.start(ui.Options{})
	due := w.account("alice.test").AccessExpiry().Add(-5 * time.Minute) // 16:55, as dueNow sets it
	w.srv.Inject(nsidRefresh, fakepds.Fault{Kind: fakepds.FaultRateLimit, ResetAt: due.Add(17 * time.Minute), Times: 1})
	dueNow(d, w, "alice.test")
	d.has("@alice.test: refresh failed, rate limited by the server until 17:12 (in 17 …")
	d.send(tea.WindowSizeMsg{Width: 120, Height: 24})
	d.has("@alice.test: refresh failed, rate limited by the server until 17:12 (in 17 minutes); retrying in 17m00s")
	d.advance(17*time.Minute-time.Second, w.clk)
	if n := w.srv.Calls(nsidRefresh); n != 1 {
		t.Fatalf("retried before the reset time: %d calls", n)
	}
	d.advance(time.Second, w.clk)
	if n := w.srv.Calls(nsidRefresh); n != 2 {
		t.Fatalf("%d calls at the reset time, want 2", n)
	}
	d.hasNot("rate limited")
}

// A rate-limited login (the form's error) says when, and that logins are
// limited far more than refreshes.
func TestRateLimitedLoginMessage(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.add(nil, "alice.test", false)
	w.srv.Inject(nsidCreate, fakepds.Fault{Kind: fakepds.FaultRateLimit, ResetAt: t0.Add(42 * time.Minute), Times: 1})
	_, err := w.mgr.Login(context.Background(), auth.LoginInput{Service: w.srv.URL(), Identifier: "alice.test", Password: password})
	if err == nil {
		t.Fatal("the rate-limited login succeeded")
	}
	got := ui.HumanError(err, t0)
	want := "rate limited by the server until 15:42 (in 42 minutes); the bsky.social entryway allows far fewer logins a day than token refreshes"
	if !strings.HasPrefix(got, want) || !strings.Contains(got, "rather than logging in again") {
		t.Errorf("got  %q\nwant %q…", got, want)
	}
	// A refresh that is rate limited gives no login advice.
	w.srv.ClearFaults()
	a := w.login(nil, "alice.test")
	w.srv.Inject(nsidRefresh, fakepds.Fault{Kind: fakepds.FaultRateLimit, Times: 1})
	_, err = w.mgr.Refresh(context.Background(), a.DID)
	if got := ui.HumanError(err, t0); got != "rate limited by the server until 15:01 (in 1 minute)" {
		t.Errorf("refresh: %q", got)
	}
}

// A refresh answered by something that is not the server's answer — an
// echo of the request, a certificate for other names — is said for what
// it is, not as "cannot reach the server"; a dead server still is.
func TestTransportFailuresInTheBanner(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	a := w.login(nil, "alice.test")
	for _, tc := range []struct {
		fault fakepds.Fault
		want  string
	}{
		{fakepds.Fault{Kind: fakepds.FaultEchoAuthorization, Times: 1}, "the server sent a malformed answer"},
		{fakepds.Fault{Kind: fakepds.FaultEchoRequest, Times: 1}, "the server sent a malformed answer"},
		{fakepds.Fault{Kind: fakepds.FaultDrop, Times: 1}, "cannot reach the server"},
	} {
		w.srv.Inject(nsidRefresh, tc.fault)
		_, err := w.mgr.Refresh(context.Background(), a.DID)
		if got := ui.HumanError(err, t0); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.fault.Kind, got, tc.want)
		}
	}
	cert := &auth.TransportError{Method: nsidRefresh, Host: "pds.example", Kind: auth.TransportCertName}
	if got := ui.HumanError(cert, t0); got != "the server's certificate is not valid for this host" {
		t.Errorf("certificate: %q", got)
	}
}

// A server that does not answer in time is said as one: as auth words a
// timeout (the host, the wait), not as "cannot reach the server".
func TestATimeoutInTheBannerIsATimeout(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	a := w.login(nil, "alice.test")
	mgr := w.manager()
	mgr.Client.Timeout = 100 * time.Millisecond
	w.srv.Inject(nsidRefresh, fakepds.Fault{Kind: fakepds.FaultDelay, Delay: time.Minute, Times: 1})
	_, err := mgr.Refresh(context.Background(), a.DID)
	if err == nil {
		t.Fatal("a refresh held for a minute succeeded within 100 ms")
	}
	if got := ui.HumanError(err, t0); !timeoutRE.MatchString(got) {
		t.Errorf("a timeout is said as %q", got)
	}
}

var timeoutRE = regexp.MustCompile(`^the server at 127\.0\.0\.1:[0-9]+ did not answer within 100ms$`)

func TestPermanentFailureMarksRowAndEnterLogsInAgain(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	w.login(nil, "bob.test")
	d := w.start(ui.Options{Select: "alice.test"})
	w.srv.Takedown(did("alice.test"))
	d.key("r") // alice is selected
	d.has("@alice.test: session expired or revoked; press enter on it to log in again")
	if l := d.row("alice.test"); !strings.Contains(l, "log in again") {
		t.Fatalf("row: %q", l)
	}
	// Not retried: only a new login helps.
	d.advance(10*time.Minute, w.clk)
	d.key("r")
	if n := w.srv.Calls(nsidRefresh); n != 1 {
		t.Fatalf("an ended session was refreshed again: %d calls", n)
	}
	d.key("enter")
	v := d.has("Log in again to @alice.test", w.srv.URL(), "alice.test")
	if !strings.Contains(d.line("Password"), "xxxx-xxxx-xxxx-xxxx") {
		t.Errorf("the password is not the empty focused field:\n%s", v)
	}
	if st := w.load(); st.Active != did("bob.test") {
		t.Error("enter on an ended session switched to it")
	}
}

func TestRevokedSessionEndsAndBannerClearsAfterNewLogin(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	a := w.login(nil, "alice.test")
	d := w.start(ui.Options{})
	// Another program revoked the session (as the demo does).
	if err := w.mgr.Client.DeleteSession(t.Context(), a.SessionData); err != nil {
		t.Fatal(err)
	}
	dueNow(d, w, "alice.test")
	d.has("@alice.test: session expired or revoked")
	d.key("enter")
	d.typ(password)
	d.key("enter")
	d.has("Logged in again to @alice.test; it is the active account.")
	d.hasNot("session expired", "log in again", "Added")
	if l := d.row("alice.test"); !strings.Contains(l, "valid") {
		t.Fatalf("row after the new login: %q", l)
	}
}

func TestBannersStackWithoutHidingTheList(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	for i := range 5 {
		w.login(nil, fmt.Sprintf("user%d.test", i))
	}
	w.srv.Inject(nsidRefresh, fakepds.Fault{Kind: fakepds.FaultStatus, Status: 502})
	w.clk.Advance(2 * time.Hour)
	d := w.start(ui.Options{MaxInFlight: 5})
	d.tick()
	// One server down: one banner names it and its five accounts.
	_, host, _ := strings.Cut(w.srv.URL(), "://")
	v := d.has("│ "+host+": refresh failed, server error 502; retrying in 0:01",
		"│ @user0.test, @user1.test, @user2.test, @user3.test, @user4.test ")
	if n := strings.Count(v, "refresh failed"); n != 1 {
		t.Errorf("%d banners, want one:\n%s", n, v)
	}
	for i := range 5 {
		d.row(fmt.Sprintf("user%d.test", i))
	}
	d.fits(v, 80, 24)
	w.srv.ClearFaults()
	d.advance(2*time.Second, w.clk)
	d.hasNot("refresh failed", "more")
}
