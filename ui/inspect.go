package ui

import (
	"fmt"
	"image/color"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/progress"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/storage"
)

// inspectModel shows one account in detail.
type inspectModel struct {
	keys      inspectKeys
	did       string
	bar       progress.Model
	busy      bool
	err       string
	checkedAt time.Time
}

func newInspectModel() inspectModel {
	return inspectModel{keys: defaultInspectKeys(), bar: newBar(defaultTheme.accent.on(true))}
}

// newBar is the bar of a token's life left, in one colour.
func newBar(c color.Color) progress.Model {
	return progress.New(progress.WithColors(c), progress.WithWidth(20), progress.WithoutPercentage())
}

func (m Model) openInspector() (Model, tea.Cmd) {
	r, ok := m.current()
	if !ok || r.acct == nil {
		return m, nil
	}
	m.screen = screenInspect
	m.inspect.did, m.inspect.err, m.inspect.checkedAt = r.acct.DID, "", time.Time{}
	m.inspect.busy = false // another account's check, if one runs, is not this one's
	if r.acct.SessionEnded || r.acct.SecretsErr() != nil {
		return m, nil // nothing to ask the server with
	}
	// Ask the server for the account's status as the inspector opens.
	m.inspect.busy = true
	return m, tea.Batch(checkCmd(m.svc, r.acct.DID, m.rtOf(r.acct.DID).gen), m.spinner.Tick)
}

func (m Model) updateInspect(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := m.inspect.keys
	switch {
	case key.Matches(msg, k.Quit):
		m.quitting = true
	case key.Matches(msg, k.Back):
		m.screen = screenList
	case key.Matches(msg, k.Refresh):
		// The account shown, not the list's row: the cursor moves on
		// when a reload removes the account.
		if a, ok := m.inspected(); ok {
			return m.refreshAccount(a)
		}
	case key.Matches(msg, k.Check) && !m.inspect.busy:
		m.inspect.busy = true
		return m, tea.Batch(checkCmd(m.svc, m.inspect.did, m.rtOf(m.inspect.did).gen), m.spinner.Tick)
	}
	return m, nil
}

// inspected is the account the inspector shows, while it is saved.
func (m Model) inspected() (*storage.Account, bool) {
	if m.data == nil {
		return nil, false
	}
	return m.data.Account(m.inspect.did)
}

func (m Model) inspectView() string {
	if m.data == nil {
		return ""
	}
	saved, ok := m.inspected()
	if !ok {
		return m.st.muted.Render("This account is no longer saved. Press esc.")
	}
	a := shownAccount(*saved)
	s := accounts.Summarize(a, saved.DID == m.data.Active, m.now)
	var b strings.Builder
	title := "@" + a.Handle
	if s.Active {
		title += m.st.active.Render("  ● active identity")
	}
	b.WriteString(m.st.title.Render(lipgloss.Wrap(title, max(m.width, 8), "")) + "\n\n")
	field := func(k, v string) { fmt.Fprintf(&b, "  %s %s\n", m.st.label.Render(pad(k, 14)), m.fieldValue(v)) }
	field("DID", a.DID)
	field("Handle", m.handleView(*saved))
	if others := m.sharedWith(*saved); len(others) > 0 {
		m.under(&b, m.st.warn, "⚠ also claimed by "+strings.Join(others, ", ")+": a handle is only a claim, so only the DID chooses this account", 3)
	}
	field("PDS", a.Endpoint())
	field("Service", a.Service)
	email := a.Email
	switch {
	case email == "":
		email = m.st.muted.Render("not shared")
	case a.EmailConfirmed:
		email += m.st.calm.Render(" (confirmed)")
	default:
		email += m.st.warn.Render(" (not confirmed)")
	}
	field("Email", email)
	field("2FA by email", map[bool]string{true: "on", false: "off"}[a.EmailAuthFactor])
	ended := s.State == accounts.StateEnded
	field("Server status", m.serverStatus(s.AccountStatus, ended))
	m.sessionFields(&b, field, a, s.TokenKind)
	b.WriteString("\n")
	// The state is the list's, in the list's words, cut to the window.
	state, t := m.stateText(row{acct: saved}, m.expiriesOf(saved))
	if room := max(m.width-17, 8); cells(state.full) > room {
		state.full = truncate(state.short, room)
	}
	field("State", m.st.tone(t).Render(state.full))
	switch err := a.SecretsErr(); {
	case ended:
		// Its tokens may say hours are left: the server says none are.
		field("Tokens", m.st.alarm.Render("session ended (revoked or expired): they no longer work"))
		m.under(&b, m.st.hint, "esc, then enter on its row, to log in again", 0)
	case err != nil:
		field("Tokens", m.st.alarm.Render("kept in the OS keyring, unreadable now"))
		m.under(&b, m.st.errorText, err.Error(), 3)
	default:
		m.tokenLines(&b, a)
	}
	if !a.RefreshedAt.IsZero() {
		field("Last refresh", a.RefreshedAt.Local().Format("2006-01-02 15:04:05"))
	}
	// Errors on lines of their own, wrapped to the window, at most three.
	if a.LastRefreshError != "" {
		field("Last error", "")
		m.under(&b, m.st.errorText, a.LastRefreshError, 3)
	}
	if m.inspect.err != "" {
		field("Status check", "")
		m.under(&b, m.st.errorText, m.inspect.err, 3)
	}
	b.WriteString("\n" + m.st.hint.Render(indent(lipgloss.Wrap("The scope is informational: servers may change what their tokens say.", max(m.width-2, 8), " "), "  ")) + "\n")
	return b.String()
}

// fieldValue is a field's value wrapped to what the window leaves beside
// the field's name (a long handle or email would run off it), its next
// lines under the first.
func (m Model) fieldValue(v string) string {
	lines := strings.Split(lipgloss.Wrap(v, max(m.width-17, 8), " "), "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	return strings.Join(lines, "\n"+strings.Repeat(" ", 17))
}

// serverStatus is the account's status as the server last gave it: with
// the spinner while a check runs, with its time once the inspector's
// check answered (so a check that succeeds shows). Once the session
// ended it is only what the server said before: nothing can ask again.
func (m Model) serverStatus(status string, ended bool) string {
	styled := status
	if status != "active" {
		styled = m.st.alarm.Render(status)
	}
	switch {
	case ended:
		styled += m.st.muted.Render(" when last asked; the session has ended since")
	case m.inspect.busy:
		styled += " " + m.spinner.View()
	case !m.inspect.checkedAt.IsZero() && m.inspect.err == "":
		styled += m.st.muted.Render(" – checked " + m.inspect.checkedAt.Local().Format("15:04:05"))
	}
	return styled
}

// shownAccount is a copy of a whose text fields are as the screen shows
// them (see shown); its tokens are left as they are, never shown.
func shownAccount(a storage.Account) storage.Account {
	for _, f := range []*string{&a.DID, &a.Handle, &a.Email, &a.Status, &a.Service, &a.PDSURL, &a.LastRefreshError} {
		*f = shown(*f)
	}
	return a
}

// shortTime is a clock time today, a date otherwise.
func shortTime(t, now time.Time) string {
	t, now = t.Local(), now.Local()
	if t.YearDay() == now.YearDay() && t.Year() == now.Year() {
		return t.Format("15:04:05")
	}
	return t.Format("Jan 2 15:04")
}

// under writes text (an error's, often) on lines of its own under a
// field's value, wrapped to the window and, when maxLines > 0, cut to that
// many lines.
func (m Model) under(b *strings.Builder, style lipgloss.Style, text string, maxLines int) {
	width := max(m.width-19, 20)
	lines := strings.Split(lipgloss.NewStyle().Width(width).Render(shown(text)), "\n")
	if maxLines > 0 && len(lines) > maxLines {
		lines = lines[:maxLines]
		lines[maxLines-1] = truncate(strings.TrimRight(lines[maxLines-1], " ")+" …", width)
	}
	for _, l := range lines {
		fmt.Fprintf(b, "  %s %s\n", pad("", 14), style.Render(strings.TrimRight(l, " ")))
	}
}
