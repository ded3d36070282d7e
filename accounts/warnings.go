package accounts

// Warnings returns, and forgets, the notices the store raised since the
// last call: a file's permissions tightened, a keyring that failed and the
// tokens kept in the accounts file instead. The command line prints them;
// the switcher shows them as they come.
func (m *Manager) Warnings() []string { return m.Store.Warnings() }
