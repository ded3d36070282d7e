package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// The accounts document is read (this file) and written (codecwrite.go) by
// JSON v2 (github.com/go-json-experiment/json, which becomes
// encoding/json/v2): the struct tags of State, Account, PendingLogout and
// auth.SessionData are the one place that names a field; what goes wrong is
// said in codecerrors.go. Switching to the standard library's
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

// readOptionsFor are readOptions for the document, or part of one, in
// data: when its bytes are valid UTF-8, an escaped lone UTF-16 surrogate
// ("\ud800") reads as U+FFFD, as encoding/json reads it. Invalid bytes are
// still refused, and the strict reader then says where.
func readOptionsFor(data []byte) jsonv2.Options {
	if utf8.Valid(data) {
		return jsonv2.JoinOptions(readOptions, jsontext.AllowInvalidUTF8(true))
	}
	return readOptions
}

// docOptions are those of a DID document: the server's, kept as received,
// so a name twice in it is not ours to refuse. They drop the unmarshalers
// of the document around it: under encoding/json/v2, json.RawMessage is
// jsontext.Value, so rawReader would read the copy by calling itself.
var docOptions = jsonv2.JoinOptions(jsontext.AllowDuplicateNames(true), jsonv2.WithUnmarshalers(nil))

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
	var keyring fieldCheck
	for i := range st.Accounts {
		keyring.add(&st.Accounts[i])
	}
	if err := keyring.err(st); err != nil {
		return nil, fileErr(path, ErrCorrupt, "%v", err)
	}
	if err := st.validateSessions(false); err != nil {
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
	opts := readOptionsFor(data)
	if each != nil {
		opts = jsonv2.JoinOptions(opts, jsonv2.WithUnmarshalers(jsonv2.JoinUnmarshalers(rawReader,
			jsonv2.UnmarshalFromFunc(func(dec *jsontext.Decoder, _ *[]Account) error { return eachElement(dec, each) }))))
	}
	if err := jsonv2.Unmarshal(data, st, opts); err != nil {
		// A newer file is "too new", not "corrupt", even when this
		// build cannot parse the rest of it.
		if v, ok := versionOf(data); ok && v > knownVersion {
			return tooNew(path, v)
		}
		return fileErr(path, ErrCorrupt, "%s", describe(err))
	}
	switch {
	case st.Version > knownVersion:
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
	return fileErr(path, ErrTooNew, "format version %d, this build knows up to %d; upgrade skyswitch", v, knownVersion)
}

// knownVersion is the newest format version the reader accepts:
// CurrentVersion, lowered only by a test playing an older build.
var knownVersion = CurrentVersion

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

// fieldCheck checks what the struct tags cannot say about the accounts'
// keyring, handle-check and OAuth fields: each names a known value, and
// the document's version can hold the fields used.
type fieldCheck struct {
	n       int  // accounts seen
	kept    bool // one of them keeps its tokens in the keyring (or did)
	bad     int  // the first naming an unknown store, +1; 0 for none
	checked bool // one of them holds a HandleCheck
	badHC   int  // the first whose HandleCheck is malformed, +1; 0 for none
	oauth   bool // one of them holds an OAuth session
	badOA   int  // the first whose OAuth session is malformed, +1; 0 for none
	oaErr   error
}

func (c *fieldCheck) add(a *Account) {
	c.n++
	c.kept = c.kept || a.Secrets == SecretsKeyring || a.SecretsTag != ""
	if a.Secrets != "" && a.Secrets != SecretsKeyring && c.bad == 0 {
		c.bad = c.n
	}
	if a.HandleCheck != (HandleCheck{}) {
		c.checked = true
		if !a.HandleCheck.valid() && c.badHC == 0 {
			c.badHC = c.n
		}
	}
	if a.OAuth != nil {
		c.oauth = true
		if err := checkOAuth(a.OAuth, a.RefreshJwt != ""); err != nil && c.badOA == 0 {
			c.badOA, c.oaErr = c.n, err
		}
	}
}

func (c *fieldCheck) err(s *State) error {
	switch {
	case c.bad > 0:
		return fmt.Errorf("accounts[%d].secrets: unknown secrets store", c.bad-1)
	case c.badHC > 0:
		return fmt.Errorf("accounts[%d].handleCheck: %s", c.badHC-1, errHandleCheck)
	case c.checked && s.Version < 3:
		return fmt.Errorf("format version %d cannot hold handleCheck", s.Version)
	case c.badOA > 0:
		return fmt.Errorf("accounts[%d].%v", c.badOA-1, c.oaErr)
	case c.oauth:
		if err := checkOAuthVersion(s.Version); err != nil {
			return err
		}
	}
	return s.checkSecrets(c.kept)
}
