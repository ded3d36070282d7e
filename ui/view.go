package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"

	"github.com/skyswitch/skyswitch/accounts"
)

// View draws the screen from the model; it changes nothing.
func (m Model) View() string {
	if m.quitting {
		return ""
	}
	header := m.headerView()
	banners := m.bannersView()
	footer := m.footerView()
	used := lipgloss.Height(header) + lipgloss.Height(footer)
	if banners != "" {
		used += lipgloss.Height(banners)
	}
	bodyHeight := max(m.height-used, 3)
	var body string
	switch m.screen {
	case screenLogin:
		body = m.loginView()
	case screenInspect:
		body = m.inspectView()
	default:
		body = m.listView(bodyHeight)
	}
	parts := []string{header}
	if banners != "" {
		parts = append(parts, banners)
	}
	parts = append(parts, lipgloss.NewStyle().Height(bodyHeight).MaxHeight(bodyHeight).Render(body), footer)
	return lipgloss.JoinVertical(lipgloss.Left, parts...)
}

func (m Model) headerView() string {
	title := m.st.title.Render("skyswitch")
	if m.data != nil {
		n := len(m.data.Accounts)
		title += m.st.muted.Render(fmt.Sprintf("  %d account%s", n, plural(n)))
	}
	if m.opts.Banner != "" {
		title += "\n" + m.st.badge.Render(wrapTo(m.opts.Banner, m.width))
	}
	return title
}

// bannersView stacks a banner for each account whose refresh is failing,
// at most three, so the list stays visible.
func (m Model) bannersView() string {
	var out []string
	if m.loadErr != nil {
		out = append(out, m.st.bannerError.Render(truncate("Cannot read the accounts file: "+m.loadErr.Error(), m.width-4)))
	}
	if m.data != nil {
		for _, a := range m.data.Accounts {
			r := m.rt[a.DID]
			switch {
			case a.SessionEnded:
				out = append(out, m.st.bannerError.Render(truncate(fmt.Sprintf("@%s: session expired or revoked; press enter on it to log in again", a.Handle), m.width-4)))
			case r != nil && r.lastErr != nil && !r.retryAt.IsZero():
				when := "in " + countdown(r.retryAt.Sub(m.now))
				if r.busy == "refreshing" {
					when = "now"
				}
				text := fmt.Sprintf("@%s: refresh failed, %s; retrying %s", a.Handle, humanError(r.lastErr, m.now), when)
				out = append(out, m.st.bannerWarn.Render(truncate(text, m.width-4)))
			}
		}
	}
	if len(out) > 3 {
		out = append(out[:3], m.st.muted.Render(fmt.Sprintf("  …and %d more", len(out)-3)))
	}
	return strings.Join(out, "\n")
}

func (m Model) footerView() string {
	var lines []string
	if m.status != "" {
		style := m.st.bannerInfo
		if m.statusErr {
			style = m.st.bannerWarn
		}
		lines = append(lines, style.Render(wrapTo(m.status, m.width-4)))
	}
	var keys help.KeyMap = m.list.keys
	switch m.screen {
	case screenLogin:
		keys = m.login.keys
	case screenInspect:
		keys = m.inspect.keys
	}
	lines = append(lines, m.helpView(keys))
	return strings.Join(lines, "\n")
}

// helpView is the key help, narrowed until it fits the window: bubbles'
// help adds an item that overflows when its "…" would not fit either.
func (m Model) helpView(keys help.KeyMap) string {
	h := m.help
	v := h.View(keys)
	for h.Width > 1 && lipgloss.Width(v) > m.width {
		h.Width--
		v = h.View(keys)
	}
	return v
}

// Column widths of the list at full width; narrow windows drop columns.
const (
	colHandle  = 24
	colDID     = 16
	colPDS     = 16
	colAccess  = 10
	colRefresh = 5
)

func (m Model) listView(height int) string {
	if m.data == nil {
		if m.loadErr != nil {
			return m.st.errorText.Render("The accounts file could not be read. Nothing was changed; see above.")
		}
		return m.spinner.View() + " loading…"
	}
	if m.list.filtering || m.list.filter.Value() != "" {
		height--
	}
	rows := m.rows()
	var b strings.Builder
	if len(m.data.Accounts) == 0 && len(m.data.PendingLogouts) == 0 {
		b.WriteString("\nNo accounts yet.\n\n")
		b.WriteString("  Press " + m.st.selected.Render("a") + " to add one: your handle and an app password\n")
		b.WriteString(m.st.muted.Render("  (Bluesky: Settings → Privacy and security → App passwords).") + "\n")
		b.WriteString(m.st.muted.Render("  Or from a script: skyswitch login --password-stdin") + "\n")
		return b.String()
	}
	// Only the rows that fit are rendered: the list may hold thousands.
	visible := max(height, 1)
	offset := max(0, min(m.list.cursor-visible+1, len(rows)-visible))
	end := min(offset+visible, len(rows))
	for i := offset; i < end; i++ {
		b.WriteString(m.rowView(rows[i], i == m.list.cursor))
		b.WriteByte('\n')
	}
	if len(rows) == 0 {
		b.WriteString(m.st.muted.Render("  no account matches the filter") + "\n")
	}
	if m.list.filtering || m.list.filter.Value() != "" {
		b.WriteString(m.list.filter.View())
	}
	return b.String()
}

func (m Model) rowView(r row, selected bool) string {
	cursor, active := "  ", "  "
	if selected {
		cursor = m.st.selected.Render("> ")
	}
	if r.acct != nil && r.acct.DID == m.data.Active {
		active = m.st.active.Render("● ")
	}
	wide, medium := m.width >= 96, m.width >= 72
	handle := "@" + r.handle()
	// Narrow windows give the handle what the dropped columns left.
	handleCol := colHandle
	if !medium {
		handleCol = min(max(m.width-(4+colAccess+colRefresh+3+14), 12), colHandle)
	}
	cols := []string{cursor + active + pad(truncate(handle, handleCol), handleCol)}
	if wide {
		cols = append(cols, m.st.muted.Render(pad(shortDID(r.did(), colDID), colDID)))
	}
	pdsURL, access, refresh := "", "", ""
	if r.acct != nil {
		pdsURL = r.acct.Endpoint()
		left := r.acct.AccessExpiry().Sub(m.now)
		access = m.st.forUrgency(urgencyOf(left))(pad(countdown(left), colAccess))
		refresh = pad(days(r.acct.RefreshExpiry().Sub(m.now)), colRefresh)
	} else {
		pdsURL = r.pending.Session.Endpoint()
		access, refresh = pad("", colAccess), pad("", colRefresh)
	}
	if medium {
		cols = append(cols, m.st.muted.Render(pad(truncate(hostOf(pdsURL), colPDS), colPDS)))
	}
	cols = append(cols, access, refresh)
	line := strings.Join(cols, " ") + " "
	return line + m.stateView(r, max(m.width-lipgloss.Width(line), 8))
}

// stateView is the last column: what is happening to the account, in full
// when room allows, else in short.
func (m Model) stateView(r row, room int) string {
	text, style := m.stateText(r)
	if lipgloss.Width(text.full) <= room {
		return style(text.full)
	}
	return style(truncate(text.short, room))
}

type stateText struct{ full, short string }

func (m Model) stateText(r row) (stateText, func(...string) string) {
	if r.pending != nil {
		return stateText{"logout pending", "logout pending"}, m.st.warn.Render
	}
	a := r.acct
	rt := m.rt[a.DID]
	switch {
	case rt != nil && rt.busy != "":
		t := m.spinner.View() + " " + rt.busy
		return stateText{t, t}, m.st.title.Render
	case a.SessionEnded:
		return stateText{"session expired – log in again", "log in again"}, m.st.alarm.Render
	case rt != nil && rt.lastErr != nil && !rt.retryAt.IsZero():
		in := countdown(rt.retryAt.Sub(m.now))
		return stateText{"refresh failed – retrying in " + in, "retry in " + in}, m.st.warn.Render
	}
	switch accounts.Summarize(*a, false, m.now).State {
	case accounts.StateEnded:
		return stateText{"session expired – log in again", "log in again"}, m.st.alarm.Render
	case accounts.StateExpired:
		return stateText{"expired – refreshing", "expired"}, m.st.warn.Render
	}
	return stateText{"valid", "valid"}, m.st.calm.Render
}

func hostOf(u string) string {
	_, h, _ := strings.Cut(u, "://")
	return h
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// pad right-pads s with spaces to width cells.
func pad(s string, width int) string {
	if w := lipgloss.Width(s); w < width {
		return s + strings.Repeat(" ", width-w)
	}
	return s
}

// truncate cuts s to width cells, marking the cut with "…".
func truncate(s string, width int) string {
	if width <= 1 || lipgloss.Width(s) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && lipgloss.Width(string(r)) > width-1 {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

func wrapTo(s string, width int) string {
	if width < 20 {
		return s
	}
	return lipgloss.NewStyle().Width(width).Render(s)
}
