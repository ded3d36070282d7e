package ui

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/skyswitch/skyswitch/internal/sanitize"
)

// View draws the screen from the model; it changes nothing. The frame
// passes sanitize.Frame on its way out: whatever text a path forgot to
// clean, nothing but colours reaches the terminal. The switcher takes the
// whole screen, and asks for no keyboard enhancements.
func (m Model) View() tea.View {
	v := tea.NewView(sanitize.Frame(m.draw()))
	v.AltScreen = true
	return v
}

// draw lays out the frame.
func (m Model) draw() string {
	if m.quitting {
		return ""
	}
	c := m.chrome()
	header, banners, footer, bodyHeight := c.header, c.banners, c.footer, c.body
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
	parts = append(parts, fitLines(body, bodyHeight), footer)
	// Lines are not padded to a common width: the terminal's cells past a
	// line's end are blank already, and measuring every line of a long
	// list was a third of a frame's cost.
	frame := strings.Join(parts, "\n")
	if m.height > 0 && c.used+bodyHeight > m.height {
		// A window too short for header, body and keys: cut at its
		// bottom rather than scroll the terminal.
		frame = fitLines(frame, m.height)
	}
	return frame
}

// chrome is what a frame shows around its body, and the body's height:
// what the window leaves, at least 3 lines.
type chrome struct {
	header, banners, footer string
	used, body              int
}

func (m Model) chrome() chrome {
	c := chrome{header: m.headerView(), banners: m.bannersView(), footer: m.footerView()}
	c.used = lipgloss.Height(c.header) + lipgloss.Height(c.footer)
	if c.banners != "" {
		c.used += lipgloss.Height(c.banners)
	}
	c.body = max(m.height-c.used, 3)
	return c
}

// fitLines cuts s to n lines, or fills it out to n with empty ones.
func fitLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	for len(lines) < n {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

func (m Model) headerView() string {
	title := m.st.title.Render("skyswitch")
	if m.data != nil {
		n := len(m.data.Accounts)
		title += m.st.muted.Render(fmt.Sprintf("  %d account%s", n, plural(n)))
	}
	if b := m.bannerText(); b != "" {
		title += "\n" + m.st.badge.Render(wrapTo(b, m.width))
	}
	return title
}

// banner is one line of outside text (handles, errors) in a banner's
// style, cut to the window.
func (m Model) banner(style lipgloss.Style, text string) string {
	return style.Render(truncate(shown(text), m.width-4))
}

func (m Model) footerView() string {
	var lines []string
	if len(m.notes) > 0 {
		lines = append(lines, m.st.bannerWarn.Render(m.noteText()))
	}
	if m.status != "" {
		style := m.st.bannerInfo
		if m.statusErr {
			style = m.st.bannerWarn
		}
		lines = append(lines, style.Render(wrapTo(m.status, m.width-4)))
	}
	var keys help.KeyMap = m.listKeys()
	if m.list.filtering {
		keys = m.list.fkeys
	}
	switch m.screen {
	case screenLogin:
		keys = m.login.keys.forKind(m.login.oauth)
		switch {
		case m.login.needCode:
			keys = m.login.keys.forCode()
		case m.login.busy && m.login.authURL != "":
			keys = m.login.keys.forWaiting()
		}
	case screenInspect:
		keys = m.inspect.keys
	}
	lines = append(lines, m.helpView(keys))
	return strings.Join(lines, "\n")
}

// maxNoteLines is how many lines a note may take; the rest is cut.
const maxNoteLines = 3

// noteText is the first queued note, wrapped to the window and cut to
// maxNoteLines, saying how many more wait.
func (m Model) noteText() string {
	text := "Note: " + m.notes[0]
	if n := len(m.notes) - 1; n > 0 {
		text += fmt.Sprintf(" (%d more; esc shows the next)", n)
	}
	width := m.width - 4
	if width < 20 {
		return truncate(text, max(width, 2))
	}
	lines := strings.Split(lipgloss.NewStyle().Width(width).Render(text), "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	if len(lines) > maxNoteLines {
		lines = lines[:maxNoteLines]
		lines[maxNoteLines-1] = truncate(lines[maxNoteLines-1]+" …", width)
	}
	return strings.Join(lines, "\n")
}

// helpView is the key help, narrowed until it fits the window: bubbles'
// help adds an item that overflows when its "…" would not fit either.
func (m Model) helpView(keys help.KeyMap) string {
	h := m.help
	v := h.View(keys)
	for h.Width() > 1 && lipgloss.Width(v) > m.width {
		h.SetWidth(h.Width() - 1)
		v = h.View(keys)
	}
	return v
}

// keyringWhy is, in short, why an account's tokens could not be read: the
// keyring's own words when it failed (the store's sentence wraps them);
// the inspector shows the whole sentence.
func keyringWhy(err error) string {
	if cause := errors.Unwrap(err); cause != nil {
		return shown(cause.Error())
	}
	return shown(err.Error())
}

// shown is text from outside (a field of the accounts file, a server's
// words, an error, a note) as the screen draws it: on one line, with every
// rune a terminal could act on, or that hides or reorders text, made
// visible (\x1b, \u202e), so that the layout measures what is drawn and
// tampering shows. Only what is drawn passes here, never the model's data:
// DIDs and handles are keys for the service.
func shown(s string) string { return sanitize.Line(s) }

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// pad right-pads s with spaces to width cells.
func pad(s string, width int) string {
	if w := cells(s); w < width {
		return s + strings.Repeat(" ", width-w)
	}
	return s
}

// truncate cuts s to width cells, marking the cut with "…".
func truncate(s string, width int) string {
	if width <= 1 || cells(s) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && lipgloss.Width(string(r)) > width-1 {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// cells is how many cells s takes: its length when it is printable ASCII
// (most of the list: handles, hosts, countdowns), else lipgloss's measure,
// which segments graphemes and was most of a frame's cost.
func cells(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return lipgloss.Width(s)
		}
	}
	return len(s)
}

func wrapTo(s string, width int) string {
	if width < 20 {
		return s
	}
	return lipgloss.NewStyle().Width(width).Render(s)
}
