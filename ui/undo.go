package ui

import (
	"fmt"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Logging out with an undo window, as mail clients "undo send": x opens a
// window of undoWindow on its row ("logging out in 5 s — u undo"); while
// it is open nothing is sent and the account stays saved (and active, if
// it was). The one-second tick closes the windows that are due and sends
// their logouts; u shuts a window with nothing sent. When the switcher
// ends, the caller sends what is still owed (LogoutsOwed).

// undoWindow is how long x waits before the logout is sent.
const undoWindow = 5 * time.Second

// logoutSelected opens the undo window on the selected account, unless one
// is open or its logout was sent.
func (m Model) logoutSelected() (Model, tea.Cmd) {
	r, ok := m.current()
	if !ok || r.acct == nil {
		return m, nil
	}
	rt := m.rtOf(r.acct.DID)
	if rt.loggingOut || !rt.logoutAt.IsZero() {
		return m, nil
	}
	// The window counts from the key press, not from the last tick.
	m.now = m.opts.Now()
	rt.logoutAt = m.now.Add(undoWindow)
	m.windows++
	rt.logoutSeq = m.windows
	return m.windowsChanged(), nil
}

// undoLogout shuts the window on the selected row, or, when that row has
// none, the one opened last: nothing is sent.
func (m Model) undoLogout() (Model, tea.Cmd) {
	did := ""
	if r, ok := m.current(); ok && r.acct != nil && m.windowOpen(r.acct.DID) {
		did = r.acct.DID
	}
	if did == "" {
		last := 0
		for d, rt := range m.rt {
			if m.windowOpen(d) && rt.logoutSeq > last {
				did, last = d, rt.logoutSeq
			}
		}
	}
	if did == "" {
		return m, nil
	}
	a, _ := m.data.Account(did) // saved: windowOpen
	m.rt[did].logoutAt = time.Time{}
	m.setStatus(fmt.Sprintf("Kept @%s: nothing was sent.", a.Handle), false)
	return m.windowsChanged(), nil
}

// windowOpen reports whether a saved account's undo window is open.
func (m Model) windowOpen(did string) bool {
	rt, ok := m.rt[did]
	if !ok || rt.logoutAt.IsZero() || m.data == nil {
		return false
	}
	_, saved := m.data.Account(did)
	return saved
}

// closeDueWindows sends the logouts whose window has closed. A window on
// an account no longer saved (logged out elsewhere) shuts with nothing
// sent.
func (m Model) closeDueWindows(cmds []tea.Cmd) (Model, []tea.Cmd) {
	for did, rt := range m.rt {
		if rt.logoutAt.IsZero() || m.now.Before(rt.logoutAt) {
			continue
		}
		open := m.windowOpen(did)
		rt.logoutAt = time.Time{}
		if open {
			rt.busy, rt.loggingOut = "logging out", true
			cmds = append(cmds, logoutCmd(m.svc, did), m.spinner.Tick)
		}
	}
	return m.windowsChanged(), cmds
}

// windowsChanged shuts the windows on accounts no longer saved (logged
// out elsewhere: one logged in again is a new session, which x did not
// mean), and enables u while a window is open.
func (m Model) windowsChanged() Model {
	open := false
	for did, rt := range m.rt {
		if rt.logoutAt.IsZero() {
			continue
		}
		if !m.windowOpen(did) {
			rt.logoutAt = time.Time{}
			continue
		}
		open = true
	}
	m.list.keys.Undo.SetEnabled(open)
	return m
}

// windowText is a row's state while its window is open.
func (m Model) windowText(at time.Time) stateText {
	secs := int((at.Sub(m.now) + time.Second - 1) / time.Second)
	secs = max(secs, 0)
	// The short one fits the 15 cells an 80-column list leaves; the
	// footer, first, says what u does.
	return stateText{fmt.Sprintf("logging out in %d s — u undo", secs), fmt.Sprintf("logout in %d s", secs)}
}

// LogoutsOwed lists, by DID, the logouts the switcher owes as it ends:
// those whose undo window is still open, and those sent but not answered
// (a command may not have reached the Service before the caller settles
// it). The caller sends them; one already done fails as "no account",
// harmlessly. final is the model tea.Program.Run returned.
func LogoutsOwed(final tea.Model) []string {
	t, ok := final.(teaModel)
	if !ok {
		return nil
	}
	m := t.Model
	var owed []string
	for did, rt := range m.rt {
		if rt.loggingOut || m.windowOpen(did) {
			owed = append(owed, did)
		}
	}
	slices.Sort(owed)
	return owed
}
