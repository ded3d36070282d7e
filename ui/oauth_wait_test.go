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

// A sign-in page that is not a plain web address is neither opened, shown
// as it is nor offered to copy: the form says so, nothing is saved. A
// bidirectional override in its path is refused by the metadata's checks;
// a quote, which they let through, by browser.Check where the page opens.
func TestOAuthStrangeSignInPageIsRefused(t *testing.T) {
	for _, c := range []struct{ path, says, hidden string }{
		{"/oauth/\u202eezirohtua", "The server offers no OAuth sign-in", "\u202e"},
		{`/oauth/"authorize`, "The server's sign-in page is not an http or https address of printable ASCII; nothing was saved.", `"authorize`},
	} {
		w := newWorld(t, fakepds.Options{AuthorizationEndpoint: c.path})
		w.add(nil, "carol.test", false)
		restore := ui.OAuthWaitLimitIs(50 * time.Millisecond) // a wait that starts ends soon
		b := &browser{}
		d := w.start(ui.Options{Browser: b.open})
		fillOAuth(d, w.srv.URL(), "carol.test")
		d.key("enter")
		d.has(c.says)
		d.hasNot("waiting for the browser", c.hidden)
		if len(b.pages) != 0 {
			t.Fatalf("%q: the browser was opened", c.path)
		}
		if st := w.load(); len(st.Accounts) != 0 {
			t.Fatalf("%q: %d accounts saved", c.path, len(st.Accounts))
		}
		restore()
	}
}
