package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/internal/sanitize"
)

// colPick is the width of the picker's handle column.
const colPick = 28

// View draws the picker in place, under the command line; once it has
// ended, nothing, so that the screen is left as it was.
func (p Picker) View() tea.View {
	if p.done {
		return tea.NewView("")
	}
	return tea.NewView(sanitize.Frame(p.draw()))
}

func (p Picker) draw() string {
	var b strings.Builder
	b.WriteString(p.st.title.Render("Switch to which account?") + "\n")
	b.WriteString(p.filter.View() + "\n")
	rows := min(pickerRows, max(p.height-4, 1))
	offset := max(0, min(p.cursor-rows+1, len(p.shown)-rows))
	marked := false
	for i := offset; i < min(offset+rows, len(p.shown)); i++ {
		item := p.items[p.shown[i]]
		marked = marked || item.marked
		b.WriteString(p.rowView(item, i == p.cursor) + "\n")
	}
	if len(p.shown) == 0 {
		b.WriteString(p.st.muted.Render("  no account matches") + "\n")
	}
	if marked {
		b.WriteString(p.st.muted.Render("  ⚠ a handle shared or unverified: enter picks the row by its DID") + "\n")
	}
	foot := "enter switch • esc cancel • ↑/↓ move"
	if len(p.shown) != len(p.items) || len(p.shown) > rows {
		foot = fmt.Sprintf("%d of %d • %s", len(p.shown), len(p.items), foot)
	}
	b.WriteString(p.st.muted.Render("  " + foot))
	return b.String()
}

// rowView is one account: the cursor, the active mark, the handle (⚠ when
// it chooses nothing), the DID, and an ended session said.
func (p Picker) rowView(item pickItem, selected bool) string {
	cursor, active := "  ", "  "
	if selected {
		cursor = p.st.selected.Render("> ")
	}
	if item.active {
		active = p.st.active.Render("● ")
	}
	handleCol := min(colPick, max(p.width-24, 12))
	handle := pad(truncate("@"+item.handle, handleCol), handleCol)
	if item.marked {
		handle = pad(truncate("@"+item.handle, handleCol-2)+" ⚠", handleCol)
	}
	if selected {
		handle = p.st.selected.Render(handle)
	}
	line := cursor + active + handle + " " + p.st.muted.Render(shortDID(shown(item.did), max(min(32, p.width-handleCol-6), 8)))
	if item.ended {
		line += " " + p.st.alarm.Render("session ended")
	}
	return line
}

// pickerModel adapts Picker to tea.Model, whose Update returns the
// interface.
type pickerModel struct{ Picker }

func (m pickerModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	p, cmd := m.Picker.Update(msg)
	return pickerModel{p}, cmd
}

// PickerProgram wraps p for tea.NewProgram.
func PickerProgram(p Picker) tea.Model { return pickerModel{p} }

// Picked is the DID chosen in the model a picker's program ended with, or
// "" when none was chosen.
func Picked(m tea.Model) string {
	if pm, ok := m.(pickerModel); ok {
		return pm.Chosen()
	}
	return ""
}
