package ui_test

import (
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/ui"
)

// The switcher says until when a logged-out account's access token stays
// valid on the command line's clock (accounts.ClockText): 24-hour, rounded
// up to the minute.
func TestLogoutNoteSaysTheCommandLinesClock(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.clk.Set(t0.Add(2*time.Hour + 7*time.Minute + 30*time.Second)) // 17:07:30; a 2-hour token
	w.login(nil, "alice.test")
	d := w.start(ui.Options{})
	d.logOut()
	d.has("Its access token stays valid until 19:08.")
}
