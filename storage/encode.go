package storage

import (
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/skyswitch/skyswitch/auth"
)

// encode validates s and renders the document as written to disk, reusing
// buf: indented JSON that encoding/json reads back to an equal State (field
// order and omitempty as in the struct tags; a DID document is kept as it
// was received). It is hand-written for speed, like reader.
func encode(s *State, buf []byte) ([]byte, error) {
	if err := s.validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidState, err)
	}
	if cap(buf) == 0 {
		buf = make([]byte, 0, 1024+2048*(len(s.Accounts)+len(s.PendingLogouts)))
	}
	e := &encoder{b: buf[:0]}
	e.open('{')
	e.key(`"version": `)
	e.b = strconv.AppendInt(e.b, int64(s.Version), 10)
	e.str(`"active": `, s.Active)
	e.str(`"previous": `, s.Previous)
	e.key(`"accounts": `)
	e.open('[')
	e.list = "accounts"
	for i := range s.Accounts {
		e.idx = i
		e.elem()
		e.account(&s.Accounts[i])
	}
	e.close(']')
	e.key(`"pendingLogouts": `)
	e.open('[')
	e.list = "pendingLogouts"
	for i := range s.PendingLogouts {
		e.idx = i
		e.elem()
		e.pending(&s.PendingLogouts[i])
	}
	e.close(']')
	e.optStr(`"secrets": `, s.Secrets)
	e.optStr(`"keyringId": `, s.KeyringID)
	e.close('}')
	if e.err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidState, e.err)
	}
	return append(e.b, '\n'), nil
}

// encoder appends indented JSON. first tracks, per open level, whether it
// has no member yet; list and idx name the element being written, for
// errors.
type encoder struct {
	b     []byte
	depth int
	first []bool
	list  string
	idx   int
	err   error
}

func (e *encoder) fail(format string, args ...any) {
	if e.err == nil {
		e.err = fmt.Errorf("%s[%d]: %s", e.list, e.idx, fmt.Sprintf(format, args...))
	}
}

func (e *encoder) newline() {
	e.b = append(e.b, '\n')
	for range e.depth {
		e.b = append(e.b, ' ', ' ')
	}
}

func (e *encoder) open(c byte) {
	e.b = append(e.b, c)
	e.depth++
	e.first = append(e.first, true)
}

func (e *encoder) close(c byte) {
	e.depth--
	empty := e.first[len(e.first)-1]
	e.first = e.first[:len(e.first)-1]
	if !empty {
		e.newline()
	}
	e.b = append(e.b, c)
}

// elem starts a member: a comma unless it is the first, then a new line.
func (e *encoder) elem() {
	if !e.first[len(e.first)-1] {
		e.b = append(e.b, ',')
	}
	e.first[len(e.first)-1] = false
	e.newline()
}

// key starts a member with its quoted key and colon (k is written as is).
func (e *encoder) key(k string) {
	e.elem()
	e.b = append(e.b, k...)
}

func (e *encoder) str(k, v string) {
	e.key(k)
	e.b = appendString(e.b, v)
}

func (e *encoder) optStr(k, v string) {
	if v != "" {
		e.str(k, v)
	}
}

func (e *encoder) boolean(k string, v bool) {
	e.key(k)
	e.b = strconv.AppendBool(e.b, v)
}

func (e *encoder) time(k string, t time.Time) {
	if t.IsZero() {
		return
	}
	e.key(k)
	v, err := t.MarshalJSON()
	if err != nil {
		e.fail("%s: %v", k[1:len(k)-3], err)
	}
	e.b = append(e.b, v...)
}

// account writes a; the tokens of an account whose secrets are in the
// keyring are written empty.
func (e *encoder) account(a *Account) {
	e.open('{')
	d := &a.SessionData
	if a.Secrets == SecretsKeyring {
		tokenless := a.SessionData
		tokenless.AccessJwt, tokenless.RefreshJwt = "", ""
		d = &tokenless
	}
	e.session(d)
	e.time(`"addedAt": `, a.AddedAt)
	e.time(`"lastUsedAt": `, a.LastUsedAt)
	e.optStr(`"lastRefreshError": `, a.LastRefreshError)
	e.time(`"lastRefreshErrorAt": `, a.LastRefreshErrorAt)
	if a.SessionEnded {
		e.boolean(`"sessionEnded": `, true)
	}
	e.optStr(`"secrets": `, a.Secrets)
	e.optStr(`"secretsTag": `, a.SecretsTag)
	e.close('}')
}

func (e *encoder) pending(p *PendingLogout) {
	e.open('{')
	e.key(`"session": `)
	e.open('{')
	e.session(&p.Session)
	e.close('}')
	e.time(`"queuedAt": `, p.QueuedAt)
	e.key(`"attempts": `)
	e.b = strconv.AppendInt(e.b, int64(p.Attempts), 10)
	e.optStr(`"lastError": `, p.LastError)
	e.time(`"lastAttemptAt": `, p.LastAttemptAt)
	e.close('}')
}

// session writes the members of auth.SessionData, in the order and with
// the omissions of its JSON tags.
func (e *encoder) session(d *auth.SessionData) {
	e.str(`"accessJwt": `, d.AccessJwt)
	e.str(`"refreshJwt": `, d.RefreshJwt)
	e.str(`"did": `, d.DID)
	e.str(`"handle": `, d.Handle)
	e.optStr(`"email": `, d.Email)
	if d.EmailConfirmed {
		e.boolean(`"emailConfirmed": `, true)
	}
	if d.EmailAuthFactor {
		e.boolean(`"emailAuthFactor": `, true)
	}
	e.boolean(`"active": `, d.Active)
	e.optStr(`"status": `, d.Status)
	if len(d.DIDDoc) > 0 {
		r := &reader{data: d.DIDDoc}
		v := r.skip(0)
		if r.err == nil && r.peek() != 0 {
			r.fail("data after the value")
		}
		if r.err != nil {
			e.fail("didDoc is not valid JSON: %v", r.err)
		}
		e.key(`"didDoc": `)
		e.b = append(e.b, v...)
	}
	e.str(`"service": `, d.Service)
	e.str(`"pdsUrl": `, d.PDSURL)
	e.time(`"refreshedAt": `, d.RefreshedAt)
}

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD,
// as with encoding/json.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		for i+8 <= len(s) && plainWord(load64(s[i:])) {
			i += 8
		}
		for i < len(s) && plain[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// load64 reads 8 bytes of s, little-endian (the compiler makes it one load).
func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}
