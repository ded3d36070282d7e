package ui_test

// Logging in again by the kind of session an account had: the browser
// for an OAuth account, the password form for a password one.

import (
	"context"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/ui"
)

// oauthLogin adds an account on srv (the world's by default) and signs it
// in through the browser with the Manager, as the demo seeds its OAuth
// account. It becomes the active one.
func (w *world) oauthLogin(srv *fakepds.Server, handle string) storage.Account {
	w.t.Helper()
	if srv == nil {
		srv = w.srv
	}
	w.add(srv, handle, false)
	l, err := auth.ListenCallback()
	if err != nil {
		w.t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	p, err := w.mgr.StartOAuth(ctx, auth.OAuthRequest{Service: srv.URL(), Identifier: handle, RedirectURI: l.RedirectURI()})
	if err != nil {
		w.t.Fatalf("StartOAuth %s: %v", handle, err)
	}
	l.Expect(p.State())
	if err := visit(p.AuthorizeURL()); err != nil {
		w.t.Fatal(err)
	}
	cb, err := l.Wait(ctx, p.State())
	if err != nil {
		w.t.Fatal(err)
	}
	a, err := w.mgr.FinishOAuth(ctx, p, cb)
	if err != nil {
		w.t.Fatalf("FinishOAuth %s: %v", handle, err)
	}
	return a
}

// An OAuth session past its 14-day end: enter on its row opens the form
// set to the browser, and enter there logs in again through it, keeping
// the active identity.
func TestOAuthLogInAgainUsesTheBrowser(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	carol := w.oauthLogin(nil, "carol.test")
	w.login(nil, "alice.test")
	w.clk.Set(carol.OAuth.SessionEndsAt.Add(time.Minute))
	b := &browser{act: visit}
	d := w.start(ui.Options{Browser: b.open, Select: "carol.test"})
	d.has("log in again")
	d.key("enter")
	d.has("Log in again to @carol.test", "● browser (OAuth)", "carol.test", w.srv.URL())
	d.hasNot("Password")
	d.key("enter")
	d.has("Logged in again to @carol.test.", "> ")
	a := w.account("carol.test")
	if a.Kind() != auth.KindOAuth || !a.OAuth.SessionEndsAt.After(w.clk.Now().Add(13*24*time.Hour)) {
		t.Fatalf("carol's session: %s, ends %v", a.Kind(), a.RefreshExpiry())
	}
	if act := w.load().Active; act != did("alice.test") {
		t.Fatalf("the active account is %s, want alice's still", act)
	}
}

// A password session that ended: its form is the password one, as before.
func TestPasswordLogInAgainUsesThePassword(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	alice := w.login(nil, "alice.test")
	w.clk.Set(alice.RefreshExpiry().Add(time.Minute))
	d := w.start(ui.Options{Browser: (&browser{}).open})
	d.key("enter")
	d.has("Log in again to @alice.test", "● app password", "Password")
}

// L logs in again to any account, before its session ends: an OAuth one
// through the browser.
func TestLogInAgainKeyRenewsAnOAuthSession(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	carol := w.oauthLogin(nil, "carol.test")
	w.clk.Set(carol.OAuth.SessionEndsAt.Add(-time.Hour))
	b := &browser{act: visit}
	d := w.start(ui.Options{Browser: b.open})
	d.key("?")
	d.has("L log in again")
	d.key("L")
	d.has("Log in again to @carol.test", "● browser (OAuth)")
	d.key("enter")
	d.has("Logged in again to @carol.test; it is the active account.")
	if a := w.account("carol.test"); !a.OAuth.SessionEndsAt.After(carol.OAuth.SessionEndsAt) {
		t.Fatal("the session's end did not move")
	}
	if n := len(w.srv.OAuthSessions(carol.DID)); n != 1 {
		t.Fatalf("%d sessions at the server, want the new one alone", n)
	}
}
