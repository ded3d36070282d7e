package storage

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// reader is a strict JSON reader for the accounts document (this file,
// jsonstring.go and jsonvalue.go). encoding/json takes ~30 ms for a file of
// 1,000 accounts on a small machine; this reader, specialised to the
// schema, takes a few. It accepts a subset of what encoding/json accepts
// (keys must match exactly, no key twice, strings must be valid UTF-8) and
// decodes that subset to the same values; FuzzLoad checks both.
type reader struct {
	data []byte
	pos  int
	err  *syntaxError
	// borrow makes strings and raw values point into data instead of
	// copies: for a pass that only checks values, or copies the few it
	// keeps before data goes away (see decodeOne).
	borrow bool
	// keyring: an account read so far keeps its tokens in the keyring.
	keyring bool
}

// syntaxError is a decoding failure: where, under which field, and why.
// It never quotes the input.
type syntaxError struct {
	offset int
	path   []string // innermost first
	reason string
}

func (e *syntaxError) Error() string {
	var b strings.Builder
	for i, p := range slices.Backward(e.path) {
		if i != len(e.path)-1 && !strings.HasPrefix(p, "[") {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%s (at byte %d)", e.reason, e.offset)
	return b.String()
}

// fail records the first error, at the current position.
func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = &syntaxError{offset: r.pos, reason: fmt.Sprintf(format, args...)}
	}
}

// within adds a path element to a pending error, while unwinding.
func (r *reader) within(elem string) {
	if r.err != nil {
		r.err.path = append(r.err.path, elem)
	}
}

func (r *reader) ws() {
	for r.pos < len(r.data) {
		switch r.data[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte, or 0 at the end.
func (r *reader) peek() byte {
	r.ws()
	if r.pos < len(r.data) {
		return r.data[r.pos]
	}
	return 0
}

// literal consumes lit if the input continues with it.
func (r *reader) literal(lit string) bool {
	if strings.HasPrefix(string(r.data[r.pos:min(len(r.data), r.pos+len(lit))]), lit) {
		r.pos += len(lit)
		return true
	}
	return false
}

// null consumes a JSON null, which leaves a field at its zero value as in
// encoding/json.
func (r *reader) null() bool { return r.peek() == 'n' && r.literal("null") }

// typeErr reports that the value at the current position is not the one
// wanted, or that the input is not JSON there.
func (r *reader) typeErr(want string) {
	switch got := r.kind(); got {
	case "the end of the file":
		r.fail("invalid JSON: unexpected end of file")
	case "an invalid character":
		r.fail("invalid JSON: unexpected character")
	default:
		r.fail("want %s, got %s", want, got)
	}
}

// kind names the JSON value at the current position, for a type error.
func (r *reader) kind() string {
	switch c := r.peek(); {
	case c == '"':
		return "a string"
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	case c == '-' || c >= '0' && c <= '9':
		return "a number"
	case c == 0:
		return "the end of the file"
	}
	return "an invalid character"
}

// boolean reads true or false; null gives false.
func (r *reader) boolean() bool {
	switch {
	case r.null():
		return false
	case r.peek() == 't' && r.literal("true"):
		return true
	case r.peek() == 'f' && r.literal("false"):
		return false
	}
	r.typeErr("a boolean")
	return false
}

// number reads a JSON number token and returns it.
func (r *reader) number() string {
	start := r.pos
	digits := func() int {
		n := 0
		for r.pos < len(r.data) && r.data[r.pos] >= '0' && r.data[r.pos] <= '9' {
			r.pos++
			n++
		}
		return n
	}
	if r.pos < len(r.data) && r.data[r.pos] == '-' {
		r.pos++
	}
	switch {
	case r.pos < len(r.data) && r.data[r.pos] == '0':
		r.pos++
	case digits() == 0:
		r.fail("invalid JSON: bad number")
		return ""
	}
	if r.pos < len(r.data) && r.data[r.pos] == '.' {
		r.pos++
		if digits() == 0 {
			r.fail("invalid JSON: bad number")
			return ""
		}
	}
	if r.pos < len(r.data) && (r.data[r.pos] == 'e' || r.data[r.pos] == 'E') {
		r.pos++
		if r.pos < len(r.data) && (r.data[r.pos] == '+' || r.data[r.pos] == '-') {
			r.pos++
		}
		if digits() == 0 {
			r.fail("invalid JSON: bad number")
			return ""
		}
	}
	return string(r.data[start:r.pos])
}

// integer reads a whole number that fits an int; null gives 0.
func (r *reader) integer() int {
	if r.null() {
		return 0
	}
	if c := r.peek(); c != '-' && (c < '0' || c > '9') {
		r.typeErr("a number")
		return 0
	}
	start := r.pos
	tok := r.number()
	if r.err != nil {
		return 0
	}
	n, err := strconv.Atoi(tok)
	if err != nil {
		r.pos = start
		r.fail("want a whole number")
	}
	return n
}
