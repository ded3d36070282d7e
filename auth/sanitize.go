package auth

import (
	"strings"
	"unicode"
)

// printable drops control characters (C0, DEL, C1: ESC starts terminal
// escape sequences) and invalid UTF-8 from text a server sent, so it can be
// shown on a terminal harmlessly, and cuts it to n bytes.
func printable(s string, n int) string {
	clean := strings.Map(func(r rune) rune {
		if r == unicode.ReplacementChar || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' ||
			unicode.Is(unicode.Bidi_Control, r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	return clip(clean, n)
}

// word keeps only ASCII letters and digits: XRPC error names and account
// statuses are identifiers, anything else in them is noise or an attack.
func word(s string, n int) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) && b.Len() < n {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// handleOrInvalid is a handle the server sent, or "handle.invalid" (what
// Bluesky itself shows) when it breaks the syntax.
func handleOrInvalid(h string) string {
	h = strings.ToLower(h)
	if ValidHandle(h) {
		return h
	}
	return "handle.invalid"
}
