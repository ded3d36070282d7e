package ui

import (
	"context"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/storage"
)

// Handles are claims, the DID is the identity (see accounts' handles.go).
// The switcher marks each account whose handle chooses nothing: another
// saved account claims it ("shared"), or checking it both ways found it
// false ("unverified"). A note says which accounts and why, and the
// inspector says what the check found. As it starts, the switcher checks,
// in the background, the handles whose last outcome is due.

// Marks of an account's handle (Model.marks).
const (
	markShared     = "shared"
	markUnverified = "unverified"
)

// handleVerifier is the part of a Service that checks handles both ways;
// accounts.Manager has it. A Service without it makes no lookups.
type handleVerifier interface {
	VerifyHandles(ctx context.Context, force bool, dids ...string) (bool, error)
}

// handlesCheckedMsg: the check at start ended; changed tells whether the
// file changed.
type handlesCheckedMsg struct{ changed bool }

// verifyHandlesCmd checks the handles whose outcome is due, or nil when svc
// cannot.
func verifyHandlesCmd(svc Service) tea.Cmd {
	v, ok := svc.(handleVerifier)
	if !ok {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), networkTimeout)
		defer cancel()
		changed, _ := v.VerifyHandles(ctx, false)
		return noted(svc, handlesCheckedMsg{changed: changed})
	}
}

// onHandlesChecked reloads what the check changed.
func (m Model) onHandlesChecked(msg handlesCheckedMsg) (Model, tea.Cmd) {
	if !msg.changed {
		return m, nil
	}
	return m, loadCmd(m.svc)
}

// withHandles marks, from the accounts just loaded, each account whose
// handle chooses nothing, and queues a note for each such handle, once:
// a note dismissed stays dismissed across reloads while the clash lasts.
func (m Model) withHandles() Model {
	m.marks = nil
	if m.data == nil {
		return m
	}
	var notes, fresh []string
	for _, he := range m.data.HandleErrors() {
		mark := markShared
		if he.Unverified {
			mark = markUnverified
		}
		if m.marks == nil {
			m.marks = map[string]string{}
		}
		for _, did := range he.DIDs {
			m.marks[did] = mark
		}
		notes = append(notes, he.Error())
		if !slices.Contains(m.handleNotes, he.Error()) {
			fresh = append(fresh, he.Error())
		}
	}
	m.handleNotes = notes
	return m.addNotes(fresh)
}

// handleView is what the inspector says of an account's handle.
func (m Model) handleView(a storage.Account) string {
	status, names := a.HandleStatus()
	switch status {
	case storage.HandleVerified:
		return m.st.calm.Render("verified both ways")
	case storage.HandleUnverified:
		what := "its DID document names @" + names
		if strings.HasPrefix(names, "did:") {
			what = "it resolves to " + names
		}
		return m.st.alarm.Render("unverified: " + shown(what))
	}
	if !a.HandleCheck.At.IsZero() && storage.SameHandle(a.HandleCheck.Handle, a.Handle) {
		return m.st.muted.Render("not checked: the lookups failed")
	}
	return m.st.muted.Render("not checked")
}

// sharedWith are the other saved accounts that claim a's handle.
func (m Model) sharedWith(a storage.Account) []string {
	var others []string
	for _, b := range m.data.Accounts {
		if b.DID != a.DID && storage.SameHandle(b.Handle, a.Handle) {
			others = append(others, b.DID)
		}
	}
	return others
}
