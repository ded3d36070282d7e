package ui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// When another process removes the account under the cursor, a reload
// puts the cursor on a neighbour (settle). The person may have pressed a
// key meant for the account that went, in the instant before the frame
// changed: the first key that would act as the neighbour, or on it, only
// says what happened; the next one acts. Moving the cursor, typing a
// filter or inspecting the row is choosing it.

// noticeSlide marks the list as slid when a reload took the selected
// account away (before is the model before the reload was applied).
func (m Model) noticeSlide(before Model) Model {
	prev := before.list.selected
	if !before.list.placed || prev == "" || m.list.selected == prev || before.data == nil {
		return m
	}
	if a, ok := before.data.Account(prev); ok { // not a pending logout's row: no key acts on it
		m.list.slid, m.list.gone = true, "@"+a.Handle
	}
	return m
}

// slideGuard refuses msg, saying why, when the cursor slid and
// msg acts on the account under it; ok is false to let the key act.
func (m Model) slideGuard(msg tea.KeyPressMsg, k listKeys) (Model, bool) {
	acts := []struct {
		b    key.Binding
		what string
	}{
		{k.Switch, "make it active"}, {k.Logout, "log it out"}, {k.Shell, "open a shell as it"},
		{k.LoginAgain, "log in again to it"}, {k.Copy, "copy its DID"}, {k.CopyExport, "copy its export line"},
	}
	if !m.list.slid {
		return m, false
	}
	for _, a := range acts {
		if !key.Matches(msg, a.b) {
			continue
		}
		r, ok := m.current()
		if !ok || r.acct == nil {
			return m, false
		}
		m.list.slid = false
		m.setStatus(fmt.Sprintf("%s is no longer saved (logged out or removed elsewhere); the cursor moved to @%s: press %s again to %s.",
			m.list.gone, r.acct.Handle, msg.String(), a.what), true)
		return m, true
	}
	return m, false
}
