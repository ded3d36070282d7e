package sanitize

import (
	"io"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Frame cleans a whole styled frame, as the switcher's View draws it: it
// keeps newlines and SGR sequences (ESC [ digits ; : m: colours and
// weights, which is all Lip Gloss writes) and removes every other unsafe
// rune and escape, and tabs (which Text keeps). Removed, not made visible:
// the frame's layout was measured already, so nothing may widen it (a
// terminal moves a tab to its next tab stop). Text from outside is expected
// to have passed Line before it was laid out; Frame is the guarantee that
// nothing else — a title change, a clipboard write, a cleared screen —
// reaches the terminal even when a path forgot.
func Frame(s string) string {
	i := firstUnsafe(s, false)
	if t := strings.IndexByte(s[:i], '\t'); t >= 0 {
		i = t
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		if n := sgrLen(s[i:]); n > 0 {
			b.WriteString(s[i : i+n])
			i += n
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !(r == utf8.RuneError && n == 1) && (r == '\n' || !Unsafe(r)) && r != '\t' {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// sgrLen is the length of the SGR sequence s starts with, or 0.
func sgrLen(s string) int {
	if len(s) < 3 || s[0] != 0x1b || s[1] != '[' {
		return 0
	}
	for i := 2; i < len(s) && i < 64; i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == ';', c == ':':
		case c == 'm':
			return i + 1
		default:
			return 0
		}
	}
	return 0
}

// Writer passes everything written through Text. A rune split between two
// writes is held until the next one completes it.
type Writer struct {
	w    io.Writer
	part []byte // the start of a rune cut by the end of the last write
}

// NewWriter returns a Writer over w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write writes Text(p) to the underlying writer and reports len(p) on success.
func (w *Writer) Write(p []byte) (int, error) {
	data := p
	if len(w.part) > 0 {
		data = append(w.part, p...)
		w.part = nil
	}
	cut := len(data)
	// Hold back an incomplete rune at the end (at most 3 bytes).
	for i := len(data) - 1; i >= 0 && i >= len(data)-3; i-- {
		if utf8.RuneStart(data[i]) {
			if !utf8.FullRune(data[i:]) {
				cut = i
			}
			break
		}
	}
	if cut < len(data) {
		w.part = append([]byte(nil), data[cut:]...)
	}
	if _, err := io.WriteString(w.w, Text(string(data[:cut]))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes a held incomplete rune (as an escaped invalid byte).
func (w *Writer) Flush() error {
	if len(w.part) == 0 {
		return nil
	}
	part := w.part
	w.part = nil
	_, err := io.WriteString(w.w, Text(string(part)))
	return err
}

// JSON escapes, in encoded JSON, every unsafe rune that the encoder left as
// it is (DEL, C1 controls, format characters: encoding/json escapes only
// the C0 controls and U+2028/9) as \uXXXX. Such runes can only stand inside
// strings, so the result is valid JSON and decodes to the same values.
func JSON(b []byte) []byte {
	i := firstUnsafe(string(b), false)
	if i == len(b) {
		return b
	}
	out := make([]byte, 0, len(b)+32)
	out = append(out, b[:i]...)
	for i < len(b) {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 || !Unsafe(r) || r == '\n' || r == '\t' {
			out = append(out, b[i:i+n]...)
			i += n
			continue
		}
		if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
			out = appendU(appendU(out, r1), r2)
		} else {
			out = appendU(out, r)
		}
		i += n
	}
	return out
}

func appendU(b []byte, r rune) []byte {
	b = append(b, `\u`...)
	return append(b, strconv.FormatUint(uint64(r)|0x10000, 16)[1:]...)
}
