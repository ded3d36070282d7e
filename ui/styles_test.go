package ui_test

import (
	"image/color"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/ui"
)

// The colours are a dark terminal's until the terminal reports its
// background; a light one turns them to the light shades, and a dark one
// back.
func TestColoursFollowTheReportedBackground(t *testing.T) {
	withProfile(t, colorprofile.TrueColor)
	w := newWorld(t, fakepds.Options{AccessLifetime: 2 * time.Hour})
	w.login(nil, "alice.test")
	d := w.start(ui.Options{})
	darkCalm, lightCalm := "38;2;95;215;135", "38;2;27;127;59" // #5FD787, #1B7F3B
	for _, c := range []struct {
		background color.Color
		want, not  string
	}{
		{nil, darkCalm, lightCalm},
		{color.White, lightCalm, darkCalm},
		{color.Black, darkCalm, lightCalm},
	} {
		if c.background != nil {
			d.send(tea.BackgroundColorMsg{Color: c.background})
		}
		l := d.row("alice.test")
		if !strings.Contains(l, c.want+"m") || strings.Contains(l, c.not+"m") {
			t.Errorf("background %v: the countdown is not in %s: %q", c.background, c.want, l)
		}
	}
}
