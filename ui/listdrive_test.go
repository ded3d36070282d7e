package ui_test

import (
	"image/color"
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/skyswitch/skyswitch/ui"
)

// The selected row has the theme's selection background across the whole
// window, after every cell's own colours too; no other row has one. The
// shade follows the terminal's background. Without colour the "> "
// marker still shows which row it is.
func TestSelectedRowIsHighlightedAcrossItsWidth(t *testing.T) {
	withProfile(t, colorprofile.TrueColor)
	svc := &stub{st: manyAccounts(5, t0)}
	d := newDriver(t, svc, newClock(), ui.Options{})
	d.boot()
	for _, c := range []struct {
		background color.Color
		bg         string
	}{
		{nil, "48;2;59;52;82"},            // #3B3452, dark until told
		{color.White, "48;2;226;220;247"}, // #E2DCF7
	} {
		if c.background != nil {
			d.send(tea.BackgroundColorMsg{Color: c.background})
		}
		sel := d.row("user0002.example.test")
		if !strings.HasPrefix(sel, "\x1b["+c.bg+"m") {
			t.Errorf("background %v: the selected row does not start with its background %s: %q", c.background, c.bg, sel)
		}
		if n, resets := strings.Count(sel, c.bg+"m"), strings.Count(sel, "\x1b[m"); n < resets {
			t.Errorf("background %v: %d resets but the background set again only %d times: %q", c.background, resets, n, sel)
		}
		if w := lipgloss.Width(sel); w != 80 {
			t.Errorf("background %v: the highlight is %d cells wide, want the window's 80", c.background, w)
		}
		if other := d.row("user0001.example.test"); strings.Contains(other, "48;") {
			t.Errorf("background %v: an unselected row has a background: %q", c.background, other)
		}
	}
	for _, p := range []colorprofile.Profile{colorprofile.Ascii, colorprofile.NoTTY} {
		withProfile(t, p)
		if l := ansiRE.ReplaceAllString(d.row("user0002.example.test"), ""); !strings.HasPrefix(l, "> ") {
			t.Errorf("profile %v: the selected row has no marker: %q", p, l)
		}
	}
}

// One line names the columns, each name over its column, and drops the
// columns a narrow window drops, as the rows do.
func TestColumnHeaderNamesTheColumnsTheRowsShow(t *testing.T) {
	for _, c := range []struct {
		width int
		names []string
		cells []string // what a row shows under each name
	}{
		{120, []string{"HANDLE", "DID", "PDS", "ACCESS", "REFRESH", "STATE"}, []string{"@user0001", "did:plc:", "pds.example.test", "1h59m", "89d", "valid"}},
		{80, []string{"HANDLE", "PDS", "ACCESS", "REFRESH", "STATE"}, []string{"@user0001", "pds.example.test", "1h59m", "89d", "valid"}},
		{50, []string{"HANDLE", "ACCESS", "REFRESH", "STATE"}, []string{"@user0001", "1h59m", "89d", "valid"}},
	} {
		svc := &stub{st: manyAccounts(5, t0)}
		d := newDriver(t, svc, newClock(), ui.Options{})
		d.boot()
		d.send(tea.WindowSizeMsg{Width: c.width, Height: 24})
		header, row := d.line("HANDLE"), d.line("@user0001")
		if got := strings.Fields(header); strings.Join(got, " ") != strings.Join(c.names, " ") {
			t.Errorf("%d columns: the header names %q, want %q", c.width, got, c.names)
		}
		for i, name := range c.names {
			if h, r := at(header, name), at(row, c.cells[i]); h != r || h < 0 {
				t.Errorf("%d columns: %s starts at cell %d, its column at %d:\n%s\n%s", c.width, name, h, r, header, row)
			}
		}
		if n := strings.Count(d.view(), "HANDLE"); n != 1 {
			t.Errorf("%d columns: %d header lines", c.width, n)
		}
	}
}

// at is the cell s starts at in line, or -1.
func at(line, s string) int {
	i := strings.Index(line, s)
	if i < 0 {
		return -1
	}
	return lipgloss.Width(line[:i])
}

func init() {
	namedKeys["pgup"] = tea.Key{Code: tea.KeyPgUp}
	namedKeys["pgdown"] = tea.Key{Code: tea.KeyPgDown}
	namedKeys["home"] = tea.Key{Code: tea.KeyHome}
	namedKeys["end"] = tea.Key{Code: tea.KeyEnd}
}

// With hundreds of accounts: g/home and G/end go to the first and last
// row, pgdown and pgup move a page (the rows shown: 21 at 80×24) and show
// the next or previous page whole; the ends hold.
func TestPagesAndEndsOfALongList(t *testing.T) {
	svc := &stub{st: manyAccounts(300, t0)}
	d := newDriver(t, svc, newClock(), ui.Options{Select: "user0000.example.test"})
	d.boot()
	shows := func(key, selected, first, last string) {
		t.Helper()
		d.key(key)
		if got := d.selectedRow(); got != selected+".example.test" {
			t.Errorf("after %s: selected %q, want %s", key, got, selected)
		}
		rows := regexp.MustCompile(`@user\d{4}`).FindAllString(d.view(), -1)
		if len(rows) != 21 || rows[0] != "@"+first || rows[len(rows)-1] != "@"+last {
			t.Errorf("after %s: %d rows shown, %v … %v; want %s … %s", key, len(rows), rows[0], rows[len(rows)-1], first, last)
		}
	}
	shows("pgdown", "user0021", "user0021", "user0041")
	shows("pgdown", "user0042", "user0042", "user0062")
	shows("k", "user0041", "user0041", "user0061")
	shows("pgup", "user0020", "user0020", "user0040")
	shows("pgup", "user0000", "user0000", "user0020")
	shows("pgup", "user0000", "user0000", "user0020")
	shows("G", "user0299", "user0279", "user0299")
	shows("pgdown", "user0299", "user0279", "user0299")
	shows("g", "user0000", "user0000", "user0020")
	shows("end", "user0299", "user0279", "user0299")
	shows("home", "user0000", "user0000", "user0020")
	d.key("?")
	for _, k := range []string{"pgup", "pgdn", "g/home", "G/end", "i/→/l"} {
		d.has(k)
	}
}

// l opens the inspector, as → and i do.
func TestLInspectsAsTheRightArrowDoes(t *testing.T) {
	for _, k := range []string{"right", "l"} {
		svc := &stub{st: manyAccounts(3, t0)}
		d := newDriver(t, svc, newClock(), ui.Options{})
		d.boot()
		d.key(k)
		d.has("Server status", "@user0001.example.test  ● active identity")
	}
}

// While the filter is typed, the footer shows the filter's keys, not the
// list's (whose letters would type); once applied, the list's again.
func TestFilterFooterShowsTheFiltersKeys(t *testing.T) {
	svc := &stub{st: manyAccounts(3, t0)}
	d := newDriver(t, svc, newClock(), ui.Options{})
	d.boot()
	d.key("/")
	d.typ("user")
	footer := d.line("esc clear")
	for _, want := range []string{"enter apply", "esc clear", "ctrl+c quit"} {
		if !strings.Contains(footer, want) {
			t.Errorf("the footer lacks %q: %q", want, footer)
		}
	}
	d.hasNot("a add", "x log out", "? keys")
	if !quits(d.m, keyMsg("ctrl+c")) {
		t.Error("ctrl+c does not quit while the filter is typed")
	}
	d.key("enter")
	d.has("a add", "x log out", "esc clear filter")
	d.hasNot("enter apply")
}

// The filter's line takes a row of the page: with a filter applied, the
// last row and the filter both show in a short window.
func TestFilterLineAndLastRowShowInAShortWindow(t *testing.T) {
	svc := &stub{st: manyAccounts(50, t0)}
	d := newDriver(t, svc, newClock(), ui.Options{})
	d.boot()
	d.send(tea.WindowSizeMsg{Width: 80, Height: 12})
	d.key("/")
	d.typ("user")
	d.key("enter")
	d.key("G")
	d.has("/user", "@user0049.example.test")
	d.key("pgup") // a page is the 8 rows shown
	d.has("/user", "@user0034.example.test")
	if got := d.selectedRow(); got != "user0041.example.test" {
		t.Errorf("after pgup: selected %q, want user0041", got)
	}
}
