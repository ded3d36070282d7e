package sanitize

import "unicode/utf8"

// Field is Line for a field kept from outside (an email address a server
// sent): one line, every unsafe rune and invalid byte made visible, and at
// most n bytes of that followed by "…" when it had to be cut. The cut never
// falls inside a rune or inside an escape Line made, so a cut field never
// ends in half an escape ("\x1" for "\x1b").
func Field(s string, n int) string {
	if line := Line(s); len(line) <= n {
		return line
	}
	out := make([]byte, 0, n+len("…"))
	for i := 0; i < len(s); {
		_, size := utf8.DecodeRuneInString(s[i:])
		piece := Line(s[i : i+size])
		if len(out)+len(piece) > n {
			break
		}
		out = append(out, piece...)
		i += size
	}
	return string(out) + "…"
}
