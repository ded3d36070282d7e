package ui

import (
	"context"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
)

// Messages carrying results. Every result about one account names its DID
// and the generation the account had when the command started: a result
// from before a logout is dropped, so it cannot bring the account back.

type tickMsg time.Time

type loadedMsg struct {
	st    *storage.State
	stamp string
	err   error
	seq   int64 // when the read began, in loadsBegun's order
}

// loadsBegun numbers the loads in the order they begin, across the
// process. A load that began later read the file as it was then or
// newer: one answered after a later one was applied, or begun before a
// switch this switcher made, is dropped (see Model.loadFloor), so a
// stale read cannot move ● back.
var loadsBegun atomic.Int64

type unchangedMsg struct{}

type refreshedMsg struct {
	did  string
	gen  int
	acct storage.Account
	err  error
}

type loggedOutMsg struct {
	did string
	res accounts.LogoutResult
	err error
}

type switchedMsg struct {
	did  string
	acct storage.Account
	err  error
}

type loginDoneMsg struct {
	attempt int // the login's number: a cancelled one's result is dropped
	acct    storage.Account
	err     error
}

type checkedMsg struct {
	did  string
	gen  int
	acct storage.Account
	err  error
}

type pendingRetriedMsg struct {
	revoked, left int
}

// notedMsg is a command's result with the store's warnings raised while it
// ran (see Service.Warnings); Update queues the notes, then handles msg.
type notedMsg struct {
	msg   tea.Msg
	notes []string
}

// noted attaches to msg the warnings svc raised meanwhile, if any. Every
// command that calls svc ends with it, so no warning is left unread.
func noted(svc Service, msg tea.Msg) tea.Msg {
	if w := svc.Warnings(); len(w) > 0 {
		return notedMsg{msg: msg, notes: w}
	}
	return msg
}

// tick drives every countdown: one message a second, re-armed only by its
// own handler.
func tick() tea.Cmd {
	return tea.Every(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

func loadCmd(svc Service) tea.Cmd {
	return func() tea.Msg {
		seq := loadsBegun.Add(1)
		ctx, cancel := context.WithTimeout(context.Background(), localTimeout)
		defer cancel()
		stamp := svc.Stamp()
		st, err := svc.Load(ctx)
		return noted(svc, loadedMsg{st: st, stamp: stamp, err: err, seq: seq})
	}
}

// reloadIfChangedCmd reloads only when the file changed since stamp.
func reloadIfChangedCmd(svc Service, stamp string) tea.Cmd {
	return func() tea.Msg {
		if svc.Stamp() == stamp {
			return noted(svc, unchangedMsg{})
		}
		return loadCmd(svc)()
	}
}

func refreshCmd(svc Service, did string, gen int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), networkTimeout)
		defer cancel()
		a, err := svc.Refresh(ctx, did)
		return noted(svc, refreshedMsg{did: did, gen: gen, acct: a, err: err})
	}
}

func logoutCmd(svc Service, did string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), networkTimeout)
		defer cancel()
		res, err := svc.Logout(ctx, did)
		return noted(svc, loggedOutMsg{did: did, res: res, err: err})
	}
}

func switchCmd(svc Service, did string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), localTimeout)
		defer cancel()
		a, err := svc.Switch(ctx, did)
		return noted(svc, switchedMsg{did: did, acct: a, err: err})
	}
}

// loginCmd takes the input by value: the password lives in this closure
// only until the call returns. Its context is the model's, which cancels
// it when the user presses esc; cancel releases it when the call returns.
func loginCmd(ctx context.Context, cancel context.CancelFunc, svc Service, in auth.LoginInput, attempt int) tea.Cmd {
	return func() tea.Msg {
		defer cancel()
		a, err := svc.Login(ctx, in)
		return noted(svc, loginDoneMsg{attempt: attempt, acct: a, err: err})
	}
}

func checkCmd(svc Service, did string, gen int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), networkTimeout)
		defer cancel()
		a, err := svc.Check(ctx, did)
		return noted(svc, checkedMsg{did: did, gen: gen, acct: a, err: err})
	}
}

func retryPendingCmd(svc Service) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), networkTimeout)
		defer cancel()
		n, left, _ := svc.RetryPendingLogouts(ctx)
		return noted(svc, pendingRetriedMsg{revoked: n, left: left})
	}
}
