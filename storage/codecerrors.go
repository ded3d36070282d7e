package storage

// How a document that cannot be read, or a state that cannot be written, is
// described: in our words, naming the member and the byte, never quoting
// the content (the library's own texts quote the input, which may hold a
// token).

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// describe says what is wrong with a document, in our words: where (the
// member, as accounts[2].handle) and what, never quoting the content. The
// path stops at a DID document, whose insides are the server's.
func describe(err error) string {
	var (
		sem *jsonv2.SemanticError
		syn *jsontext.SyntacticError
	)
	switch {
	case errors.As(err, &sem):
		return located(sem.JSONPointer, sem.ByteOffset, semanticReason(sem))
	case errors.As(err, &syn):
		return located(syn.JSONPointer, syn.ByteOffset, syntaxReason(syn))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "invalid JSON: unexpected end of file"
	}
	return "invalid JSON"
}

func located(p jsontext.Pointer, offset int64, reason string) string {
	var b strings.Builder
	var parent string
	for tok := range p.Tokens() {
		if !nameLike(tok) {
			tok = "(a name)"
		}
		switch {
		case parent == "accounts" || parent == "pendingLogouts":
			b.WriteString("[" + tok + "]")
		case b.Len() > 0:
			b.WriteString("." + tok)
		default:
			b.WriteString(tok)
		}
		if tok == "didDoc" {
			break
		}
		parent = tok
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%s (at byte %d)", reason, offset)
	return b.String()
}

// nameLike tells whether a member name may be shown in an error: a short
// plain word that holds no start of a token ("eyJ") or of a DPoP key.
func nameLike(s string) bool {
	if len(s) == 0 || len(s) > 32 || strings.Contains(s, "eyJ") || strings.Contains(s, keyStart) {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func semanticReason(e *jsonv2.SemanticError) string {
	switch {
	case errors.Is(e.Err, jsonv2.ErrUnknownName):
		return "unknown field (written by a newer or different program?)"
	case errors.Is(e.Err, io.ErrUnexpectedEOF):
		return "invalid JSON: unexpected end of file"
	case errors.Is(e.Err, errTooDeep):
		return errTooDeep.Error()
	case e.GoType == reflect.TypeFor[time.Time]() && e.JSONKind == '"':
		return "want an RFC 3339 timestamp"
	case e.GoType != nil && e.GoType.Kind() == reflect.Int && e.JSONKind == '0':
		return "want a whole number"
	}
	return fmt.Sprintf("want %s, got %s", goKind(e.GoType), jsonKind(e.JSONKind))
}

func goKind(t reflect.Type) string {
	switch {
	case t == nil:
		return "another value"
	case t == reflect.TypeFor[time.Time]():
		return "an RFC 3339 timestamp"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int:
		return "a number"
	case reflect.Slice:
		return "an array"
	case reflect.Struct:
		return "an object"
	}
	return "another value"
}

func jsonKind(k jsontext.Kind) string {
	switch k {
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	case '{':
		return "an object"
	case '[':
		return "an array"
	}
	return "something else"
}

// syntaxReason names a syntax error. The library's own text quotes the
// input, so only its kind is taken from it.
func syntaxReason(e *jsontext.SyntacticError) string {
	if errors.Is(e.Err, jsontext.ErrDuplicateName) {
		return "field appears twice"
	}
	if errors.Is(e.Err, io.ErrUnexpectedEOF) {
		return "invalid JSON: unexpected end of file"
	}
	msg := e.Err.Error()
	for _, k := range []struct{ in, reason string }{
		{"invalid UTF-8", "string is not valid UTF-8"},
		{"escape sequence", "invalid JSON: bad escape in string"},
		{"non-control character", "invalid JSON: control character in string"},
		{"after top-level value", "invalid JSON: data after the document"},
		{"max depth", "nested too deeply"},
	} {
		if strings.Contains(msg, k.in) {
			return k.reason
		}
	}
	return "invalid JSON: unexpected character"
}

// describeWrite names what could not be written: the member and why (a
// time outside the years 0 to 9999, a DID document that is not JSON).
func describeWrite(err error) string {
	var sem *jsonv2.SemanticError
	if !errors.As(err, &sem) {
		return "cannot encode"
	}
	reason := "cannot encode"
	switch {
	case errors.Is(sem.Err, errBadDoc):
		reason = errBadDoc.Error()
	case sem.GoType == reflect.TypeFor[time.Time]():
		reason = "time out of range"
	}
	return located(sem.JSONPointer, sem.ByteOffset, reason)
}
