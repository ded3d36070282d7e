package cli

// login --oauth: the sign-in through the browser. A listener on 127.0.0.1
// takes the browser's return; over SSH, where the browser runs on another
// machine and its return cannot reach this one, the person pastes the
// address the browser ended at. Whichever comes first finishes the
// sign-in.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/browser"
	"github.com/skyswitch/skyswitch/storage"
)

// maxScopeLen bounds --scope (the reference server's scopes are a few
// dozen characters).
const maxScopeLen = 1024

// oauthWaitLimit bounds the wait for the browser's return: the server's
// pushed request lapses within minutes (five on the reference server), so
// a browser that has not come back by then will not come back with a code
// that works. The switcher's form waits as long (ui's oauthWaitLimit).
var oauthWaitLimit = 10 * time.Minute

// oauthOptions: login's --oauth, --scope and --no-browser.
type oauthOptions struct {
	on, noBrowser bool
	scope         string
}

// errOAuthRefused is a sign-in the person refused at the browser
// (access_denied): a plain failure, with nothing saved.
var errOAuthRefused = fmt.Errorf("%w; nothing was saved", auth.ErrAccessDenied)

// runLoginOAuth signs in through the browser and saves the session as
// login saves a password one: the account becomes the active one, and a
// session the DID had before (of either kind) is replaced and revoked.
// Nothing is saved when the sign-in fails or is interrupted.
func runLoginOAuth(ctx context.Context, opts loginOptions, e *invocation) error {
	in, err := e.oauthInput(opts)
	if err != nil {
		return err
	}
	l, err := auth.ListenCallback()
	if err != nil {
		return fmt.Errorf("login: cannot listen on 127.0.0.1 for the browser's return: %w", err)
	}
	defer l.Close()
	p, err := e.mgr.StartOAuth(ctx, auth.OAuthRequest{Service: in.Service, Identifier: in.Identifier,
		Scope: opts.oauth.scope, RedirectURI: l.RedirectURI()})
	if err != nil {
		return err
	}
	if err := browser.Check(p.AuthorizeURL()); err != nil {
		// From the server's metadata: neither opened nor printed.
		return fmt.Errorf("login: the server's sign-in page is %w (it must be an http or https address of printable ASCII); nothing was saved", err)
	}
	l.Expect(p.State()) // before the browser opens: it may come back at once
	limit := oauthWaitLimit
	e.sendToBrowser(p, opts.oauth.noBrowser, limit)
	wctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	acct, err := e.awaitSignIn(ctx, wctx, l, p)
	switch {
	case errors.Is(err, auth.ErrAccessDenied):
		return errOAuthRefused
	case ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded):
		// Not wrapped: a deadline reads as "cannot reach the server".
		return fmt.Errorf("login: the browser did not come back within %s; nothing was saved", waitText(limit))
	}
	if err != nil {
		return err
	}
	e.loggedIn(ctx, acct)
	return nil
}

// oauthInput checks login's flags for --oauth and completes the account
// to sign in: a handle or DID (asked for in a terminal), or only the
// server, where the person then chooses the account at the browser.
func (e *invocation) oauthInput(opts loginOptions) (auth.LoginInput, error) {
	in := opts.in
	switch {
	case !opts.oauth.on:
		return in, usageErr("login: --scope and --no-browser go with --oauth")
	case opts.fromStdin:
		return in, usageErr("login: --oauth signs in through the browser, with no password: leave out --password-stdin")
	case in.AuthFactorToken != "":
		return in, usageErr("login: --oauth signs in through the browser: leave out --auth-factor-token")
	case len(opts.oauth.scope) > maxScopeLen:
		return in, usageErr("login: --scope is too long: at most %d characters", maxScopeLen)
	}
	prompted := auth.LoginField(-1) // none
	if in.Identifier == "" && in.Service == "" {
		if !e.app.Interactive {
			return in, usageErr("login: give --identifier (a handle or DID) or --service with --oauth when not run in a terminal")
		}
		var err error
		if in.Identifier, err = e.prompt("Handle or DID: "); err != nil {
			return in, err
		}
		prompted = auth.FieldIdentifier
	}
	return in, checkLengths(&in, prompted)
}

// openBrowser opens u with the App's opener, else the system's.
func (e *invocation) openBrowser(u string) error {
	if e.app.OpenBrowser != nil {
		return e.app.OpenBrowser(u)
	}
	return browser.Open(u)
}

// sendToBrowser opens the sign-in page, or (with --no-browser, or when no
// browser opens) prints its address alone on a line of stderr, under a
// line that says what to do with it. Either says how long the wait is.
func (e *invocation) sendToBrowser(p *auth.OAuthPending, noBrowser bool, limit time.Duration) {
	if !noBrowser {
		err := e.openBrowser(p.AuthorizeURL())
		if err == nil {
			// The opener's outcome is not awaited (xdg-open may fail
			// after it started): say what to do if nothing shows.
			fmt.Fprintf(e.stderr, "Sign in at the page opened in your browser; waiting up to %s for it to come back. "+
				"Ctrl-C cancels; if no page opened, run login --oauth again with --no-browser.\n", waitText(limit))
			return
		}
		fmt.Fprintf(e.stderr, "skyswitch: note: no browser was opened: %v\n", err)
	}
	fmt.Fprintf(e.stderr, "Open this address in a browser to sign in. If the browser is on another machine, "+
		"its last page (%s?…) will not load there: paste its address here. Waiting up to %s; Ctrl-C cancels.\n",
		p.RedirectURI(), waitText(limit))
	fmt.Fprintln(e.stderr, p.AuthorizeURL())
}

// waitText is the wait's bound as a person reads it: "10 minutes".
func waitText(d time.Duration) string {
	if d >= time.Minute && d%time.Minute == 0 {
		return fmt.Sprintf("%d minutes", d/time.Minute)
	}
	return d.String()
}

// awaitSignIn waits, until wctx ends, for the browser's return at the
// listener or a pasted address on stdin, and finishes the sign-in with the
// first (within ctx). A pasted line that is not this sign-in's return
// address, or is another sign-in's (its state differs, as the listener
// ignores such a callback), is said so and the wait goes on; the end of
// stdin does not end it. wctx's end (Ctrl-C, or the wait's bound) does,
// and saves nothing.
func (e *invocation) awaitSignIn(ctx, wctx context.Context, l *auth.CallbackListener, p *auth.OAuthPending) (storage.Account, error) {
	wctx, cancel := context.WithCancel(wctx)
	defer cancel()
	type waited struct {
		url string
		err error
	}
	back := make(chan waited, 1)
	go func() {
		u, err := l.Wait(wctx, p.State())
		back <- waited{u, err}
	}()
	pasted := e.pastedLines(wctx)
	for {
		select {
		case w := <-back:
			if w.err != nil {
				return storage.Account{}, w.err
			}
			return e.mgr.FinishOAuth(ctx, p, w.url)
		case line, ok := <-pasted:
			if !ok {
				pasted = nil // the end of stdin: the browser may still come back
				continue
			}
			acct, err := e.mgr.FinishOAuth(ctx, p, line)
			switch {
			case errors.Is(err, auth.ErrNotCallback):
				fmt.Fprintf(e.stderr, "skyswitch: that is not the address this sign-in comes back to (%s?…); still waiting.\n", p.RedirectURI())
				continue
			case errors.Is(err, auth.ErrStateMismatch):
				fmt.Fprintln(e.stderr, "skyswitch: that address is another sign-in's return (its state differs); still waiting.")
				continue
			}
			return acct, err
		}
	}
}

// pastedLines sends each line of stdin that is not blank, trimmed; a line
// longer than the reader's buffer is sent as "-" (not an address). The
// channel closes at the end of stdin or of ctx; a read still blocked then
// is left to the process's end.
func (e *invocation) pastedLines(ctx context.Context) <-chan string {
	if e.input == nil {
		e.input = bufio.NewReader(e.app.Stdin)
	}
	in, ch := e.input, make(chan string)
	go func() {
		defer close(ch)
		for {
			line, err := readPasted(in)
			if line != "" {
				select {
				case ch <- line:
				case <-ctx.Done():
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	return ch
}

// readPasted reads one line, trimmed; an over-long one is read to its end
// and given as "-".
func readPasted(in *bufio.Reader) (string, error) {
	b, err := in.ReadSlice('\n')
	if !errors.Is(err, bufio.ErrBufferFull) {
		return string(bytes.TrimSpace(b)), err
	}
	for errors.Is(err, bufio.ErrBufferFull) {
		_, err = in.ReadSlice('\n')
	}
	if err == io.EOF {
		err = nil // the next read says so again
	}
	return "-", err
}
