package ui_test

// How many banners stack: at most three, then one line that counts the
// rest, at the edges (three, four) and beyond; and the accounts of one
// server failing the same way share one banner that names the server and
// them.

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/ui"
)

// ownServers puts each account of st on a server of its own.
func ownServers(st *storage.State) *storage.State {
	for i := range st.Accounts {
		u := fmt.Sprintf("https://pds%d.example.test", i)
		st.Accounts[i].Service, st.Accounts[i].PDSURL = u, u
	}
	return st
}

func TestBannersStopAtThreeAndCountTheRest(t *testing.T) {
	for _, tc := range []struct {
		failing int
		more    string // the counting line, "" for none
	}{
		{1, ""},
		{2, ""},
		{3, ""},
		{4, "…and 1 more"},
		{5, "…and 2 more"},
		{9, "…and 6 more"},
	} {
		t.Run(fmt.Sprint(tc.failing), func(t *testing.T) {
			clk := newClock()
			svc := &stub{st: ownServers(manyAccounts(tc.failing, t0)), err: errTransient}
			clk.Advance(2 * time.Hour) // every access token due
			d := newDriver(t, svc, clk, ui.Options{MaxInFlight: tc.failing})
			d.boot()
			d.tick()
			if n := svc.count("Refresh"); n != tc.failing {
				t.Fatalf("%d refreshes, want %d", n, tc.failing)
			}
			v := d.view()
			if n, want := strings.Count(v, ": refresh failed,"), min(tc.failing, 3); n != want {
				t.Errorf("%d banners, want %d:\n%s", n, want, v)
			}
			for i := range min(tc.failing, 3) { // the first three, in the file's order
				d.has(fmt.Sprintf("@user%04d.example.test: refresh failed", i))
			}
			if tc.more != "" {
				d.has(tc.more)
			} else {
				d.hasNot("more")
			}
			d.fits(v, 80, 24)
		})
	}
}

// One server down is one banner: the server and why its accounts fail,
// then their handles, as many as fit and how many more.
func TestOneServerDownIsOneBanner(t *testing.T) {
	for _, tc := range []struct {
		failing int
		names   string
	}{
		{2, "@user0000.example.test, @user0001.example.test"},
		{3, "@user0000.example.test, @user0001.example.test, @user0002.example.test"},
		{4, "@user0000.example.test, @user0001.example.test, @user0002.example.test +1"},
		{9, "@user0000.example.test, @user0001.example.test, @user0002.example.test +6"},
	} {
		t.Run(fmt.Sprint(tc.failing), func(t *testing.T) {
			clk := newClock()
			svc := &stub{st: manyAccounts(tc.failing, t0), err: errTransient}
			clk.Advance(2 * time.Hour)
			d := newDriver(t, svc, clk, ui.Options{MaxInFlight: tc.failing})
			d.boot()
			d.tick()
			v := d.has("│ pds.example.test: refresh failed, server error 503; retrying in 0:01", "│ "+tc.names+" ")
			if n := strings.Count(v, "refresh failed"); n != 1 {
				t.Errorf("%d banners, want 1:\n%s", n, v)
			}
			d.hasNot("more")
			d.fits(v, 80, 24)
		})
	}
}

// errsByDID is a stub whose refreshes fail each with its account's error.
type errsByDID struct {
	*stub
	errs map[string]error
}

func (s *errsByDID) Refresh(ctx context.Context, ident string) (storage.Account, error) {
	_, _ = s.stub.Refresh(ctx, ident)
	return storage.Account{}, s.errs[ident]
}

// Accounts share a banner when they share both the server and the error:
// one server's accounts failing two ways are two banners, and two servers
// failing the same way are two banners. Ended sessions of one server share
// one too; the banners count the problems, not the accounts.
func TestBannersGroupByServerAndError(t *testing.T) {
	st := manyAccounts(9, t0)
	on := func(i int, host string) {
		st.Accounts[i].Service, st.Accounts[i].PDSURL = "https://"+host, "https://"+host
	}
	errs := map[string]error{}
	for i, host := range []string{"a.test", "a.test", "a.test", "a.test", "b.test", "b.test"} {
		on(i, host)
		errs[numberedDID(i)] = errTransient // server error 503
	}
	errs[numberedDID(3)] = &auth.Error{Status: 502, Name: "BadGateway"}
	for i := 6; i < 9; i++ { // sessions ended on c.test
		on(i, "c.test")
		st.Accounts[i].SessionEnded = true
	}
	clk := newClock()
	svc := &errsByDID{&stub{st: st}, errs}
	clk.Advance(2 * time.Hour)
	d := newDriver(t, svc, clk, ui.Options{MaxInFlight: 9})
	d.boot()
	d.send(tea.WindowSizeMsg{Width: 120, Height: 30})
	d.tick()
	v := d.has(
		"│ a.test: refresh failed, server error 503; retrying in 0:01",
		"│ @user0000.example.test, @user0001.example.test, @user0002.example.test ",
		"│ @user0003.example.test: refresh failed, server error 502; retrying in 0:01",
		"│ b.test: refresh failed, server error 503; retrying in 0:01",
		"│ @user0004.example.test, @user0005.example.test ",
		"…and 1 more", // c.test's ended sessions
	)
	if n := strings.Count(v, ": refresh failed, "); n != 3 {
		t.Errorf("%d refresh banners, want 3:\n%s", n, v)
	}
	d.fits(v, 120, 30)

	// Once the refreshes succeed, c.test's ended sessions show, as one.
	svc.errs = map[string]error{}
	d.advance(2*time.Second, clk)
	d.has("│ c.test: sessions expired or revoked; press enter on each to log in again",
		"│ @user0006.example.test, @user0007.example.test, @user0008.example.test ")
	d.hasNot("more", "refresh failed")
}

// The handles of one banner are cut to the window, counting the rest.
func TestBannerNamesFitTheWindow(t *testing.T) {
	clk := newClock()
	svc := &stub{st: manyAccounts(5, t0), err: errTransient}
	clk.Advance(2 * time.Hour)
	d := newDriver(t, svc, clk, ui.Options{MaxInFlight: 5})
	d.boot()
	for _, tc := range []struct {
		width int
		names string
	}{
		{120, "│ @user0000.example.test, @user0001.example.test, @user0002.example.test, @user0003.example.test +1 "},
		{80, "│ @user0000.example.test, @user0001.example.test, @user0002.example.test +2 "},
		{75, "│ @user0000.example.test, @user0001.example.test +3 "}, // room for three, not for "+2"
		{60, "│ @user0000.example.test, @user0001.example.test +3 "},
		{40, "│ @user0000.example.test +4 "},
		{24, "│ @user0000.exampl… +4"},
	} {
		d.send(tea.WindowSizeMsg{Width: tc.width, Height: 24})
		d.tick()
		v := d.has(tc.names)
		for _, l := range strings.Split(v, "\n") {
			if strings.HasPrefix(l, "│") && lipgloss.Width(l) > tc.width {
				t.Errorf("%d columns: a banner line of %d: %q", tc.width, lipgloss.Width(l), l)
			}
		}
	}
}
