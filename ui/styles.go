package ui

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"
)

// theme names colours by meaning; each adapts to light and dark terminals.
type theme struct {
	accent, muted, text, calm, warn, alarm, info lipgloss.AdaptiveColor
}

var defaultTheme = theme{
	accent: lipgloss.AdaptiveColor{Light: "#5A38C6", Dark: "#9D8CFF"},
	muted:  lipgloss.AdaptiveColor{Light: "#6B6B6B", Dark: "#8A8A8A"},
	text:   lipgloss.AdaptiveColor{Light: "#1A1A1A", Dark: "#E8E8E8"},
	calm:   lipgloss.AdaptiveColor{Light: "#1B7F3B", Dark: "#5FD787"},
	warn:   lipgloss.AdaptiveColor{Light: "#A15C00", Dark: "#FFB347"},
	alarm:  lipgloss.AdaptiveColor{Light: "#C0262D", Dark: "#FF5F5F"},
	info:   lipgloss.AdaptiveColor{Light: "#1F5FAD", Dark: "#6CB6FF"},
}

// styles groups the theme's styles by the part of the screen they serve.
type styles struct {
	title, badge, muted, selected, active lipgloss.Style
	calm, warn, alarm                     lipgloss.Style
	bannerWarn, bannerError, bannerInfo   lipgloss.Style
	label, focused, errorText, hint       lipgloss.Style
	box, keyHelp                          lipgloss.Style
}

func newStyles(t theme) styles {
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
	}
}

// newHelp is bubbles' help with the theme's colours: its own greys are too
// faint on dark backgrounds.
func newHelp(s styles) help.Model {
	h := help.New()
	key, desc := s.keyHelp, s.muted
	h.Styles.ShortKey, h.Styles.FullKey = key, key
	h.Styles.ShortDesc, h.Styles.FullDesc = desc, desc
	h.Styles.ShortSeparator, h.Styles.FullSeparator, h.Styles.Ellipsis = desc, desc, desc
	return h
}
