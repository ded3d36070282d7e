package storage

import (
	"errors"
	"time"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/skyswitch/skyswitch/auth"
)

// errNotPlain: scanAccount met what it leaves to checkOnly's reading,
// which then reads the whole document again and judges it.
var errNotPlain = errors.New("not a plain account")

// scanAccount reads the account at dec into a as reading it with
// checkOnly(a) does, keeping the same fields, but by hand instead of by
// reflection: `skyswitch token` reads every account of the file for one.
// It reads only what skyswitch writes: every member known and named
// without escapes, each of the kind written (no null), times in the plain
// shape of RFC 3339 (plainTime). For anything else it returns errNotPlain,
// or the decoder's error; what it accepts, checkOnly's reading accepts
// too, into the same fields (TestScanAccountAgrees).
func scanAccount(dec *jsontext.Decoder, a *Account) error {
	return scanObject(dec, func(name []byte) error {
		switch string(name) {
		case `"did"`:
			return keepString(dec, &a.DID)
		case `"handle"`:
			return keepString(dec, &a.Handle)
		case `"secrets"`:
			return keepString(dec, &a.Secrets)
		case `"secretsTag"`:
			return keepString(dec, &a.SecretsTag)
		case `"refreshJwt"`:
			return noteString(dec, &a.RefreshJwt)
		case `"accessJwt"`, `"email"`, `"status"`, `"service"`, `"pdsUrl"`, `"lastRefreshError"`:
			return plainString(dec)
		case `"emailConfirmed"`:
			return readBool(dec, &a.EmailConfirmed)
		case `"emailAuthFactor"`:
			return readBool(dec, &a.EmailAuthFactor)
		case `"active"`:
			return readBool(dec, &a.Active)
		case `"sessionEnded"`:
			return readBool(dec, &a.SessionEnded)
		case `"addedAt"`:
			return readTime(dec, &a.AddedAt)
		case `"lastUsedAt"`:
			return readTime(dec, &a.LastUsedAt)
		case `"lastRefreshErrorAt"`:
			return readTime(dec, &a.LastRefreshErrorAt)
		case `"refreshedAt"`:
			return readTime(dec, &a.RefreshedAt)
		case `"didDoc"`:
			return plainDoc(dec)
		case `"handleCheck"`:
			return scanHandleCheck(dec, &a.HandleCheck)
		case `"oauth"`:
			a.OAuth = new(auth.OAuthData)
			return scanOAuth(dec, a.OAuth)
		}
		return errNotPlain
	})
}

func scanHandleCheck(dec *jsontext.Decoder, c *HandleCheck) error {
	return scanObject(dec, func(name []byte) error {
		switch string(name) {
		case `"handle"`:
			return keepString(dec, &c.Handle)
		case `"status"`:
			return keepString(dec, &c.Status)
		case `"names"`:
			return keepString(dec, &c.Names)
		case `"at"`:
			return readTime(dec, &c.At)
		}
		return errNotPlain
	})
}

func scanOAuth(dec *jsontext.Decoder, o *auth.OAuthData) error {
	return scanObject(dec, func(name []byte) error {
		switch string(name) {
		case `"clientId"`:
			return keepString(dec, &o.ClientID)
		case `"issuer"`:
			return keepString(dec, &o.Issuer)
		case `"tokenEndpoint"`:
			return keepString(dec, &o.TokenEndpoint)
		case `"revocationEndpoint"`:
			return keepString(dec, &o.RevocationEndpoint)
		case `"dpopKey"`:
			return keepString(dec, &o.DPoPKey)
		case `"scope"`:
			return keepString(dec, &o.Scope)
		case `"authServerNonce"`:
			return keepString(dec, &o.AuthServerNonce)
		case `"pdsNonce"`:
			return keepString(dec, &o.PDSNonce)
		case `"accessExpiresAt"`:
			return readTime(dec, &o.AccessExpiresAt)
		case `"sessionEndsAt"`:
			return readTime(dec, &o.SessionEndsAt)
		}
		return errNotPlain
	})
}

// scanObject reads an object, calling member with each name as written
// (quoted) to read its value. The decoder refuses a name twice.
func scanObject(dec *jsontext.Decoder, member func(name []byte) error) error {
	if dec.PeekKind() != '{' {
		return errNotPlain
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	for dec.PeekKind() == '"' {
		name, err := dec.ReadValue()
		if err != nil {
			return err
		}
		if err := member(name); err != nil {
			return err
		}
	}
	tok, err := dec.ReadToken()
	if err == nil && tok.Kind() != '}' {
		err = errNotPlain
	}
	return err
}

// plainString reads a string without keeping it.
func plainString(dec *jsontext.Decoder) error {
	if dec.PeekKind() != '"' {
		return errNotPlain
	}
	_, err := dec.ReadValue()
	return err
}

// noteString is plainString that sets *s to "-" when the string is not
// empty (skipStringNoting).
func noteString(dec *jsontext.Decoder, s *string) error {
	if dec.PeekKind() != '"' {
		return errNotPlain
	}
	v, err := dec.ReadValue()
	if err == nil && len(v) > 2 {
		*s = "-"
	}
	return err
}

// keepString reads a string into *s, unescaped as the usual reading does.
func keepString(dec *jsontext.Decoder, s *string) error {
	if dec.PeekKind() != '"' {
		return errNotPlain
	}
	tok, err := dec.ReadToken()
	if err == nil {
		*s = tok.String()
	}
	return err
}

// readBool reads true or false into *b.
func readBool(dec *jsontext.Decoder, b *bool) error {
	k := dec.PeekKind()
	if k != 't' && k != 'f' {
		return errNotPlain
	}
	*b = k == 't'
	_, err := dec.ReadToken()
	return err
}

// plainDoc reads a DID document, not null, without keeping it, and leaves
// one nested too deeply to the usual reading, which refuses it.
func plainDoc(dec *jsontext.Decoder) error {
	if dec.PeekKind() == 'n' {
		return errNotPlain
	}
	v, err := dec.ReadValue()
	if err == nil && tooDeep(v) {
		err = errNotPlain
	}
	return err
}

// readTime reads a time written in plainTime's shape into *t.
func readTime(dec *jsontext.Decoder, t *time.Time) error {
	if dec.PeekKind() != '"' {
		return errNotPlain
	}
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	b := v[1 : len(v)-1]
	if !plainTime(b) || t.UnmarshalText(b) != nil {
		return errNotPlain
	}
	return nil
}

// plainTime tells whether b has the shape in which Go writes an RFC 3339
// time, 2006-01-02T15:04:05, then an optional fraction of a second after
// a period, then Z or an offset ±hh:mm with hh below 24 and mm below 60:
// a narrower shape than JSON v2 reads (time.Time.UnmarshalText, then its
// checks that the hour has two digits, the fraction a period, the offset
// hours and minutes their ranges), so that what passes it and
// UnmarshalText, JSON v2 reads.
func plainTime(b []byte) bool {
	const date = "dddd-dd-ddTdd:dd:dd"
	if len(b) < len(date)+1 || !shaped(b[:len(date)], date) {
		return false
	}
	rest := b[len(date):]
	if rest[0] == '.' {
		n := 1
		for n < len(rest) && '0' <= rest[n] && rest[n] <= '9' {
			n++
		}
		if n == 1 || n > 10 {
			return false
		}
		rest = rest[n:]
	}
	switch {
	case len(rest) == 1:
		return rest[0] == 'Z'
	case len(rest) == len("+07:00"):
		return (rest[0] == '+' || rest[0] == '-') && shaped(rest[1:], "dd:dd") &&
			parseDec2(rest[1:]) < 24 && parseDec2(rest[4:]) < 60
	}
	return false
}

// shaped tells whether b matches shape, where d is any decimal digit and
// every other byte stands for itself.
func shaped(b []byte, shape string) bool {
	if len(b) != len(shape) {
		return false
	}
	for i := range len(shape) {
		if shape[i] == 'd' && !('0' <= b[i] && b[i] <= '9') || shape[i] != 'd' && b[i] != shape[i] {
			return false
		}
	}
	return true
}

// parseDec2 is the number written by the two digits that begin b.
func parseDec2(b []byte) int { return int(b[0]-'0')*10 + int(b[1]-'0') }
