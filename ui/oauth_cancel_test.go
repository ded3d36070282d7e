package ui_test

// esc on a sign-in through the browser, at each of its steps: the
// listener closes, nothing is saved, no browser opens after it.

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/ui"
)

func TestOAuthCancelClosesTheListener(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.add(nil, "carol.test", false)
	b := &browser{}
	d := w.start(ui.Options{Browser: b.open})
	fillOAuth(d, w.srv.URL(), "carol.test")
	done := oauthHeld(d)
	page := b.page(t)
	d.has("waiting for the browser…")

	d.key("esc")
	d.has("Add an account", "Sign-in cancelled.", "carol.test", "● browser (OAuth)")
	d.hasNot("waiting for the browser")
	d.send(within(t, done, "the end of the cancelled wait"))
	d.has("Sign-in cancelled.")
	d.hasNot("Added", "ontext canceled")
	// The wait has ended: its listener is closed, and the browser that
	// comes back late finds nobody.
	if resp, err := http.Get(redirectOf(t, page) + "?state=x&code=y"); err == nil {
		resp.Body.Close()
		t.Fatalf("the listener still answers (HTTP %d) after esc", resp.StatusCode)
	}
	if err := visit(page); err == nil {
		t.Fatal("the browser came back to a listener after esc")
	}
	if st := w.load(); len(st.Accounts) != 0 {
		t.Fatalf("%d accounts saved", len(st.Accounts))
	}
	if n := len(w.srv.OAuthSessions(did("carol.test"))); n != 0 {
		t.Fatalf("%d sessions at the server", n)
	}
	// The form still works: enter signs in again through the browser.
	b.act = visit
	d.key("enter")
	d.has("Added @carol.test")
}

// esc while the server holds the start of the sign-in (its pushed
// request): the request ends, the listener made for it closes, and the
// late result is dropped.
func TestOAuthCancelWhileStarting(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.add(nil, "carol.test", false)
	listeners := make(chan *auth.CallbackListener, 1)
	t.Cleanup(ui.ListenWith(func() (*auth.CallbackListener, error) {
		l, err := auth.ListenCallback()
		if err == nil {
			listeners <- l
		}
		return l, err
	}))
	w.srv.Inject("/oauth/par", fakepds.Fault{Kind: fakepds.FaultDelay, Delay: time.Minute, Times: 1})
	b := &browser{}
	d := w.start(ui.Options{Browser: b.open})
	fillOAuth(d, w.srv.URL(), "carol.test")
	start := held(d, d.pending(keyMsg("enter")), "oauthStartCmd")
	done := make(chan tea.Msg, 1)
	go func() { done <- start() }()
	l := within(t, listeners, "the sign-in's listener")
	d.has("starting the sign-in…", "esc cancels")
	d.key("esc")
	d.send(within(t, done, "the end of the cancelled start"))
	d.has("Sign-in cancelled.", "● browser (OAuth)")
	d.hasNot("starting the sign-in", "ontext canceled")
	if resp, err := http.Get(l.RedirectURI()); err == nil {
		resp.Body.Close()
		t.Fatalf("the listener still answers (HTTP %d) after esc", resp.StatusCode)
	}
	if len(b.pages) != 0 {
		t.Fatal("a browser was opened for a cancelled sign-in")
	}
}

// esc after the server answered but before the form heard of it: the
// started sign-in's listener closes, and no browser opens.
func TestOAuthCancelBeforeTheStartArrives(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.add(nil, "carol.test", false)
	b := &browser{}
	d := w.start(ui.Options{Browser: b.open})
	fillOAuth(d, w.srv.URL(), "carol.test")
	started := held(d, d.pending(keyMsg("enter")), "oauthStartCmd")()
	d.key("esc")
	d.send(started)
	d.has("Sign-in cancelled.")
	d.hasNot("waiting for the browser")
	form, err := url.ParseQuery(string(w.srv.Requests("/oauth/par")[0].Body))
	if err != nil || form.Get("redirect_uri") == "" {
		t.Fatalf("no redirect_uri in the pushed request: %v", err)
	}
	if resp, err := http.Get(form.Get("redirect_uri")); err == nil {
		resp.Body.Close()
		t.Fatalf("the listener still answers (HTTP %d) after esc", resp.StatusCode)
	}
	if len(b.pages) != 0 {
		t.Fatal("a browser was opened for a cancelled sign-in")
	}
}
