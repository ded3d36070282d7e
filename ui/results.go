package ui

import (
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
)

// onResult applies what a command brought back.
func (m Model) onResult(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case notedMsg:
		m = m.addNotes(msg.notes)
		return m.onResult(msg.msg)
	case loadedMsg:
		if msg.seq < m.loadFloor {
			return m, nil // read before one applied already, or before a switch
		}
		m.loadFloor = msg.seq
		if msg.err != nil {
			m.loadErr = msg.err
			return m, nil
		}
		before := m
		m.loadErr, m.data, m.stamp = nil, msg.st, msg.stamp
		m.list = m.settled()
		m = m.noticeSlide(before)
		return m.followActive().withHandles().windowsChanged(), nil
	case unchangedMsg:
		return m, nil
	case refreshedMsg:
		return m.onRefreshed(msg)
	case loggedOutMsg:
		return m.onLoggedOut(msg)
	case switchedMsg:
		return m.onSwitched(msg)
	case loginDoneMsg:
		return m.onLoginDone(msg)
	case oauthStartedMsg:
		return m.onOAuthStarted(msg)
	case browserOpenedMsg:
		return m.onBrowserOpened(msg)
	case checkedMsg:
		return m.onChecked(msg)
	case shellEndedMsg:
		return m.onShellEnded(msg)
	case handlesCheckedMsg:
		return m.onHandlesChecked(msg)
	case pendingRetriedMsg:
		if msg.revoked > 0 {
			m.setStatus(fmt.Sprintf("Revoked %d session(s) whose logout was pending.", msg.revoked), false)
			return m, loadCmd(m.svc)
		}
		return m, nil
	}
	return m, nil
}

func (m Model) onRefreshed(msg refreshedMsg) (Model, tea.Cmd) {
	r := m.rtOf(msg.did)
	if msg.gen != r.gen {
		return m, nil // logged out meanwhile
	}
	r.busy = ""
	switch {
	case msg.err == nil:
		r.failures, r.retryAt, r.lastErr = 0, time.Time{}, nil
		if a, ok := m.data.Account(msg.did); ok {
			*a = msg.acct // show the new expiry at once; the reload confirms it
		}
	case errors.Is(msg.err, accounts.ErrNoAccount):
		// Removed by another process: the reload will drop the row.
	case errors.Is(msg.err, accounts.ErrSessionEnded):
		r.retryAt, r.lastErr = time.Time{}, msg.err
		if a, ok := m.data.Account(msg.did); ok {
			a.SessionEnded = true
		}
	default:
		r.failures++
		r.lastErr = msg.err
		wait := backoff(r.failures, m.opts.Jitter())
		if d := auth.RetryDelay(msg.err, m.now); d > wait {
			wait = d
		}
		r.retryAt = m.now.Add(wait)
	}
	return m, loadCmd(m.svc)
}

func (m Model) onLoggedOut(msg loggedOutMsg) (Model, tea.Cmd) {
	r := m.rtOf(msg.did)
	r.busy, r.loggingOut = "", false
	if msg.err != nil {
		m.setStatus("Could not log out: "+humanError(msg.err, m.now), true)
		return m, loadCmd(m.svc)
	}
	r.gen++
	r.failures, r.retryAt, r.lastErr = 0, time.Time{}, nil
	res := msg.res
	text := fmt.Sprintf("Logged out @%s: session revoked on the server.", res.Account.Handle)
	if res.Queued {
		text = fmt.Sprintf("@%s removed; its server could not be reached, the logout is pending and will be retried.", res.Account.Handle)
	}
	if m.now.Before(res.AccessValidUntil) {
		text += fmt.Sprintf(" Its access token stays valid until %s.", accounts.ClockText(res.AccessValidUntil, m.now))
	}
	if res.WasActive {
		text += " " + activeAfterLogout(res)
	}
	// Show at once what the store now holds, so the row never outlives the
	// message saying it is gone; the reload confirms it.
	if m.data != nil {
		if removed, ok := m.data.Remove(msg.did); ok && res.Queued {
			m.data.QueueLogout(removed.SessionData, m.now)
		}
		m.data.Active = res.Active
		m.wrote() // a load that read the file before the logout cannot bring ● back
		m.list = m.list.settle(m.rows())
		if m.list.filtered() && len(m.rows()) == 0 {
			// The filter outlived what it matched: say so, and the way out.
			text += fmt.Sprintf(" No account left matches the filter %q; esc clears it.", m.list.filter.Value())
		}
	}
	m.setStatus(text, res.Queued)
	if res.WasActive {
		// The note names who is active now (nobody): it follows ● too.
		m.statusActive, m.namesActive = res.Active, true
	}
	return m, loadCmd(m.svc)
}

// activeAfterLogout says who is active after the active account was logged
// out: nobody (storage.State.Remove never picks another), so the note says
// so and how to choose one.
func activeAfterLogout(res accounts.LogoutResult) string {
	if res.Active != "" {
		return fmt.Sprintf("@%s is the active account now.", res.ActiveHandle)
	}
	return "No account is active now: enter on a row makes it active."
}

// onChecked shows a status check's answer in the inspector of the account
// it checked. An answer from before a logout is dropped; one for another
// account than the inspected one (a slow check, the inspector moved on)
// is not shown, and leaves the inspector's own check running.
func (m Model) onChecked(msg checkedMsg) (Model, tea.Cmd) {
	if msg.gen != m.rtOf(msg.did).gen {
		return m, nil // logged out meanwhile
	}
	if msg.did != m.inspect.did {
		return m, loadCmd(m.svc) // the file has what it learnt
	}
	if a, ok := m.inspected(); ok && msg.acct.DID == msg.did {
		*a = msg.acct // what the server said, shown with its time at once; the reload confirms it
	}
	m.inspect.busy = false
	if msg.err != nil {
		m.inspect.err = humanError(msg.err, m.now)
	} else {
		m.inspect.err = ""
		m.inspect.checkedAt = m.now
	}
	return m, loadCmd(m.svc)
}

// humanError turns an error into a plain sentence for the screen, through
// the one table of error texts (accounts.Sentence), with the switcher's
// advice.
func humanError(err error, now time.Time) string {
	return accounts.Sentence(err, now, switcherSurface)
}

// switcherSurface: errors cut to what went wrong (a banner has one line,
// its countdown last), and advice that names the form's fields and keys.
var switcherSurface = accounts.Surface{
	NewCode: "check the newest email and try again",
	Service: "enter the server (e.g. https://bsky.social)",
}
