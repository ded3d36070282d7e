package ui_test

// OAuth accounts in the list: their kind, their countdowns (the access
// token's expiry from the token answer, the session's 14-day end in the
// REFRESH column), their automatic refresh, and the banner a day before
// the end.

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/ui"
)

func TestOAuthRowShowsItsKindAndEnd(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	carol := w.oauthLogin(nil, "carol.test")
	w.clk.Advance(10 * time.Minute)
	d := w.start(ui.Options{})
	header, row := d.line("HANDLE"), d.row("carol.test")
	if !strings.Contains(row, "@carol.test") || !strings.Contains(row, " oauth ") {
		t.Fatalf("carol's row has no oauth tag: %q", row)
	}
	for col, cell := range map[string]string{"ACCESS": "50m00s", "REFRESH": "13d", "STATE": "valid"} {
		if h, r := at(header, col), at(row, cell); h != r || h < 0 {
			t.Errorf("%s at cell %d, carol's %q at %d:\n%s\n%s", col, h, cell, r, header, row)
		}
	}
	if alice := d.row("alice.test"); strings.Contains(alice, "oauth") || !strings.Contains(alice, "89d") {
		t.Errorf("alice's (password) row: %q", alice)
	}
	// The session's last two days count down as a refresh token's do.
	w.clk.Set(carol.OAuth.SessionEndsAt.Add(-(30*time.Hour + 5*time.Second)))
	d.tick()
	if row := d.row("carol.test"); !strings.Contains(row, "30h ") {
		t.Errorf("30 h before the end: %q", row)
	}
	// A narrow window drops the tag before the handle.
	d.send(tea.WindowSizeMsg{Width: 40, Height: 24})
	if row := d.row("carol.test"); strings.Contains(row, "oauth") {
		t.Errorf("40 columns: %q", row)
	}
}

// The switcher refreshes an OAuth session's opaque access token before
// the expiry its token answer gave, at the token endpoint.
func TestOAuthSessionRefreshesOnTime(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	carol := w.oauthLogin(nil, "carol.test")
	d := w.start(ui.Options{})
	w.clk.Set(carol.OAuth.AccessExpiresAt.Add(-10 * time.Minute))
	d.tick()
	if n := w.srv.OAuthRefreshes(); n != 0 {
		t.Fatalf("%d refreshes with 10 minutes left", n)
	}
	w.clk.Set(carol.OAuth.AccessExpiresAt.Add(-4 * time.Minute)) // under the 5-minute margin
	d.tick()
	if n := w.srv.OAuthRefreshes(); n != 1 {
		t.Fatalf("%d refreshes with 4 minutes left, want 1", n)
	}
	if a := w.account("carol.test"); !a.OAuth.AccessExpiresAt.After(carol.OAuth.AccessExpiresAt) {
		t.Fatal("the new access token's expiry was not saved")
	}
	d.has("1h00m00s") // the new token's countdown
}

// oauthAccount is an OAuth account of a stub's state, its session ending
// at ends; its access token lasts longer, so nothing refreshes it.
func oauthAccount(handle string, ends time.Time) storage.Account {
	d := did(handle)
	return storage.Account{SessionData: auth.SessionData{
		AccessJwt: "opaque-access-" + handle, RefreshJwt: "opaque-refresh-" + handle,
		DID: d, Handle: handle, Active: true, Service: "https://pds.example.test", PDSURL: "https://pds.example.test",
		RefreshedAt: t0,
		OAuth: &auth.OAuthData{ClientID: "http://localhost?redirect_uri=x", Issuer: "https://pds.example.test",
			Scope: auth.DefaultOAuthScope, AccessExpiresAt: ends.Add(time.Hour), SessionEndsAt: ends},
	}, AddedAt: t0}
}

// A banner warns a day before an OAuth session's end: at 23h59m before
// it, not at 1d1h; the hour later, it does.
func TestOAuthSessionEndBannerADayBefore(t *testing.T) {
	st := manyAccounts(1, t0) // a password account: never such a banner
	st.Upsert(oauthAccount("soon.test", t0.Add(23*time.Hour+59*time.Minute)))
	st.Upsert(oauthAccount("later.test", t0.Add(25*time.Hour)))
	clk := newClock()
	d := newDriver(t, &stub{st: st}, clk, ui.Options{})
	d.boot()
	d.send(tea.WindowSizeMsg{Width: 120, Height: 24})
	d.has("│ @soon.test's OAuth session ends in 23h: press L on it to log in again")
	d.hasNot("@later.test's", "@user0000.example.test's")
	d.advance(time.Hour+time.Minute, clk)
	d.has("│ pds.example.test: OAuth sessions end, the first in 22h; press L on each to log in again",
		"│ @soon.test, @later.test")
	d.advance(22*time.Hour+30*time.Minute, clk)
	d.has("the first in 28m00s")
}

// Banners work for both kinds: an OAuth session ended by the server, or
// past its end, is the red banner's, as a password one is.
func TestEndedBannersForBothKinds(t *testing.T) {
	st := manyAccounts(1, t0)
	st.Accounts[0].SessionEnded = true
	st.Upsert(oauthAccount("gone.test", t0.Add(-time.Minute))) // past its end
	clk := newClock()
	d := newDriver(t, &stub{st: st}, clk, ui.Options{})
	d.boot()
	d.send(tea.WindowSizeMsg{Width: 120, Height: 24})
	d.has("│ pds.example.test: sessions expired or revoked; press enter on each to log in again",
		"│ @user0000.example.test, @gone.test")
	d.hasNot("OAuth session ends")
}

// The inspector says the kind of session: an OAuth one's end, counting
// down, and its scope; its tokens' lines read its data (never a token).
func TestInspectorShowsTheSessionKind(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	w.oauthLogin(nil, "carol.test")
	w.clk.Advance(time.Minute)
	d := w.start(ui.Options{Select: "carol.test"})
	d.key("i")
	v := d.has("@carol.test",
		"Session        OAuth (DPoP), ends Mar 18 15:00 (in 13d)",
		"Scope          atproto transition:generic",
		"59m00s", "Mar 18 15:00")
	for _, no := range []string{"not a JWT", "Token kind", "unknown kind"} {
		if strings.Contains(v, no) {
			t.Errorf("the inspector shows %q:\n%s", no, v)
		}
	}
	if l := d.line("Sign-in"); !strings.Contains(l, "13d") || !strings.Contains(l, "15:00:00 → Mar 18 15:00") {
		t.Errorf("the sign-in's line: %q", l)
	}
	d.fits(v, 80, 24)
	d.key("esc")
	d.key("k")
	d.key("i")
	d.has("@alice.test", "Session        password", "Token kind     full account access")
	d.hasNot("OAuth", "Scope  ")
}

// The list with both kinds, an OAuth session ending within a day: its
// banner, its tag, its end in hours under REFRESH.
func TestGoldenOAuthSessionEnding(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	carol := w.oauthLogin(nil, "carol.test")
	// Both access tokens have lapsed: the first tick refreshes them.
	w.clk.Set(carol.OAuth.SessionEndsAt.Add(-(23*time.Hour + 30*time.Minute)))
	p := w.run(ui.Options{})
	p.waitFor("@carol.test's OAuth session ends in 23h: press L on it to log in again", "1h00m00s", "2h00m00s")
	p.golden()
}

// The form turned to the browser, after a refusal there.
func TestGoldenOAuthRefused(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.add(nil, "carol.test", false)
	b := &browser{act: refuse(w.srv)}
	p := w.run(ui.Options{Browser: b.open})
	p.waitFor("No accounts yet.")
	p.keys("a", "ctrl+o")
	p.waitFor("● browser (OAuth)")
	p.typ("carol.test")
	p.keys("tab")
	p.typ(w.srv.URL())
	p.keys("enter")
	p.waitFor("The sign-in was refused at the browser.")
	p.golden()
}
