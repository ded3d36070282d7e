package ui

import "fmt"

// Pinned is the account an override chooses for the switcher's caller:
// its DID and handle when the switcher opened, and what chose it.
type Pinned struct {
	DID, Handle string
	// By names the override: "SKYSWITCH_ACCOUNT" (the whole shell) or
	// "--account" (this command).
	By string
}

// pinnedByShell is the override that pins the whole shell.
const pinnedByShell = "SKYSWITCH_ACCOUNT"

// bannerText is the line under the title: what the override chooses, or,
// once that account is no longer saved (logged out here or by another
// process), that it names a logged-out account and what to do; else the
// caller's banner.
func (m Model) bannerText() string {
	p := m.opts.Pinned
	if p.DID == "" {
		return m.opts.Banner
	}
	handle := p.Handle
	if m.data != nil {
		a, ok := m.data.Account(p.DID)
		if !ok {
			return pinnedGone(p)
		}
		handle = a.Handle // the saved one: it may have changed since
	}
	if p.By == pinnedByShell {
		return fmt.Sprintf("%s chooses @%s in this shell; ● marks the saved active account.", p.By, handle)
	}
	return fmt.Sprintf("%s chooses @%s; ● marks the saved active account.", p.By, handle)
}

// pinnedGone says that the override names an account that was logged out,
// with its handle, and the way out.
func pinnedGone(p Pinned) string {
	if p.By == pinnedByShell {
		return fmt.Sprintf("%s names @%s (%s), which was logged out: commands in this shell fail until you unset it or log in again.", p.By, p.Handle, p.DID)
	}
	return fmt.Sprintf("%s names @%s (%s), which was logged out.", p.By, p.Handle, p.DID)
}
