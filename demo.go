package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/ui"
)

// The demo's password and emailed sign-in code are shown on screen.
const (
	demoPassword   = "demo-pass-word-0000"
	demoSignInCode = "DEMO1-CODE2"
)

// demo is a sandbox: in-process fake servers on loopback, sample accounts in
// a temporary config folder (never the real one), removed on exit.
type demo struct {
	stable, fast, flaky *fakepds.Server
	dir                 string
	mgr                 *accounts.Manager
}

// newDemo starts three fake servers: a stable one (2 h tokens), a fast one
// (80 s tokens, so the countdown and automatic refresh show within a
// minute) and a flaky one (70 s tokens) whose refreshes fail with 503.
func newDemo(ctx context.Context) (*demo, error) {
	dir, err := os.MkdirTemp("", "skyswitch-demo-")
	if err != nil {
		return nil, err
	}
	d := &demo{
		stable: fakepds.New(fakepds.Options{IncludeDIDDoc: true, SignInCode: demoSignInCode}),
		fast:   fakepds.New(fakepds.Options{AccessLifetime: 80 * time.Second, IncludeDIDDoc: true}),
		flaky:  fakepds.New(fakepds.Options{AccessLifetime: 70 * time.Second, IncludeDIDDoc: true}),
		dir:    dir,
	}
	d.mgr = &accounts.Manager{
		Store:  storage.Open(filepath.Join(dir, "skyswitch", "accounts.json")),
		Client: &auth.Client{Timeout: 5 * time.Second},
	}
	if err := d.seed(ctx); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

func (d *demo) seed(ctx context.Context) error {
	add := func(srv *fakepds.Server, handle string, twoFactor bool) (string, error) {
		a := srv.AddAccount(fakepds.Account{Handle: handle, Email: handle + "@example.com", Password: demoPassword, EmailConfirmed: true, EmailAuthFactor: twoFactor})
		pw, err := srv.CreateAppPassword(a.DID, "skyswitch demo", false)
		if err != nil {
			return "", err
		}
		if twoFactor {
			return a.DID, nil
		}
		_, err = d.mgr.Login(ctx, auth.LoginInput{Service: srv.URL(), Identifier: handle, Password: pw})
		return a.DID, err
	}
	steps := []struct {
		srv    *fakepds.Server
		handle string
	}{
		{d.stable, "work.example.test"},
		{d.fast, "bot.example.test"},
		{d.flaky, "flaky.example.test"},
		{d.fast, "revoked.example.test"},
		{d.stable, "alice.example.test"},
	}
	for _, s := range steps {
		if _, err := add(s.srv, s.handle, false); err != nil {
			return fmt.Errorf("demo: %s: %w", s.handle, err)
		}
	}
	if _, err := add(d.stable, "twofactor.example.test", true); err != nil {
		return err
	}
	// The revoked account's session is ended on the server; the TUI learns
	// it at its next refresh. The flaky server fails every refresh.
	st, err := d.mgr.Load(ctx)
	if err != nil {
		return err
	}
	if a, ok := st.Find("revoked.example.test"); ok {
		if err := d.mgr.Client.DeleteSession(ctx, a.SessionData); err != nil {
			return err
		}
	}
	d.flaky.Inject("com.atproto.server.refreshSession", fakepds.Fault{Kind: fakepds.FaultStatus, Status: 503})
	_, err = d.mgr.Switch(ctx, "alice.example.test")
	return err
}

// banner is the demo's permanent notice, with what a visitor needs to try
// the login and sign-in code forms.
func (d *demo) banner() string {
	return fmt.Sprintf("DEMO: sandbox servers on this machine. Try a → twofactor.example.test, password %s, service %s, code %s",
		demoPassword, d.stable.URL(), demoSignInCode)
}

func (d *demo) close() {
	d.stable.Close()
	d.fast.Close()
	d.flaky.Close()
	os.RemoveAll(d.dir)
}

// runDemo runs the TUI over the sandbox.
func (c *cli) runDemo(ctx context.Context) error {
	d, err := newDemo(ctx)
	if err != nil {
		return err
	}
	defer d.close()
	return runSwitcher(ctx, ui.New(d.mgr, ui.Options{Banner: d.banner()}))
}
