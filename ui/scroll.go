package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Moving through a long list: a row, a page (the rows shown), the ends.
// The first row shown is kept between keys, so a page down shows the next
// page, and the cursor moves within the page before the page moves.

// scrolled is the first row to show: offset moved as little as keeps the
// cursor in view, and the last page full.
func scrolled(offset, cursor, visible, n int) int {
	offset = max(min(offset, cursor), cursor-visible+1)
	return max(0, min(offset, n-visible))
}

// rowsIn is how many rows a body of height lines shows: less the column
// names, and the filter's line while there is one.
func (l listModel) rowsIn(height int) int {
	if l.filtering || l.filtered() {
		height--
	}
	return max(height-1, 1)
}

// scroll moves the cursor for the keys that move it; ok is false for
// other keys.
func (m Model) scroll(msg tea.KeyPressMsg) (l listModel, ok bool) {
	k, rows := m.list.keys, m.rows()
	page := m.visibleRows(rows, m.layout(), m.chrome().body)
	l = m.list
	l.offset = scrolled(l.offset, l.cursor, page, len(rows)) // as shown now
	switch {
	case key.Matches(msg, k.Up):
		l = l.move(rows, -1)
	case key.Matches(msg, k.Down):
		l = l.move(rows, 1)
	case key.Matches(msg, k.PageUp):
		l = l.move(rows, -page)
		l.offset -= page
	case key.Matches(msg, k.PageDown):
		l = l.move(rows, page)
		l.offset += page
	case key.Matches(msg, k.Top):
		l = l.move(rows, -len(rows))
	case key.Matches(msg, k.Bottom):
		l = l.move(rows, len(rows))
	default:
		return m.list, false
	}
	l.offset = scrolled(l.offset, l.cursor, page, len(rows))
	return l, true
}
