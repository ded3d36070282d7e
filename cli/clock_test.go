package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// logout says until when the access token stays valid on the switcher's
// clock (accounts.ClockText): 24-hour, rounded up to the minute, not
// "5:08PM".
func TestCLILogoutSaysTheSwitchersClock(t *testing.T) {
	e := newCLIEnv(t, fakepds.Options{})
	e.clock.Set(time.Date(2030, 3, 4, 15, 7, 30, 0, time.Local)) // a 2-hour token: until 17:07:30
	e.addAccount("alice.test")
	e.login("alice.test")
	r := e.run("", "logout")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stderr, "stays valid until 17:08 (access tokens cannot be revoked)") {
		t.Errorf("not the switcher's clock:\n%s", r)
	}
}
