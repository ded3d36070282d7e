package accounts

import "slices"

// Warnings returns, and forgets, the notices raised since the last call:
// the store's (a file's permissions tightened, a keyring that failed and
// the tokens kept in the accounts file instead) and the manager's own (a
// replaced session that could not be revoked yet, an account whose PDS
// changed). The command line prints them; the switcher shows them as they
// come.
func (m *Manager) Warnings() []string {
	m.mu.Lock()
	own := m.notes
	m.notes = nil
	m.mu.Unlock()
	return slices.Concat(m.Store.Warnings(), own)
}

// note adds a notice for Warnings.
func (m *Manager) note(text string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.notes = append(m.notes, text)
}
