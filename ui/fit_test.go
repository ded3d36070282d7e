package ui_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/ui"
)

// Whatever the screen (the list, the inspector, the login form, all keys)
// and however short the window, the frame is never taller than the window:
// a taller one scrolls the terminal and tears the next frame.
func TestFrameNeverTallerThanTheWindow(t *testing.T) {
	for _, keys := range [][]string{nil, {"i"}, {"a"}, {"?"}, {"/", "u"}, {"G"}} {
		for height := 6; height <= 24; height += 3 {
			svc := &stub{st: manyAccounts(50, t0)}
			m := ui.New(svc, ui.Options{Now: func() time.Time { return t0 }, Banner: "a banner that the header shows"})
			m, _ = m.Update(tea.WindowSizeMsg{Width: 80, Height: height})
			m, _ = m.Update(ui.LoadedMsg(svc))
			for _, k := range keys {
				m, _ = m.Update(keyMsg(k))
			}
			frame := screenOf(m.View())
			if n := strings.Count(frame, "\n") + 1; n > height {
				t.Errorf("%s at 80×%d: %d lines:\n%s", fmt.Sprint(keys), height, n, frame)
			}
		}
	}
}
