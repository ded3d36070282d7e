package ui

import (
	"image/color"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
)

// shade is a colour for light terminals and one for dark ones.
type shade struct{ light, dark string }

// on picks the shade's colour for the terminal's background.
func (s shade) on(dark bool) color.Color {
	return lipgloss.LightDark(dark)(lipgloss.Color(s.light), lipgloss.Color(s.dark))
}

// theme names colours by meaning; each adapts to light and dark terminals,
// by the background colour the terminal reports (dark until it answers).
type theme struct {
	accent, muted, text, calm, warn, alarm, info shade
	// selection is the selected row's background: faint enough that
	// every other colour still reads on it.
	selection shade
}

var defaultTheme = theme{
	accent: shade{"#5A38C6", "#9D8CFF"},
	muted:  shade{"#6B6B6B", "#8A8A8A"},
	text:   shade{"#1A1A1A", "#E8E8E8"},
	calm:   shade{"#1B7F3B", "#5FD787"},
	warn:   shade{"#A15C00", "#FFB347"},
	alarm:  shade{"#C0262D", "#FF5F5F"},
	info:   shade{"#1F5FAD", "#6CB6FF"},

	selection: shade{"#E2DCF7", "#3B3452"},
}

// styles groups the theme's styles by the part of the screen they serve.
type styles struct {
	title, badge, muted, selected, active lipgloss.Style
	calm, warn, alarm                     lipgloss.Style
	bannerWarn, bannerError, bannerInfo   lipgloss.Style
	label, focused, errorText, hint       lipgloss.Style
	box, keyHelp                          lipgloss.Style
	// rowBG is the SGR sequence that starts the selection's background.
	rowBG string
}

func newStyles(th theme, dark bool) styles {
	t := struct{ accent, muted, text, calm, warn, alarm, info color.Color }{
		th.accent.on(dark), th.muted.on(dark), th.text.on(dark), th.calm.on(dark),
		th.warn.on(dark), th.alarm.on(dark), th.info.on(dark),
	}
	base := lipgloss.NewStyle()
	banner := base.Padding(0, 1).Bold(true)
	return styles{
		title:       base.Bold(true).Foreground(t.accent),
		badge:       base.Bold(true).Foreground(t.warn),
		muted:       base.Foreground(t.muted),
		selected:    base.Bold(true).Foreground(t.accent),
		active:      base.Bold(true).Foreground(t.calm),
		calm:        base.Foreground(t.calm),
		warn:        base.Foreground(t.warn),
		alarm:       base.Bold(true).Foreground(t.alarm),
		bannerWarn:  banner.Foreground(t.warn).BorderStyle(lipgloss.NormalBorder()).BorderLeft(true).BorderForeground(t.warn),
		bannerError: banner.Foreground(t.alarm).BorderStyle(lipgloss.NormalBorder()).BorderLeft(true).BorderForeground(t.alarm),
		bannerInfo:  banner.Foreground(t.info).BorderStyle(lipgloss.NormalBorder()).BorderLeft(true).BorderForeground(t.info),
		label:       base.Foreground(t.muted),
		focused:     base.Bold(true).Foreground(t.accent),
		errorText:   base.Foreground(t.alarm),
		hint:        base.Foreground(t.muted).Italic(true),
		box:         base.Padding(0, 1),
		keyHelp:     base.Bold(true).Foreground(t.text),
		rowBG:       sgrOf(base.Background(th.selection.on(dark))),
	}
}

// sgrOf is the SGR sequence that style s starts with.
func sgrOf(s lipgloss.Style) string {
	out := s.Render("x")
	return out[:strings.Index(out, "x")]
}

// withStyles gives bubbles' help the theme's colours: its own greys are
// too faint on dark backgrounds.
func withStyles(h help.Model, s styles) help.Model {
	key, desc := s.keyHelp, s.muted
	h.Styles.ShortKey, h.Styles.FullKey = key, key
	h.Styles.ShortDesc, h.Styles.FullDesc = desc, desc
	h.Styles.ShortSeparator, h.Styles.FullSeparator, h.Styles.Ellipsis = desc, desc, desc
	return h
}

// newFieldStyles gives the text fields (the login form's, the sign-in
// code, the filter) the theme's colours: Bubbles' own assume a dark
// background (a light grey cursor and prompt vanish on a light one).
// What is typed has the text colour, focused or not, and the placeholder
// is muted, so a value never passes for an example; the focused field
// shows by its cursor and accent prompt (and the form's accent label).
func newFieldStyles(th theme, dark bool) textinput.Styles {
	text, muted, accent := th.text.on(dark), th.muted.on(dark), th.accent.on(dark)
	base := lipgloss.NewStyle()
	s := textinput.DefaultStyles(dark) // the cursor's shape and blinking; every colour is set below
	s.Focused = textinput.StyleState{
		Text:        base.Foreground(text),
		Placeholder: base.Foreground(muted),
		Suggestion:  base.Foreground(muted),
		Prompt:      base.Foreground(accent),
	}
	s.Blurred = s.Focused
	s.Blurred.Prompt = base.Foreground(muted)
	s.Cursor.Color = accent
	return s
}
