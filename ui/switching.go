package ui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"
)

// Switching: enter makes the selected account active. One switch is
// written at a time: one pressed meanwhile waits for it (the last one
// pressed replacing one waiting), as two writes in flight could land in
// either order, and the account pressed last must be the active one.

// activate makes the selected account active, or, when its session ended,
// opens the login form for it.
func (m Model) activate() (Model, tea.Cmd) {
	r, ok := m.current()
	if !ok || r.acct == nil {
		return m, nil
	}
	if sessionOver(r.acct, m.now) {
		return m.logInAgain()
	}
	did := r.acct.DID
	if next := m.nextSwitch; next != "" && next != did {
		m.nextSwitch = "" // pressed over: no longer switching to it
		if rt := m.rtOf(next); rt.busy == "switching" {
			rt.busy = ""
		}
	}
	if rt := m.rtOf(did); rt.busy == "" {
		rt.busy = "switching" // not over a refresh under way, whose label stays
	}
	switch m.switching {
	case "":
		m.switching = did
		return m, tea.Batch(switchCmd(m.svc, did), m.spinner.Tick)
	case did:
		return m, nil // being written already
	}
	m.nextSwitch = did // after the switch in flight
	return m, m.spinner.Tick
}

// onSwitched takes a switch's result, then starts the one pressed while it
// was written, if any.
func (m Model) onSwitched(msg switchedMsg) (Model, tea.Cmd) {
	m.switching = ""
	if r := m.rtOf(msg.did); r.busy == "switching" && msg.did != m.nextSwitch {
		r.busy = ""
	}
	var cmds []tea.Cmd
	if msg.err != nil {
		m.setStatus("Could not switch: "+humanError(msg.err, m.now), true)
	} else {
		m.setActiveStatus(fmt.Sprintf("@%s is now the active account.", msg.acct.Handle), msg.acct.DID)
		if m.data != nil {
			_ = m.data.SetActive(msg.acct.DID)
		}
		m.wrote()
		cmds = append(cmds, loadCmd(m.svc))
	}
	if next := m.nextSwitch; next != "" {
		m.switching, m.nextSwitch = next, ""
		cmds = append(cmds, switchCmd(m.svc, next))
	}
	return m, tea.Batch(cmds...)
}
