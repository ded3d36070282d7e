package storage

import (
	"encoding/binary"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// scanString reads a string token ('"' included) and returns the bounds of
// its raw content and whether it holds escapes. It checks the content is
// valid UTF-8, without control characters, with valid escapes.
func (r *reader) scanString() (start, end int, escaped bool) {
	if r.peek() != '"' {
		r.typeErr("a string")
		return
	}
	r.pos++
	start = r.pos
	ascii := true
	data := r.data
	for i := r.pos; i < len(data); i++ {
		// Plain bytes, the bulk of a JWT, take the fast path.
		i += plainPrefix(data[i:])
		for i < len(data) && plain[data[i]] {
			i++
		}
		if i == len(data) {
			break
		}
		switch c := data[i]; {
		case c == '"':
			if !ascii && !utf8.Valid(data[start:i]) {
				r.fail("string is not valid UTF-8")
				return
			}
			r.pos = i + 1
			return start, i, escaped
		case c == '\\':
			escaped = true
			n := escapeLen(data[i:])
			if n == 0 {
				r.pos = i
				r.fail("invalid JSON: bad escape in string")
				return
			}
			i += n - 1
		case c < 0x20:
			r.pos = i
			r.fail("invalid JSON: control character in string")
			return
		default: // c >= 0x80
			ascii = false
		}
	}
	r.pos = len(data)
	r.fail("invalid JSON: unterminated string")
	return
}

// escapeLen is the length of the valid escape sequence b starts with (a
// backslash), or 0. At the end of the input it returns 1, leaving the
// string unterminated.
func escapeLen(b []byte) int {
	if len(b) < 2 {
		return 1
	}
	switch b[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if _, ok := hex4(b[2:]); ok {
			return 6
		}
	}
	return 0
}

// plainPrefix is a length, a multiple of 8, of plain bytes at the start of
// b, checked 8 bytes at a time.
func plainPrefix(b []byte) int {
	n := 0
	for n+8 <= len(b) && plainWord(binary.LittleEndian.Uint64(b[n:])) {
		n += 8
	}
	return n
}

// plainWord reports whether the 8 bytes of w are all plain, with the bit
// tricks of "Bit Twiddling Hacks" (hasless, haszero): no false negative,
// and rare false positives only send the caller to its byte loop.
func plainWord(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q := w ^ (ones * '"')
	bs := w ^ (ones * '\\')
	special := (w - ones*0x20) | (q-ones)&^q | (bs-ones)&^bs
	return (special&^w|w)&highs == 0
}

// plain marks the bytes a JSON string holds as they are: printable ASCII
// but the quote and the backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str reads a string value; null gives "".
func (r *reader) str() string {
	if r.null() {
		return ""
	}
	start, end, escaped := r.scanString()
	if r.err != nil {
		return ""
	}
	if !escaped {
		if r.borrow && end > start {
			return unsafe.String(&r.data[start], end-start)
		}
		return string(r.data[start:end])
	}
	s, ok := unescape(r.data[start:end])
	if !ok {
		r.pos = start
		r.fail("invalid JSON: bad escape in string")
	}
	return s
}

// key reads an object key, without allocating when it has no escapes.
func (r *reader) key() []byte {
	start, end, escaped := r.scanString()
	if r.err != nil {
		return nil
	}
	if !escaped {
		return r.data[start:end]
	}
	s, ok := unescape(r.data[start:end])
	if !ok {
		r.pos = start
		r.fail("invalid JSON: bad escape in string")
	}
	return []byte(s)
}

// unescape decodes the content of a string with backslash escapes as
// encoding/json does (a lone surrogate becomes U+FFFD).
func unescape(s []byte) (string, bool) {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b = append(b, s[i])
			continue
		}
		i++
		if i == len(s) {
			return "", false
		}
		switch s[i] {
		case '"', '\\', '/':
			b = append(b, s[i])
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r1, ok := hex4(s[i+1:])
			if !ok {
				return "", false
			}
			i += 4
			if utf16.IsSurrogate(r1) {
				r2, ok := rune(0), false
				if i+2 < len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
					r2, ok = hex4(s[i+3:])
				}
				if dec := utf16.DecodeRune(r1, r2); ok && dec != utf8.RuneError {
					b = utf8.AppendRune(b, dec)
					i += 6
					continue
				}
				r1 = utf8.RuneError
			}
			b = utf8.AppendRune(b, r1)
		default:
			return "", false
		}
	}
	return string(b), true
}

// hex4 decodes the four hex digits of a \u escape.
func hex4(s []byte) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(s[:4]), 16, 32)
	return rune(n), err == nil
}
