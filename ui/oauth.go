package ui

// Signing in through the browser (OAuth), the login form's other kind:
// ctrl+o turns the form to it (the account and service fields stay, the
// password goes). Enter starts the sign-in in a tea.Cmd (a loopback
// listener for the browser's return, then Service.StartOAuth); the
// started message brings the page to open, which the form shows (to open
// by hand, or copy with ctrl+y) while two commands run: one opens the
// browser (Options.Browser), one waits for the callback and saves the
// session (Service.FinishOAuth, or FinishOAuthAgain for a log in again).
// esc cancels the wait: its context ends, and the waiting command closes
// the listener; nothing is saved.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/browser"
	"github.com/skyswitch/skyswitch/storage"
)

// OpenFunc opens a web page in the person's browser (cli's is
// internal/browser.Open). It is called inside a tea.Cmd, never in Update.
type OpenFunc func(url string) error

// oauthWaitLimit bounds the wait for the browser's return, which the form
// says: the server's pushed request lapses within minutes anyway (cli's
// login --oauth waits as long).
var oauthWaitLimit = 10 * time.Minute

// errStrangePage: the server's sign-in page is not a plain web address
// (browser.Check), so the form neither opens nor shows it.
var errStrangePage = errors.New("the server's sign-in page is not an http or https address of printable ASCII; nothing was saved")

// listenCallback starts the loopback listener a sign-in comes back to.
var listenCallback = auth.ListenCallback

// oauthStartedMsg: the sign-in numbered attempt started (or could not):
// the page to open, and the listener waiting for the browser's return.
type oauthStartedMsg struct {
	attempt  int
	ctx      context.Context // the sign-in's, which esc ends
	pending  *auth.OAuthPending
	listener *auth.CallbackListener
	err      error
}

// browserOpenedMsg: the browser was asked to open the sign-in's page; err
// says why it could not be.
type browserOpenedMsg struct {
	attempt int
	err     error
}

// oauthStartCmd starts the listener, then the sign-in at the server,
// within networkTimeout of ctx (the sign-in's own, which esc ends).
// On failure it releases ctx (cancel); on success the waiting command will.
func oauthStartCmd(ctx context.Context, cancel context.CancelFunc, svc Service, req auth.OAuthRequest, attempt int) tea.Cmd {
	return func() tea.Msg {
		l, err := listenCallback()
		if err != nil {
			cancel()
			return loginDoneMsg{attempt: attempt, err: fmt.Errorf("cannot listen for the browser's return: %w", err)}
		}
		sctx, scancel := context.WithTimeout(ctx, networkTimeout)
		defer scancel()
		req.RedirectURI = l.RedirectURI()
		p, err := svc.StartOAuth(sctx, req)
		if err == nil {
			err = ctx.Err() // esc came while the server answered
		}
		if err == nil && browser.Check(p.AuthorizeURL()) != nil {
			// From the server's metadata: neither opened, shown nor copied.
			err = errStrangePage
		}
		if err != nil {
			cancel()
			l.Close()
			return noted(svc, loginDoneMsg{attempt: attempt, err: err})
		}
		l.Expect(p.State()) // before the browser opens: it may come back at once
		return noted(svc, oauthStartedMsg{attempt: attempt, ctx: ctx, pending: p, listener: l})
	}
}

// oauthWaitCmd waits for the browser's return, within oauthWaitLimit, and
// saves the session; it closes the listener whatever happens. cancel ends
// the sign-in's context once done.
func oauthWaitCmd(cancel context.CancelFunc, svc Service, again string, msg oauthStartedMsg) tea.Cmd {
	ctx, limit := msg.ctx, oauthWaitLimit
	return func() tea.Msg {
		defer cancel()
		defer msg.listener.Close()
		wctx, wcancel := context.WithTimeout(ctx, limit)
		defer wcancel()
		cb, err := msg.listener.Wait(wctx, msg.pending.State())
		if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			// Not wrapped: a deadline reads as "cannot reach the server".
			err = fmt.Errorf("the browser did not come back within %s; nothing was saved", waitText(limit))
		}
		if err != nil {
			return loginDoneMsg{attempt: msg.attempt, err: err}
		}
		msg.listener.Close() // before the tokens are asked for: nothing else comes back
		fctx, fcancel := context.WithTimeout(ctx, networkTimeout)
		defer fcancel()
		var a storage.Account
		if again != "" {
			a, err = svc.FinishOAuthAgain(fctx, again, msg.pending, cb)
		} else {
			a, err = svc.FinishOAuth(fctx, msg.pending, cb)
		}
		return noted(svc, loginDoneMsg{attempt: msg.attempt, acct: a, err: err})
	}
}

// openBrowserCmd has open show u; without an opener the form says to open
// it by hand.
func openBrowserCmd(open OpenFunc, u string, attempt int) tea.Cmd {
	return func() tea.Msg {
		if open == nil {
			return browserOpenedMsg{attempt: attempt, err: errors.New("no browser to open here")}
		}
		return browserOpenedMsg{attempt: attempt, err: open(u)}
	}
}

// closeListenerCmd closes the listener of a sign-in cancelled while it
// started.
func closeListenerCmd(l *auth.CallbackListener) tea.Cmd {
	return func() tea.Msg { l.Close(); return nil }
}

// submitOAuth starts the sign-in through the browser for the account and
// service typed (either may be empty, not both).
func (m Model) submitOAuth() (Model, tea.Cmd) {
	l := &m.login
	typed := auth.LoginInput{Service: l.fields[fieldService].Value(), Identifier: l.fields[fieldIdentifier].Value()}
	var tl *auth.TooLongError
	if errors.As(typed.CheckLengths(), &tl) {
		field := map[auth.LoginField]int{auth.FieldService: fieldService, auth.FieldIdentifier: fieldIdentifier}
		l.err, l.focus = "T"+strings.TrimPrefix(tl.Error(), "t")+".", field[tl.Field]
		return m, l.focusCmd()
	}
	in := l.input()
	if in.Identifier == "" && in.Service == "" {
		l.err, l.focus = "Enter your handle or DID (or only the server, to choose the account at the browser).", fieldIdentifier
		return m, l.focusCmd()
	}
	ctx, cancel := context.WithCancel(context.Background()) // the wait has its bound
	m.logins++
	l.busy, l.err, l.attempt, l.cancel = true, "", m.logins, cancel
	l.authURL, l.browserErr = "", ""
	req := auth.OAuthRequest{Service: in.Service, Identifier: in.Identifier}
	return m, tea.Batch(oauthStartCmd(ctx, cancel, m.svc, req, l.attempt), m.spinner.Tick)
}

// onOAuthStarted shows the page to open and waits for the browser's
// return. A sign-in cancelled meanwhile has its listener closed.
func (m Model) onOAuthStarted(msg oauthStartedMsg) (Model, tea.Cmd) {
	l := &m.login
	if !l.busy || msg.attempt != l.attempt || m.screen != screenLogin {
		return m, closeListenerCmd(msg.listener)
	}
	l.authURL = msg.pending.AuthorizeURL()
	// (Bubble Tea runs them at once; the listener took the state already,
	// so the browser may come back before the wait starts.)
	open := openBrowserCmd(m.opts.Browser, l.authURL, msg.attempt)
	return m, tea.Batch(open, oauthWaitCmd(l.cancel, m.svc, l.again.did, msg))
}

// onBrowserOpened says, under the address, that no browser opened.
func (m Model) onBrowserOpened(msg browserOpenedMsg) (Model, tea.Cmd) {
	l := &m.login
	if l.busy && msg.attempt == l.attempt && msg.err != nil {
		l.browserErr = "No browser opened (" + msg.err.Error() + "): open the address above in one."
	}
	return m, nil
}
