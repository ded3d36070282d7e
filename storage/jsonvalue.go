package storage

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
)

// maxDepth bounds the nesting of a DID document.
const maxDepth = 512

// object reads a JSON object (null leaves the target as it is), calling
// field for each key. field decodes the value and returns a bit naming the
// key, or 0 for an unknown key; a key seen twice is an error.
func (r *reader) object(field func(key []byte) uint32) {
	if r.null() {
		return
	}
	if r.peek() != '{' {
		r.typeErr("an object")
		return
	}
	r.pos++
	if r.peek() == '}' {
		r.pos++
		return
	}
	var seen uint32
	for {
		if r.peek() != '"' {
			r.typeErr("an object key")
			return
		}
		key := r.key()
		if r.err != nil {
			return
		}
		if r.peek() != ':' {
			r.fail("invalid JSON: want ':' after an object key")
			return
		}
		r.pos++
		r.peek()
		bit := field(key)
		switch {
		case r.err != nil:
			r.within(string(key))
			return
		case bit == 0:
			r.fail("unknown field (written by a newer or different program?)")
			r.within(string(key))
			return
		case seen&bit != 0:
			r.fail("field appears twice")
			r.within(string(key))
			return
		}
		seen |= bit
		switch r.peek() {
		case ',':
			r.pos++
		case '}':
			r.pos++
			return
		default:
			r.fail("invalid JSON: want ',' or '}' in an object")
			return
		}
	}
}

// array reads a JSON array (null leaves the target as it is), calling elem
// for each element.
func (r *reader) array(elem func(i int)) {
	if r.null() {
		return
	}
	if r.peek() != '[' {
		r.typeErr("an array")
		return
	}
	r.pos++
	if r.peek() == ']' {
		r.pos++
		return
	}
	for i := 0; ; i++ {
		r.peek()
		elem(i)
		if r.err != nil {
			r.within("[" + strconv.Itoa(i) + "]")
			return
		}
		switch r.peek() {
		case ',':
			r.pos++
		case ']':
			r.pos++
			return
		default:
			r.fail("invalid JSON: want ',' or ']' in an array")
			return
		}
	}
}

// skip reads any JSON value and returns its bytes.
func (r *reader) skip(depth int) []byte {
	c := r.peek()
	start := r.pos
	switch {
	case depth > maxDepth:
		r.fail("nested too deeply")
	case c == '{':
		r.pos++
		if r.peek() == '}' {
			r.pos++
			break
		}
		for r.err == nil {
			r.scanString()
			if r.err == nil && r.peek() != ':' {
				r.fail("invalid JSON: want ':' after an object key")
			}
			if r.err != nil {
				break
			}
			r.pos++
			r.skip(depth + 1)
			if r.err == nil && !r.closeOrNext('}') {
				break
			}
		}
	case c == '[':
		r.pos++
		if r.peek() == ']' {
			r.pos++
			break
		}
		for r.err == nil {
			r.skip(depth + 1)
			if r.err == nil && !r.closeOrNext(']') {
				break
			}
		}
	case c == '"':
		r.scanString()
	case c == 't':
		if !r.literal("true") {
			r.fail("invalid JSON: bad literal")
		}
	case c == 'f':
		if !r.literal("false") {
			r.fail("invalid JSON: bad literal")
		}
	case c == 'n':
		if !r.literal("null") {
			r.fail("invalid JSON: bad literal")
		}
	case c == '-' || c >= '0' && c <= '9':
		r.number()
	default:
		r.fail("invalid JSON: want a value, got %s", r.kind())
	}
	return r.data[start:r.pos]
}

// closeOrNext consumes ',' (true: another member follows) or the closing
// byte (false).
func (r *reader) closeOrNext(closing byte) bool {
	switch r.peek() {
	case ',':
		r.pos++
		return true
	case closing:
		r.pos++
		return false
	}
	r.fail("invalid JSON: want ',' or '%c'", closing)
	return false
}

// raw reads any JSON value as a json.RawMessage; null gives nil.
func (r *reader) raw() json.RawMessage {
	if r.null() {
		return nil
	}
	v := r.skip(0)
	switch {
	case r.err != nil:
		return nil
	case r.borrow:
		return v
	}
	return bytes.Clone(v)
}

// timestamp reads an RFC 3339 string as encoding/json does; null gives the
// zero time.
func (r *reader) timestamp() time.Time {
	var t time.Time
	if r.null() {
		return t
	}
	start, end, _ := r.scanString()
	if r.err != nil {
		return t
	}
	if err := t.UnmarshalJSON(r.data[start-1 : end+1]); err != nil {
		r.pos = start - 1
		r.fail("want an RFC 3339 timestamp")
	}
	return t
}
