package ui_test

// The login form's sign-in through the browser (OAuth), over the accounts
// Manager and the fake PDS's authorization server, with a fake browser.

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/ui"
)

func init() { namedKeys["ctrl+o"] = tea.Key{Code: 'o', Mod: tea.ModCtrl} }

// browser is a fake opener: it records the pages it is asked to open and
// does with each what act says (nothing when nil: the person has not
// come back yet).
type browser struct {
	mu    sync.Mutex
	pages []string
	act   func(page string) error
}

func (b *browser) open(page string) error {
	b.mu.Lock()
	b.pages = append(b.pages, page)
	act := b.act
	b.mu.Unlock()
	if act == nil {
		return nil
	}
	return act(page)
}

// page is the last page opened.
func (b *browser) page(t *testing.T) string {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.pages) == 0 {
		t.Fatal("no browser was opened")
	}
	return b.pages[len(b.pages)-1]
}

// visit is a browser already signed in at the fake PDS: the page (its
// authorize URL) approves the login_hint's account and redirects to the
// loopback listener, which must take the callback.
func visit(page string) error {
	resp, err := http.Get(page)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the browser ended at HTTP %d", resp.StatusCode)
	}
	return nil
}

// refuse is the person refusing at the browser: the callback carries
// access_denied.
func refuse(srv *fakepds.Server) func(string) error {
	return func(page string) error {
		cb, err := srv.DenyOAuth(page)
		if err != nil {
			return err
		}
		return visit(cb)
	}
}

// redirectOf is the loopback address a sign-in's page sends the browser
// back to (in its client_id).
func redirectOf(t *testing.T, page string) string {
	t.Helper()
	u, err := url.Parse(page)
	if err != nil {
		t.Fatal(err)
	}
	c, err := url.Parse(u.Query().Get("client_id"))
	if err != nil || c.Query().Get("redirect_uri") == "" {
		t.Fatalf("no redirect_uri in the client_id of %s", page)
	}
	return c.Query().Get("redirect_uri")
}

// fillOAuth opens the add-account form, turns it to the browser and
// fills in the account and the service.
func fillOAuth(d *driver, service, ident string) {
	d.t.Helper()
	d.key("a")
	d.has("Add an account", "● app password")
	d.key("ctrl+o")
	d.hasNot("Password")
	d.has("● browser (OAuth)", "Enter opens your browser")
	d.typ(ident)
	d.key("tab")
	d.typ(service)
}

// oauthHeld presses enter on a filled form and runs what follows as
// Bubble Tea would, except the wait for the browser's return, which runs
// on a goroutine of its own: its message arrives on the returned channel.
func oauthHeld(d *driver) <-chan tea.Msg {
	d.t.Helper()
	start := held(d, d.pending(keyMsg("enter")), "oauthStartCmd")
	d.has("starting the sign-in…")
	var wait tea.Cmd
	for _, c := range d.pending(start()) {
		switch name := cmdName(c); {
		case strings.Contains(name, "oauthWaitCmd"):
			wait = c
		case strings.Contains(name, "openBrowserCmd"):
			d.deliver(c)
		}
	}
	if wait == nil {
		d.t.Fatal("the sign-in does not wait for the browser")
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- wait() }()
	return done
}

// held is the command named name among cmds.
func held(d *driver, cmds []tea.Cmd, name string) tea.Cmd {
	d.t.Helper()
	for _, c := range cmds {
		if strings.Contains(cmdName(c), name) {
			return c
		}
	}
	d.t.Fatalf("no %s among the commands", name)
	return nil
}

// shows fails the test unless the screen holds s whole, though broken
// across lines (an address).
func (d *driver) shows(s string) {
	d.t.Helper()
	var b strings.Builder
	for _, l := range strings.Split(d.view(), "\n") {
		b.WriteString(strings.TrimSpace(l))
	}
	if !strings.Contains(b.String(), s) {
		d.t.Fatalf("the screen lacks %q:\n%s", s, d.view())
	}
}

func TestOAuthSignInFromTheForm(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	w.add(nil, "carol.test", false)
	b := &browser{}
	d := w.start(ui.Options{Browser: b.open})
	fillOAuth(d, w.srv.URL(), "carol.test")
	done := oauthHeld(d)
	page := b.page(t)
	if !strings.HasPrefix(page, w.srv.URL()+"/oauth/authorize?") {
		t.Fatalf("the browser opened %s", page)
	}
	d.has("waiting for the browser…", "esc cancels", "y copy address")
	d.shows(page)
	if len(w.load().Accounts) != 1 {
		t.Fatal("saved before the browser came back")
	}

	if err := visit(page); err != nil {
		t.Fatal(err)
	}
	d.send(within(t, done, "the browser's return"))
	d.has("Added @carol.test; it is now the active account.", "2 accounts", "> ● @carol.test")
	a := w.account("carol.test")
	if a.Kind() != auth.KindOAuth || a.OAuth.Issuer != w.srv.OAuthIssuer() || w.load().Active != a.DID {
		t.Fatalf("saved %s session, issuer %v, active %s", a.Kind(), a.OAuth, w.load().Active)
	}
	if n := len(w.srv.OAuthSessions(a.DID)); n != 1 {
		t.Fatalf("%d sessions at the server", n)
	}
}

// With a browser that comes back at once (one already signed in), the
// sign-in ends by itself: the listener had the state before it opened.
func TestOAuthBrowserComingBackAtOnce(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.add(nil, "carol.test", false)
	b := &browser{act: visit}
	d := w.start(ui.Options{Browser: b.open})
	fillOAuth(d, w.srv.URL(), "carol.test")
	done := oauthHeld(d) // the browser came back before the wait began
	d.hasNot("No browser opened")
	d.send(within(t, done, "the browser's return"))
	d.has("Added @carol.test", "1 account")
	if a := w.account("carol.test"); a.Kind() != auth.KindOAuth {
		t.Fatalf("saved a %s session", a.Kind())
	}
}

func TestOAuthRefusedAtTheBrowser(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.add(nil, "carol.test", false)
	b := &browser{act: refuse(w.srv)}
	d := w.start(ui.Options{Browser: b.open})
	fillOAuth(d, w.srv.URL(), "carol.test")
	d.key("enter")
	d.has("The sign-in was refused at the browser.", "● browser (OAuth)")
	d.hasNot("waiting for the browser", "access_denied")
	if st := w.load(); len(st.Accounts) != 0 {
		t.Fatalf("%d accounts saved", len(st.Accounts))
	}
}

// No browser opens: the form says why, and the address is there to open
// by hand; the sign-in still waits for it.
func TestOAuthWithoutABrowserShowsTheAddress(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.add(nil, "carol.test", false)
	b := &browser{act: func(string) error { return errors.New("no graphical session") }}
	d := w.start(ui.Options{Browser: b.open})
	fillOAuth(d, w.srv.URL(), "carol.test")
	done := oauthHeld(d)
	d.has("No browser opened (no graphical session): open the address above in one.", "waiting for the browser…")
	d.shows(b.page(t))
	d.key("y")
	d.has("Copied the sign-in page's address")
	if err := visit(b.page(t)); err != nil {
		t.Fatal(err)
	}
	d.send(within(t, done, "the browser's return"))
	d.has("Added @carol.test")
}

// A sign-in through the browser needs the account or its server; an
// email cannot name the account there.
func TestOAuthFormChecksWhatIsTyped(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	d := w.start(ui.Options{Browser: (&browser{}).open})
	d.key("a")
	d.key("ctrl+o")
	d.key("enter")
	d.has("Enter your handle or DID (or only the server")
	d.typ("carol@example.com")
	d.key("tab")
	d.typ(w.srv.URL())
	d.key("enter")
	d.has("give a handle or a DID, not an email address")
	// ctrl+o back: the password form, its field back.
	d.key("ctrl+o")
	d.has("● app password", "Password")
}
