package ui_test

// How many banners stack: at most three, then one line that counts the
// rest, at the edges (three, four) and beyond.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/ui"
)

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
			svc := &stub{st: manyAccounts(tc.failing, t0), err: errTransient}
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
