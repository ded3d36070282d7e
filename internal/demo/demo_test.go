package demo

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/auth"
)

// The sandbox: five accounts logged in, alice active, the two-factor one
// left for the visitor (the banner says how), the revoked one ended on its
// server, the flaky server failing refreshes; Close removes it all.
func TestSandbox(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			d.Close()
		}
	}()
	st, err := d.Manager.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var handles []string
	for _, a := range st.Accounts {
		handles = append(handles, a.Handle)
	}
	want := []string{"work.example.test", "bot.example.test", "flaky.example.test", "revoked.example.test", "alice.example.test", oauthHandle}
	if !slices.Equal(handles, want) {
		t.Errorf("saved %v, want %v", handles, want)
	}
	for _, a := range st.Accounts {
		if kind := map[bool]string{true: auth.KindOAuth, false: auth.KindPassword}[a.Handle == oauthHandle]; a.Kind() != kind {
			t.Errorf("%s has a %s session, want %s", a.Handle, a.Kind(), kind)
		}
	}
	if _, err := d.Manager.Refresh(ctx, oauthHandle); err != nil {
		t.Errorf("a refresh of the OAuth session: %v", err)
	}
	if a, ok := st.ActiveAccount(); !ok || a.Handle != "alice.example.test" {
		t.Errorf("active %q, want alice.example.test", st.Active)
	}
	if revoked, ok := st.Find("revoked.example.test"); !ok || d.fast.RefreshTokenValid(revoked.RefreshJwt) {
		t.Errorf("the revoked account's session is still valid on its server")
	}
	if _, err := d.Manager.Refresh(ctx, "flaky.example.test"); err == nil {
		t.Errorf("a refresh on the flaky server succeeded")
	}
	if _, err := d.Manager.Refresh(ctx, "work.example.test"); err != nil {
		t.Errorf("a refresh on the stable server: %v", err)
	}
	b := d.Banner()
	for _, w := range []string{"twofactor.example.test", demoPassword, d.stable.URL(), demoSignInCode, "ctrl+o"} {
		if !strings.Contains(b, w) {
			t.Errorf("the banner does not say %q: %s", w, b)
		}
	}
	dir := d.dir
	d.Close()
	closed = true
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the sandbox's folder is left: %v", err)
	}
}

// The sandbox's browser signs the visitor in as the switcher's form asks
// (the demo's two-factor account, here), and opens nothing but the
// sandbox servers' sign-in pages.
func TestSandboxBrowserSignsIn(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	l, err := auth.ListenCallback()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	p, err := d.Manager.StartOAuth(ctx, auth.OAuthRequest{Service: d.stable.URL(), Identifier: "twofactor.example.test", RedirectURI: l.RedirectURI()})
	if err != nil {
		t.Fatal(err)
	}
	l.Expect(p.State())
	if err := d.Open(p.AuthorizeURL()); err != nil {
		t.Fatal(err)
	}
	cb, err := l.Wait(ctx, p.State())
	if err != nil {
		t.Fatal(err)
	}
	a, err := d.Manager.FinishOAuth(ctx, p, cb)
	if err != nil || a.Handle != "twofactor.example.test" || a.Kind() != auth.KindOAuth {
		t.Fatalf("signed in %s (%s): %v", a.Handle, a.Kind(), err)
	}
	for _, page := range []string{"https://bsky.social/oauth/authorize?x=1", "file:///etc/passwd", d.stable.URL() + "/.well-known/oauth-authorization-server"} {
		if err := d.Open(page); err == nil {
			t.Errorf("the sandbox's browser opened %s", page)
		}
	}
}
