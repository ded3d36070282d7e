package ui_test

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/ui"
)

// The README's colour rule holds for short-lived tokens too, in the list
// and in the inspector: amber under 15 minutes, red under 2, whatever the
// token's lifetime (a fresh 80-second token lasts under 2 minutes).
func TestShortTokensFollowTheReadmesColours(t *testing.T) {
	withProfile(t, colorprofile.TrueColor)
	calm, warn, alarm := "38;2;95;215;135", "38;2;255;179;71", "38;2;255;95;95"
	for _, c := range []struct {
		life, left time.Duration
		colour     string
		text       string
	}{
		{80 * time.Second, 80 * time.Second, alarm, "1m20s"},
		{80 * time.Second, 39 * time.Second, alarm, "0:39"},
		{3 * time.Minute, 90 * time.Second, alarm, "1m30s"},
		{3 * time.Minute, 3 * time.Minute, warn, "3m00s"},
		{16 * time.Minute, 14 * time.Minute, warn, "14m00s"},
		{20 * time.Minute, 15 * time.Minute, calm, "15m00s"},
	} {
		w := newWorld(t, fakepds.Options{AccessLifetime: c.life})
		w.login(nil, "alice.test")
		w.clk.Set(w.account("alice.test").AccessExpiry().Add(-c.left))
		d := w.start(ui.Options{RefreshMargin: time.Second}) // never refresh here
		d.tick()
		inColour(t, d.row("alice.test"), c.text, c.colour, c.life)
		d.key("i")
		inColour(t, d.line("Access token"), c.text, c.colour, c.life)
	}
}

// inColour fails the test unless text is in line, drawn in colour.
func inColour(t *testing.T, line, text, colour string, life time.Duration) {
	t.Helper()
	i := strings.Index(line, text)
	if i < 0 {
		t.Fatalf("%v token: no %q in %q", life, text, line)
	}
	before := line[:i]
	if j := strings.LastIndex(before, "\x1b["); j < 0 || !strings.Contains(before[j:], colour+"m") {
		t.Errorf("%v token: %q is not in colour %s: %q", life, text, colour, line)
	}
}
