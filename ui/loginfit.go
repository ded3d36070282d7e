package ui

import (
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
)

// The form's fields take the window's width, up to maxFieldWidth: a line
// is the indent and label (formIndent cells), then the field, which draws
// its width and one more cell (the cursor's).
const (
	formIndent    = len("  Password  ")
	maxFieldWidth = 60
	minFieldWidth = 4
)

// fieldHints are each field's placeholders, longest first: a field shows
// the longest that fits it whole, so that a narrow window shortens the
// hint instead of cutting it mid-word (the last, cut, when none fits).
var fieldHints = [fieldCount][]string{
	fieldIdentifier: {"alice.bsky.social, an email or a DID", "handle, email or DID", "handle"},
	fieldPassword:   {"xxxx-xxxx-xxxx-xxxx", "app password", "password"},
	fieldService: {"empty: find my PDS from my handle (or https://bsky.social)",
		"empty: from my handle (or https://bsky.social)", "empty: from my handle", "optional"},
}

// codeHints are the sign-in code field's placeholders, longest first.
var codeHints = []string{"XXXXX-XXXXX", "code"}

// formFieldWidth is the width of the form's fields in a window this wide.
func formFieldWidth(window int) int {
	return min(maxFieldWidth, max(minFieldWidth, window-formIndent-1))
}

// fit sizes the form's fields, the code's too, for a window this wide,
// each with the longest placeholder that it shows whole. It changes only
// widths, scroll offsets and placeholders: the loginView calls it on its
// copy (the first frame of a form comes before any key), and updateLogin
// before keys reach a field, so both scroll alike.
func (l loginModel) fit(window int) loginModel {
	w := formFieldWidth(window)
	for i := range l.fields {
		fitField(&l.fields[i], w, fieldHints[i])
	}
	fitField(&l.code, w, codeHints)
	return l
}

// fitField gives t the width w and the longest of hints that it shows
// whole. Its scroll offsets are made again for the new width: the cursor
// sent to the end and back makes textinput place its window anew, as a
// width that shrank with the cursor inside the window would not.
func fitField(t *textinput.Model, w int, hints []string) {
	if t.Width() != w {
		t.SetWidth(w)
		p := t.Position()
		t.CursorEnd()
		t.SetCursor(p)
	}
	t.Placeholder = longestFitting(hints, w+1)
}

// longestFitting is the first of hints (longest first) at most cells
// wide, or the last when none is.
func longestFitting(hints []string, cells int) string {
	for _, h := range hints {
		if lipgloss.Width(h) <= cells {
			return h
		}
	}
	return hints[len(hints)-1]
}
