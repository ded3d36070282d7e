// Package sanitize makes text from outside (server answers, certificates,
// Go's own error texts, the accounts file) harmless on a terminal. It is the
// one rule every sink applies: the command line's stdout and stderr pass
// through a Writer, every switcher frame through Frame, JSON output through
// JSON, and what is saved through Line.
//
// A rune is unsafe when a terminal could act on it or when it hides or
// reorders text: C0 controls (ESC, BEL, CR, …) but newline and tab, DEL, C1
// controls, bidirectional overrides and isolates, zero-width and other
// format characters (Unicode Cf), the line and paragraph separators, and the
// other default-ignorable code points. Text and Line make each one visible
// as a Go escape (\x1b, \u202e), so that nothing is silently hidden (a
// handle with a zero-width space does not pass for another); invalid UTF-8
// bytes show as \xff.
package sanitize

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Unsafe reports whether r must not reach a terminal as it is. Newline and
// tab are safe here; Line treats them separately.
func Unsafe(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20 || r == 0x7f:
		return true
	case r < 0x80:
		return false
	case r <= 0x9f: // C1
		return true
	case r == utf8.RuneError:
		return false // a real U+FFFD; invalid bytes are caught by the decoder
	}
	return unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Bidi_Control,
		unicode.Other_Default_Ignorable_Code_Point, unicode.Noncharacter_Code_Point)
}

// Text returns s with every unsafe rune and invalid byte made visible as an
// escape; newlines and tabs are kept. Safe text is returned as is.
func Text(s string) string { return clean(s, false) }

// Line is Text for one line (a field, an error message): newlines and tabs
// become spaces.
func Line(s string) string { return clean(s, true) }

func clean(s string, oneLine bool) string {
	i := firstUnsafe(s, oneLine)
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(s[i])|0x100, 16)[1:])
		case oneLine && (r == '\n' || r == '\t'):
			b.WriteByte(' ')
		case Unsafe(r):
			b.WriteString(escape(r))
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// firstUnsafe is the index of the first byte Text or Line would change, or
// len(s): a fast path for the usual, clean string.
func firstUnsafe(s string, oneLine bool) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || Unsafe(r) || (oneLine && (r == '\n' || r == '\t')) {
			return i
		}
		i += n
	}
	return len(s)
}

// escape writes r as Go would quote it: \x1b, \u202e, \U000e0001.
func escape(r rune) string {
	q := strconv.QuoteRuneToASCII(r) // '\x1b'
	return q[1 : len(q)-1]
}

// Fold removes every unsafe rune, invalid byte and space from s, so that a
// credential split by zero-width or other invisible characters is still
// found by a plain substring search over the result.
func Fold(s string) string {
	return strings.Map(func(r rune) rune {
		if r == utf8.RuneError || Unsafe(r) || unicode.IsSpace(r) || unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, s)
}
