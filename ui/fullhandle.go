package ui

import (
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/skyswitch/skyswitch/storage"
)

// A handle longer than its column is cut ("@alice.a-long-na…"), and two
// handles that differ only in their ends would look the same. When the
// selected row's is cut, lines under the rows show it whole, so the
// account enter, x or s acts on is always named on screen.

// maxHandleLines bounds that line: a handle from a hand-edited file may
// be of any length (a valid one is at most 253 characters).
const maxHandleLines = 3

// handleRoom is how many cells of a handle column of width cells the
// handle of a row gets, beside its marks (handleCell).
func (m Model) handleRoom(width int, a *storage.Account) int {
	if a == nil {
		return width
	}
	if a.OAuth != nil && width >= 16 {
		width -= 1 + len(oauthTag)
	}
	if m.marks[a.DID] != "" {
		width -= 2
	}
	return width
}

// fullHandleView is the selected row's handle whole, wrapped to the
// window, when its column cuts it; else "".
func (m Model) fullHandleView(rows []row, lay layout) string {
	if m.list.cursor >= len(rows) {
		return ""
	}
	r := rows[m.list.cursor]
	handle := "@" + shown(r.handle())
	if cells(handle) <= m.handleRoom(lay.handle, r.acct) {
		return ""
	}
	const label = "selected "
	width := max(m.width-len(label), 8) // the first line's; the next are indented as far
	var lines []string
	line, w := []rune(nil), 0
	for _, r := range handle {
		if rw := lipgloss.Width(string(r)); w+rw > width && len(line) > 0 {
			lines, line, w = append(lines, string(line)), nil, 0
			if len(lines) > maxHandleLines {
				break // cut below
			}
		}
		line, w = append(line, r), w+lipgloss.Width(string(r))
	}
	if len(line) > 0 && len(lines) <= maxHandleLines {
		lines = append(lines, string(line))
	}
	if len(lines) > maxHandleLines {
		lines = lines[:maxHandleLines]
		lines[maxHandleLines-1] = truncate(lines[maxHandleLines-1]+"…", width)
	}
	indent := "\n" + strings.Repeat(" ", len(label))
	return m.st.label.Render(label) + m.st.selected.Render(strings.Join(lines, indent))
}

// visibleRows is how many rows a body of height lines shows: less the
// column names, the filter's line, and the selected handle's whole.
func (m Model) visibleRows(rows []row, lay layout, height int) int {
	n := m.list.rowsIn(height)
	if full := m.fullHandleView(rows, lay); full != "" {
		n -= lipgloss.Height(full)
	}
	return max(n, 1)
}
