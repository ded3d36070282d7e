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
	t.Parallel()
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

// status says when the tokens expire on the same clock, and so does the
// error for a refresh token that has expired: no RFC 3339 for people.
func TestCLIStatusAndErrorsSayTheSameClock(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	start := time.Date(2030, 3, 4, 15, 7, 0, 0, time.Local)
	e.clock.Set(start)
	alice := e.addAccount("alice.test")
	e.login("alice.test")
	refreshExp := e.account(alice.DID).RefreshExpiry()
	r := e.run("", "status")
	wantCode(t, r, exitOK)
	for _, want := range []string{
		"expires in 2h00m (at 17:07)\n",
		"expires in " + left(refreshExp, start) + " (at " + refreshExp.Local().Format("Jan 2 15:04") + ")\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("status lacks %q:\n%s", want, r)
		}
	}

	e.clock.Set(start.Add(2*time.Hour + 30*time.Second))
	r = e.run("", "status")
	if !strings.Contains(r.stdout, "expired at 17:07\n") {
		t.Errorf("status of an expired access token:\n%s", r)
	}

	e.clock.Set(refreshExp.Add(time.Hour))
	wantError(t, e.run("", "token"), exitNoSession, "the refresh token of alice.test expired at "+refreshExp.Local().Format("15:04"))
}
