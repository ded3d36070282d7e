package ui_test

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/ui"
)

// In a small window (40×10, 60×15, and one resized to it mid-use) no line
// is wider than the window, the selected row keeps its "> ", its state
// shows (an undo window's countdown too), and the selected account's
// handle shows whole even where its column cuts it: two handles that
// differ only in their ends are told apart.
func TestSmallWindowsShowTheSelectedHandleWhole(t *testing.T) {
	long := "alice.a-long-name-for-the-list.example.test"
	st := storage.NewState()
	for _, h := range []string{"bob.test", long, "alice.a-long-name-for-the-list.example.org", "carol.test"} {
		st.Accounts = append(st.Accounts, account(h, auth.ScopeAppPass))
	}
	st.Active = did("bob.test")
	for _, size := range []struct{ w, h int }{{40, 10}, {60, 15}, {80, 24}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			d := newDriver(t, &stub{st: st}, newClock(), ui.Options{Select: did(long)})
			d.boot()
			d.send(tea.WindowSizeMsg{Width: size.w, Height: size.h})
			v := d.view()
			d.fits(v, size.w, size.h)
			if !strings.Contains(strings.ReplaceAll(v, "\n         ", ""), "@"+long) {
				t.Errorf("the selected handle is not shown whole:\n%s", v)
			}
			sel := ""
			for _, l := range strings.Split(v, "\n") {
				if strings.HasPrefix(l, "> ") && sel == "" {
					sel = l
				}
			}
			if sel == "" || !strings.Contains(sel, "valid") {
				t.Errorf("no selected row with its state:\n%s", v)
			}
			d.key("x")
			v = d.view()
			d.fits(v, size.w, size.h)
			if !strings.Contains(v, "logout in 5 s") && !strings.Contains(v, "logging out in 5 s") {
				t.Errorf("the undo window's countdown does not show:\n%s", v)
			}
			d.key("u")
			d.key("?")
			d.fits(d.view(), size.w, size.h)
			d.key("?")
			d.key("i")
			v = d.view()
			d.fits(v, size.w, size.h)
			if !strings.Contains(strings.Join(strings.Fields(v), ""), "@"+long) {
				t.Errorf("the inspector does not show the handle whole:\n%s", v)
			}
		})
	}
}
