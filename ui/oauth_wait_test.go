package ui_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/ui"
)

// The form says how long it waits for the browser, and when the wait runs
// out it says that, not "cannot reach the server" (the server answered
// every request): the listener is closed, nothing is saved, and the form
// can start again.
func TestOAuthWaitRunsOut(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.add(nil, "carol.test", false)
	b := &browser{}
	d := w.start(ui.Options{Browser: b.open})
	fillOAuth(d, w.srv.URL(), "carol.test")
	defer ui.OAuthWaitLimitIs(50 * time.Millisecond)()
	done := oauthHeld(d)
	d.shows("Sign in at the page your browser shows, within 50ms.")
	d.send(within(t, done, "the end of the wait"))
	d.has("The browser did not come back within 50ms; nothing was saved.", "● browser (OAuth)")
	d.hasNot("waiting for the browser", "annot reach", "deadline")
	if resp, err := http.Get(redirectOf(t, b.page(t)) + "?state=x&code=y"); err == nil {
		resp.Body.Close()
		t.Fatalf("the listener still answers (HTTP %d) after the wait ran out", resp.StatusCode)
	}
	if st := w.load(); len(st.Accounts) != 0 {
		t.Fatalf("%d accounts saved", len(st.Accounts))
	}
}

// The default bound, as the form says it.
func TestOAuthWaitIsSaid(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.add(nil, "carol.test", false)
	d := w.start(ui.Options{Browser: (&browser{}).open})
	fillOAuth(d, w.srv.URL(), "carol.test")
	done := oauthHeld(d)
	d.shows("Sign in at the page your browser shows, within 10 minutes.")
	d.key("esc")
	d.send(within(t, done, "the end of the cancelled wait"))
}
