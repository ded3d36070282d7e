package storage

// Writing the accounts document (see codec.go for reading it).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// writeOptions give the layout older builds wrote: two-space indentation,
// a space after each colon.
var writeOptions = jsonv2.JoinOptions(
	jsontext.Multiline(true),
	jsontext.WithIndent("  "),
	jsontext.AllowInvalidUTF8(true),
)

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

// tokenless is s, with the secrets of accounts kept in the keyring (the
// tokens, an OAuth session's DPoP key) left out: they are written empty.
// s is not changed.
func tokenless(s *State) *State {
	c := *s
	copied := false
	for i := range c.Accounts {
		a := &c.Accounts[i]
		if a.Secrets != SecretsKeyring {
			continue
		}
		if !copied {
			c.Accounts, copied = append([]Account(nil), s.Accounts...), true
			a = &c.Accounts[i]
		}
		a.AccessJwt, a.RefreshJwt = "", ""
		if a.OAuth != nil {
			o := *a.OAuth
			o.DPoPKey = ""
			a.OAuth = &o
		}
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
