package ui

import (
	"context"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
)

// Logging in again to an account whose session ended: the form says whose
// session it renews, starts filled in, and the login keeps the active
// identity (accounts.Manager.LoginAgain).

// againTarget is the saved account a form logs in to again; the zero
// value is a form that adds an account.
type againTarget struct {
	did, handle string
}

// name is the account as the form's title and the notes say it.
func (a againTarget) name() string {
	if a.handle == "" {
		return a.did
	}
	return "@" + a.handle
}

// sessionOver tells whether a's session can no longer be used: the server
// ended it, or its refresh token has run out (no refresh has told the file
// yet). Its row says "log in again" either way, and only a login helps.
func sessionOver(a *storage.Account, now time.Time) bool {
	exp := a.RefreshExpiry()
	return a.SessionEnded || !exp.IsZero() && !now.Before(exp)
}

// loginAgainForm is the form for logging in again to a, of the kind its
// session is: its server, and the identifier that names it
// (loginIdentOf), filled in; the password field has the focus, or, for
// a sign-in through the browser, the account's (enter opens the browser).
func (m Model) loginAgainForm(a *storage.Account) loginModel {
	l := newLoginModel(m.fieldStyles())
	l.again = againTarget{did: a.DID, handle: a.Handle}
	service := a.Service
	if service == "" {
		service = a.Endpoint()
	}
	l.fields[fieldService].SetValue(service)
	l.fields[fieldIdentifier].SetValue(loginIdentOf(m.data, a))
	l.focus = fieldPassword
	l.setOAuth(a.Kind() == auth.KindOAuth)
	return l
}

// logInAgain opens the form that logs in again to the selected account:
// enter on a row whose session is over, or L on any (to renew an OAuth
// session before its end).
func (m Model) logInAgain() (Model, tea.Cmd) {
	r, ok := m.current()
	if !ok || r.acct == nil {
		return m, nil
	}
	m.screen = screenLogin
	m.login = m.loginAgainForm(r.acct)
	return m, m.login.focusCmd()
}

// loginIdentOf is what a login again to a is sent as: its handle when the
// handle chooses it (storage.State.Choose: no other saved account claims
// it, it is not found unverified), else its DID. A handle that chooses
// nothing here may name someone else on the server too.
func loginIdentOf(st *storage.State, a *storage.Account) string {
	if st == nil || a.Handle == "handle.invalid" || !auth.ValidHandle(a.Handle) {
		return a.DID
	}
	if c, ok, err := st.Choose(a.Handle); err != nil || !ok || c.DID != a.DID {
		return a.DID
	}
	return a.Handle
}

// formTitle is the form's title: whose session it renews, or that it adds
// an account.
func (l loginModel) formTitle() string {
	if l.again.did == "" {
		return "Add an account"
	}
	return "Log in again to " + l.again.name()
}

// loginAgainCmd is loginCmd for a login again to did.
func loginAgainCmd(ctx context.Context, cancel context.CancelFunc, svc Service, did string, in auth.LoginInput, attempt int) tea.Cmd {
	return func() tea.Msg {
		defer cancel()
		a, err := svc.LoginAgain(ctx, did, in)
		return noted(svc, loginDoneMsg{attempt: attempt, acct: a, err: err})
	}
}

// loggedIn shows a finished login in the list at once (the reload
// confirms it) and says what it did: added an account, or logged in again
// to a saved one, which keeps its row. A login from the "Add an account"
// form makes the account active; a login again (again names the account)
// only when it was or none was, as the store does.
func (m Model) loggedIn(acct storage.Account, again againTarget) Model {
	known := false
	if m.data != nil {
		_, known = m.data.Account(acct.DID)
	}
	activate := again.did == "" || m.data == nil || m.data.Active == "" || m.data.Active == acct.DID
	text := fmt.Sprintf("Added @%s; it is now the active account.", acct.Handle)
	switch {
	case again.did == "" && !known:
	case !activate:
		text = fmt.Sprintf("Logged in again to @%s.", acct.Handle)
	case m.data != nil && m.data.Active == acct.DID:
		text = fmt.Sprintf("Logged in again to @%s; it is the active account.", acct.Handle)
	default:
		text = fmt.Sprintf("Logged in again to @%s; it is now the active account.", acct.Handle)
	}
	if activate {
		m.setActiveStatus(text, acct.DID) // it names the active account: it follows ●
	} else {
		m.setStatus(text, false)
	}
	m.wrote() // a load that read the file before the login cannot undo it
	m.list.selected = acct.DID
	if m.data != nil {
		m.data.Upsert(acct) // in place: a saved account keeps its row
		if activate {
			_ = m.data.SetActive(acct.DID)
		}
		m.list = m.list.settle(m.rows())
	}
	return m
}
