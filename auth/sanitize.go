package auth

import (
	"encoding/json"
	"errors"
	"strings"
	"unicode"
)

// printable drops control characters (C0, DEL, C1: ESC starts terminal
// escape sequences) and invalid UTF-8 from text a server sent, so it can be
// shown on a terminal harmlessly, and cuts it to n bytes.
func printable(s string, n int) string {
	clean := strings.Map(func(r rune) rune {
		if r == unicode.ReplacementChar || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' ||
			unicode.Is(unicode.Bidi_Control, r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	return clip(clean, n)
}

// word keeps only ASCII letters and digits: XRPC error names and account
// statuses are identifiers, anything else in them is noise or an attack.
func word(s string, n int) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) && b.Len() < n {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// handleOrInvalid is a handle the server sent, or "handle.invalid" (what
// Bluesky itself shows) when it breaks the syntax.
func handleOrInvalid(h string) string {
	h = strings.ToLower(h)
	if ValidHandle(h) {
		return h
	}
	return "handle.invalid"
}

// withheld replaces a server's error message that quoted a credential.
const withheld = "(message withheld: it quoted a credential sent with the request)"

// quoteLen is the length of a credential's piece that counts as a quote.
const quoteLen = 16

// withholdCredentials drops from an XRPC error the message (and the name)
// when it quotes a credential the request carried: its bearer token, or the
// password or sign-in code in its body, whole or any quoteLen-byte piece.
// A server or proxy echoing the request must not make skyswitch print
// those, or save them as a session's last error.
func withholdCredentials(err error, bearer string, body []byte) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	creds := []string{bearer}
	var fields struct{ Password, AuthFactorToken string }
	if json.Unmarshal(body, &fields) == nil {
		creds = append(creds, fields.Password, fields.AuthFactorToken)
	}
	if quotesAny(e.Message, creds) {
		e.Message = withheld
	}
	if quotesAny(e.Name, creds) {
		e.Name = ""
	}
	return err
}

// quotesAny reports whether text holds any quoteLen-byte piece of a
// credential (the whole of a shorter one).
func quotesAny(text string, creds []string) bool {
	for _, c := range creds {
		n := min(len(c), quoteLen)
		for i := 0; n > 0 && i+n <= len(c); i++ {
			if strings.Contains(text, c[i:i+n]) {
				return true
			}
		}
	}
	return false
}
