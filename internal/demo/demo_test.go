package demo

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
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
	want := []string{"work.example.test", "bot.example.test", "flaky.example.test", "revoked.example.test", "alice.example.test"}
	if !slices.Equal(handles, want) {
		t.Errorf("saved %v, want %v", handles, want)
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
	for _, w := range []string{"twofactor.example.test", demoPassword, d.stable.URL(), demoSignInCode} {
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
