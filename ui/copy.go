package ui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/auth"
)

// copySelected puts on the terminal's clipboard (OSC 52, which reaches
// the person's own terminal over SSH too) the selected account's DID or,
// with export, the line that pins a shell to it, as skyswitch env prints
// it. Nothing else is copied, never a token; and only a DID of the right
// syntax, so nothing from the file reaches a shell that pastes the line.
func (m Model) copySelected(export bool) (Model, tea.Cmd) {
	r, ok := m.current()
	if !ok || r.acct == nil {
		return m, nil
	}
	did := r.acct.DID
	if !auth.ValidDID(did) {
		m.setStatus(fmt.Sprintf("The DID saved for @%s is malformed: nothing copied.", r.acct.Handle), true)
		return m, nil
	}
	text := did
	if export {
		text = exportLine(did)
	}
	m.setStatus(fmt.Sprintf("Copied %s to the clipboard (if the terminal allows OSC 52).", text), false)
	return m, tea.SetClipboard(text)
}

// exportLine pins a POSIX shell to the account with this DID (a valid
// one: it needs quotes only to match skyswitch env's line).
func exportLine(did string) string { return "export SKYSWITCH_ACCOUNT='" + did + "'" }
