package ui

import "fmt"

// setActiveStatus sets a status line that says the account did (none
// when "") is the active one: it must never contradict ●, so a reload
// that shows another active account replaces it (see followActive).
func (m *Model) setActiveStatus(text, did string) {
	m.setStatus(text, false)
	m.statusActive, m.namesActive = did, true
}

// followActive replaces a status line that names an active account
// other than the one the accounts loaded have: another process switched
// (or logged out) meanwhile, and ● shows it.
func (m Model) followActive() Model {
	if !m.namesActive || m.data == nil || m.data.Active == m.statusActive {
		return m
	}
	text := "No account is active now (changed by another skyswitch)."
	if a, ok := m.data.Account(m.data.Active); ok {
		text = fmt.Sprintf("@%s is now the active account (changed by another skyswitch).", a.Handle)
	}
	m.setActiveStatus(text, m.data.Active)
	return m
}

// wrote marks that this switcher has just changed the file (a switch, a
// login): a load that began before may have read it before the change,
// so only those that begin from now on are applied; they cannot move ●
// back.
func (m *Model) wrote() { m.loadFloor = loadsBegun.Load() + 1 }
