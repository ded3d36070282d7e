package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// The accounts document is read and written by JSON v2
// (github.com/go-json-experiment/json, which becomes encoding/json/v2):
// the struct tags of State, Account, PendingLogout and auth.SessionData are
// the one place that names a field. Switching to the standard library's
// encoding/json/v2 is the import paths only: "encoding/json/v2" and
// "encoding/json/jsontext" for the two above (scripts/json-stdlib).

// maxDepth bounds the nesting of a DID document.
const maxDepth = 512

var (
	// errTooDeep: a DID document nested more than maxDepth deep.
	errTooDeep = errors.New("nested too deeply")
	// errBadDoc: a DID document to write is not valid JSON.
	errBadDoc = errors.New("not valid JSON")
)

// rawReader reads DID documents (see readRaw).
var rawReader = jsonv2.UnmarshalFromFunc(readRaw)

// readOptions make the reader strict: unknown members are refused, and
// JSON v2 refuses by default duplicate names, invalid UTF-8 and names that
// differ in case.
var readOptions = jsonv2.JoinOptions(
	jsonv2.RejectUnknownMembers(true),
	jsonv2.WithUnmarshalers(rawReader),
)

// docOptions are those of a DID document: the server's, kept as received,
// so a name twice in it is not ours to refuse. They drop the unmarshalers
// of the document around it: under encoding/json/v2, json.RawMessage is
// jsontext.Value, so rawReader would read the copy by calling itself.
var docOptions = jsonv2.JoinOptions(jsontext.AllowDuplicateNames(true), jsonv2.WithUnmarshalers(nil))

// writeOptions give the layout older builds wrote: two-space indentation,
// a space after each colon.
var writeOptions = jsonv2.JoinOptions(
	jsontext.Multiline(true),
	jsontext.WithIndent("  "),
	jsontext.AllowInvalidUTF8(true),
)

// readRaw reads a DID document as received; null gives nil, as the hand
// codec did, not the bytes "null".
func readRaw(dec *jsontext.Decoder, v *json.RawMessage) error {
	if dec.PeekKind() == 'n' {
		*v = nil
		_, err := dec.ReadToken()
		return err
	}
	var doc jsontext.Value
	err := readDoc(dec, &doc)
	*v = json.RawMessage(doc)
	return err
}

// readDoc reads a DID document into a copy in doc, reusing its memory.
func readDoc(dec *jsontext.Decoder, doc *jsontext.Value) error {
	*doc = (*doc)[:0]
	if err := jsonv2.UnmarshalDecode(dec, doc, docOptions); err != nil {
		return err
	}
	if tooDeep(*doc) {
		return errTooDeep
	}
	return nil
}

// tooDeep tells whether the valid JSON value raw nests more than maxDepth
// deep. Only a value with that many brackets is walked.
func tooDeep(raw []byte) bool {
	if bytes.Count(raw, []byte("["))+bytes.Count(raw, []byte("{")) <= maxDepth {
		return false
	}
	dec := jsontext.NewDecoder(bytes.NewBuffer(raw), docOptions)
	for {
		if _, err := dec.ReadToken(); err != nil {
			return false
		}
		if dec.StackDepth() > maxDepth {
			return true
		}
	}
}

// decode parses and validates an accounts document. Every failure is a
// *FileError naming path; none quotes the content.
func decode(path string, data []byte) (*State, error) {
	st := new(State)
	if err := readDocument(path, data, st, nil); err != nil {
		return nil, err
	}
	var keyring keyringCheck
	for i := range st.Accounts {
		keyring.add(&st.Accounts[i])
	}
	if err := keyring.err(st); err != nil {
		return nil, fileErr(path, ErrCorrupt, "%v", err)
	}
	if err := st.validate(); err != nil {
		return nil, fileErr(path, ErrCorrupt, "%v", err)
	}
	return st, nil
}

// readDocument reads a whole accounts document into st and checks its
// format version. With each set, the accounts array is not kept: each
// element is handed to each, with the decoder before it, to read.
func readDocument(path string, data []byte, st *State, each func(*jsontext.Decoder) error) error {
	switch rest := bytes.TrimLeft(data, " \t\r\n"); {
	case len(rest) == 0:
		return fileErr(path, ErrCorrupt, "empty file")
	case rest[0] != '{':
		return fileErr(path, ErrCorrupt, "not a JSON object")
	}
	opts := readOptions
	if each != nil {
		opts = jsonv2.JoinOptions(opts, jsonv2.WithUnmarshalers(jsonv2.JoinUnmarshalers(rawReader,
			jsonv2.UnmarshalFromFunc(func(dec *jsontext.Decoder, _ *[]Account) error { return eachElement(dec, each) }))))
	}
	if utf8.Valid(data) {
		// An escaped lone UTF-16 surrogate ("\ud800") reads as U+FFFD, as
		// encoding/json reads it. Invalid bytes are still refused: the
		// strict reader then says where.
		opts = jsonv2.JoinOptions(opts, jsontext.AllowInvalidUTF8(true))
	}
	if err := jsonv2.Unmarshal(data, st, opts); err != nil {
		// A newer file is "too new", not "corrupt", even when this
		// build cannot parse the rest of it.
		if v, ok := versionOf(data); ok && v > CurrentVersion {
			return tooNew(path, v)
		}
		return fileErr(path, ErrCorrupt, "%s", describe(err))
	}
	switch {
	case st.Version > CurrentVersion:
		return tooNew(path, st.Version)
	case st.Version == 0:
		return fileErr(path, ErrCorrupt, "no version field")
	case st.Version < 0:
		return fileErr(path, ErrCorrupt, "format version %d is not valid", st.Version)
	}
	return nil
}

// eachElement reads an array, or null, handing each element to each.
func eachElement(dec *jsontext.Decoder, each func(*jsontext.Decoder) error) error {
	if dec.PeekKind() != '[' {
		return errors.ErrUnsupported // null, or the usual type error
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	for dec.PeekKind() != ']' {
		if err := each(dec); err != nil {
			return err
		}
	}
	_, err := dec.ReadToken()
	return err
}

func tooNew(path string, v int) error {
	return fileErr(path, ErrTooNew, "format version %d, this build knows up to %d; upgrade skyswitch", v, CurrentVersion)
}

// versionOf reads only the version member of a document, leniently: it
// stops there, so it works when the rest cannot be parsed.
func versionOf(data []byte) (int, bool) {
	dec := jsontext.NewDecoder(bytes.NewBuffer(data),
		jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return 0, false
	}
	for dec.PeekKind() == '"' {
		name, err := dec.ReadToken()
		if err != nil {
			return 0, false
		}
		if !strings.EqualFold(name.String(), "version") {
			if dec.SkipValue() != nil {
				return 0, false
			}
			continue
		}
		v, err := dec.ReadValue()
		if err != nil || v.Kind() != '0' {
			return 0, false
		}
		n, err := strconv.Atoi(string(v))
		return n, err == nil
	}
	return 0, false
}

// keyringCheck checks what the struct tags cannot say about the accounts'
// keyring fields: each names a known store, and the document's version
// can hold the fields used.
type keyringCheck struct {
	n    int  // accounts seen
	kept bool // one of them keeps its tokens in the keyring (or did)
	bad  int  // the first naming an unknown store, +1; 0 for none
}

func (c *keyringCheck) add(a *Account) {
	c.n++
	c.kept = c.kept || a.Secrets == SecretsKeyring || a.SecretsTag != ""
	if a.Secrets != "" && a.Secrets != SecretsKeyring && c.bad == 0 {
		c.bad = c.n
	}
}

func (c *keyringCheck) err(s *State) error {
	if c.bad > 0 {
		return fmt.Errorf("accounts[%d].secrets: unknown secrets store", c.bad-1)
	}
	return s.checkSecrets(c.kept)
}

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
// plain word, not the start of a token.
func nameLike(s string) bool {
	if len(s) == 0 || len(s) > 32 || strings.HasPrefix(s, "eyJ") {
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

// encode validates s and renders the document as written to disk, reusing
// buf: indented JSON in the order of the struct tags, exactly as older
// builds wrote it; a DID document is kept as it was received.
func encode(s *State, buf []byte) ([]byte, error) {
	if err := s.validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidState, err)
	}
	if cap(buf) == 0 {
		buf = make([]byte, 0, 1024+2048*(len(s.Accounts)+len(s.PendingLogouts)))
	}
	w := docWriter{}
	out := bytes.NewBuffer(buf[:0])
	enc := jsontext.NewEncoder(out, writeOptions)
	err := jsonv2.MarshalEncode(enc, tokenless(s), writeOptions, jsonv2.WithMarshalers(jsonv2.MarshalToFunc(w.raw)))
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalidState, describeWrite(err))
	}
	return w.splice(w.legacyEscapes(out.Bytes())), nil // the encoder ends it with a newline
}

// tokenless is s, with the tokens of accounts kept in the keyring left
// out: they are written empty.
func tokenless(s *State) *State {
	c := *s
	copied := false
	for i := range c.Accounts {
		if c.Accounts[i].Secrets != SecretsKeyring {
			continue
		}
		if !copied {
			c.Accounts, copied = append([]Account(nil), s.Accounts...), true
		}
		c.Accounts[i].AccessJwt, c.Accounts[i].RefreshJwt = "", ""
	}
	return &c
}

// docWriter keeps DID documents as received. JSON v2 would re-indent them,
// so each is written as a one-byte stand-in, 0, whose place is noted, and
// spliced in afterwards.
type docWriter struct {
	docs []placedDoc
}

type placedDoc struct {
	at  int64 // offset of the stand-in
	doc json.RawMessage
}

func (w *docWriter) raw(enc *jsontext.Encoder, doc json.RawMessage) error {
	if len(doc) == 0 {
		return enc.WriteToken(jsontext.Null) // left out by omitempty
	}
	if !jsontext.Value(doc).IsValid(docOptions) || tooDeep(doc) {
		return errBadDoc
	}
	if err := enc.WriteToken(jsontext.Int(0)); err != nil {
		return err
	}
	w.docs = append(w.docs, placedDoc{enc.OutputOffset() - 1, doc})
	return nil
}

// splice replaces, in place, each stand-in in out by its document.
func (w *docWriter) splice(out []byte) []byte {
	n := len(out)
	for _, d := range w.docs {
		n += len(d.doc) - 1
	}
	src := int64(len(out))
	out = slices.Grow(out, n-len(out))[:n]
	end := int64(n)
	for i := len(w.docs) - 1; i >= 0; i-- { // from the end: all moves are forward
		d := w.docs[i]
		end -= int64(copy(out[end-(src-d.at-1):end], out[d.at+1:src]))
		end -= int64(copy(out[end-int64(len(d.doc)):end], d.doc))
		src = d.at
	}
	return out
}

// legacyEscapes rewrites JSON v2's \b and \f escapes as the hand codec
// wrote them, \u0008 and \u000c, so that such strings are written back
// byte for byte, and moves the stand-ins to match. Every backslash in out
// starts an escape in a string: the DID documents are not in yet.
func (w *docWriter) legacyEscapes(out []byte) []byte {
	var fixed []byte // nil while there is nothing to rewrite
	last, shift, d := 0, int64(0), 0
	for i := 0; i < len(out); {
		j := bytes.IndexByte(out[i:], '\\')
		if j < 0 {
			break
		}
		i += j
		esc := out[i+1]
		if esc != 'b' && esc != 'f' {
			i += 2
			continue
		}
		for ; d < len(w.docs) && w.docs[d].at < int64(i); d++ {
			w.docs[d].at += shift
		}
		fixed = append(fixed, out[last:i]...)
		if esc == 'b' {
			fixed = append(fixed, `\u0008`...)
		} else {
			fixed = append(fixed, `\u000c`...)
		}
		i += 2
		last, shift = i, shift+4
	}
	if fixed == nil {
		return out
	}
	for ; d < len(w.docs); d++ {
		w.docs[d].at += shift
	}
	return append(fixed, out[last:]...)
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
