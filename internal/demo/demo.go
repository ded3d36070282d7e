// Package demo is skyswitch --demo's sandbox: in-process fake servers on
// loopback (internal/fakepds) and sample accounts in a temporary config
// folder, never the real one, removed on Close.
package demo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

// The demo's password and emailed sign-in code are shown on screen.
const (
	demoPassword   = "demo-pass-word-0000"
	demoSignInCode = "DEMO1-CODE2"
)

// oauthHandle is the sample account signed in through the browser (OAuth).
const oauthHandle = "web.example.test"

// Sandbox is a running demo: three fake servers, the sample accounts on
// them, and the Manager the switcher uses over them.
type Sandbox struct {
	// Manager is the accounts of the sandbox, in its temporary folder.
	Manager             *accounts.Manager
	stable, fast, flaky *fakepds.Server
	dir                 string
	browser             *http.Client
}

// Start starts three fake servers: a stable one (2 h tokens), a fast one
// (80 s tokens, so the countdown and automatic refresh show within a
// minute) and a flaky one (70 s tokens) whose refreshes fail with 503.
// It seeds the sample accounts; Close ends it all.
func Start(ctx context.Context) (*Sandbox, error) {
	dir, err := os.MkdirTemp("", "skyswitch-demo-")
	if err != nil {
		return nil, err
	}
	d := &Sandbox{
		stable: fakepds.New(fakepds.Options{IncludeDIDDoc: true, SignInCode: demoSignInCode}),
		fast:   fakepds.New(fakepds.Options{AccessLifetime: 80 * time.Second, IncludeDIDDoc: true}),
		flaky:  fakepds.New(fakepds.Options{AccessLifetime: 70 * time.Second, IncludeDIDDoc: true}),
		dir:    dir,
	}
	// Nothing leaves the machine: DIDs resolve at the stable server (a
	// PLC directory for its accounts), no handle is looked up in DNS, and
	// the resolver reaches loopback only.
	local := &http.Client{Transport: loopbackOnly{}, Timeout: 5 * time.Second}
	d.Manager = &accounts.Manager{
		Store: storage.Open(filepath.Join(dir, "skyswitch", "accounts.json")),
		Client: &auth.Client{Timeout: 5 * time.Second, Resolver: &auth.Resolver{
			PLCURL: d.stable.URL(), HTTP: local,
			LookupTXT: func(context.Context, string) ([]string, error) { return nil, errNoNetwork },
		}},
	}
	d.browser = &http.Client{Transport: loopbackOnly{}, Timeout: 10 * time.Second}
	if err := d.seed(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// seed adds the sample accounts, logs in all but the two-factor one, and
// sets the scene: a revoked session, a flaky server, alice active.
func (d *Sandbox) seed(ctx context.Context) error {
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
		if err := d.add(ctx, s.srv, s.handle, false); err != nil {
			return fmt.Errorf("demo: %s: %w", s.handle, err)
		}
	}
	if err := d.add(ctx, d.stable, "twofactor.example.test", true); err != nil {
		return err
	}
	if err := d.addOAuth(ctx, d.stable, oauthHandle); err != nil {
		return fmt.Errorf("demo: %s: %w", oauthHandle, err)
	}
	return d.scene(ctx)
}

// add makes an account on srv with an app password and, unless it signs
// in with an emailed code (left for the visitor to try), logs it in.
func (d *Sandbox) add(ctx context.Context, srv *fakepds.Server, handle string, twoFactor bool) error {
	a := srv.AddAccount(fakepds.Account{Handle: handle, Email: handle + "@example.com", Password: demoPassword, EmailConfirmed: true, EmailAuthFactor: twoFactor})
	pw, err := srv.CreateAppPassword(a.DID, "skyswitch demo", false)
	if err != nil || twoFactor {
		return err
	}
	_, err = d.Manager.Login(ctx, auth.LoginInput{Service: srv.URL(), Identifier: handle, Password: pw})
	return err
}

// addOAuth makes an account on srv and signs it in through the browser,
// as the switcher's form does: a loopback listener, the sign-in started,
// the sandbox's browser (Open) sent to its page, the session saved.
func (d *Sandbox) addOAuth(ctx context.Context, srv *fakepds.Server, handle string) error {
	srv.AddAccount(fakepds.Account{Handle: handle, Email: handle + "@example.com", Password: demoPassword, EmailConfirmed: true})
	l, err := auth.ListenCallback()
	if err != nil {
		return err
	}
	defer l.Close()
	p, err := d.Manager.StartOAuth(ctx, auth.OAuthRequest{Service: srv.URL(), Identifier: handle, RedirectURI: l.RedirectURI()})
	if err != nil {
		return err
	}
	l.Expect(p.State())
	if err := d.Open(p.AuthorizeURL()); err != nil {
		return err
	}
	cb, err := l.Wait(ctx, p.State())
	if err != nil {
		return err
	}
	_, err = d.Manager.FinishOAuth(ctx, p, cb)
	return err
}

// Open is the sandbox's browser, for the switcher's sign-in through the
// browser (ui.Options.Browser): the person already signed in at the
// sandbox server. It gets the page, which the server approves at once
// for the account the form named, and follows the server back to the
// switcher's listener. Only the sandbox servers' sign-in pages are opened.
func (d *Sandbox) Open(page string) error {
	ours := false
	for _, srv := range []*fakepds.Server{d.stable, d.fast, d.flaky} {
		ours = ours || strings.HasPrefix(page, srv.OAuthIssuer()+"/oauth/authorize?")
	}
	if !ours {
		return errors.New("the sandbox's browser opens only the sandbox's sign-in pages")
	}
	resp, err := d.browser.Get(page)
	if err != nil {
		return fmt.Errorf("the sandbox's browser: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the sandbox's sign-in page answered HTTP %d (name one of its accounts)", resp.StatusCode)
	}
	return nil
}

// errNoNetwork: the sandbox reaches nothing beyond this machine.
var errNoNetwork = errors.New("the demo reaches no network")

// loopbackOnly is a transport to loopback addresses alone.
type loopbackOnly struct{}

func (loopbackOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	if !auth.IsLoopbackHost(r.URL.Hostname()) {
		return nil, errNoNetwork
	}
	return http.DefaultTransport.RoundTrip(r)
}

// scene ends the revoked account's session on the server (the switcher
// learns it at its next refresh), makes the flaky server fail every
// refresh, and makes alice the active account.
func (d *Sandbox) scene(ctx context.Context) error {
	st, err := d.Manager.Load(ctx)
	if err != nil {
		return err
	}
	if a, ok := st.Find("revoked.example.test"); ok {
		if err := d.Manager.Client.DeleteSession(ctx, a.SessionData); err != nil {
			return err
		}
	}
	d.flaky.Inject("com.atproto.server.refreshSession", fakepds.Fault{Kind: fakepds.FaultStatus, Status: 503})
	_, err = d.Manager.Switch(ctx, "alice.example.test")
	return err
}

// Banner is the demo's permanent notice, with what a visitor needs to try
// the login and sign-in code forms.
func (d *Sandbox) Banner() string {
	return fmt.Sprintf("DEMO: sandbox servers on this machine. Try a → twofactor.example.test, password %s, service %s, code %s; or ctrl+o there to sign in through the browser",
		demoPassword, d.stable.URL(), demoSignInCode)
}

// Close stops the servers and removes the temporary folder.
func (d *Sandbox) Close() {
	d.stable.Close()
	d.fast.Close()
	d.flaky.Close()
	os.RemoveAll(d.dir)
}
