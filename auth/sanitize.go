package auth

import (
	"encoding/json"
	"strings"
	"unicode"

	"github.com/skyswitch/skyswitch/internal/sanitize"
)

// word keeps only ASCII letters, digits and underscores: XRPC error names
// (and an OAuth resource server's, such as invalid_token) and account
// statuses are identifiers, anything else in them is noise or an attack.
func word(s string, n int) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_') && b.Len() < n {
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
const withheld = "(message withheld: it quoted a credential)"

// quoteLen is the length of a credential's piece that counts as a quote.
const quoteLen = 16

// credentials are the secrets in flight for one call: the bearer token, the
// password and sign-in code of its body, and for a session's calls the
// session's other token. Each is kept folded (sanitize.Fold).
type credentials []string

// requestCredentials lists what a request carries (bearer, and the password
// and authFactorToken fields of a JSON body) and what else is named.
func requestCredentials(bearer string, body []byte, more ...string) credentials {
	all := append([]string{bearer}, more...)
	var fields struct{ Password, AuthFactorToken string }
	if len(body) > 0 && json.Unmarshal(body, &fields) == nil {
		all = append(all, fields.Password, fields.AuthFactorToken)
	}
	var cs credentials
	for _, c := range all {
		if f := sanitize.Fold(c); f != "" {
			cs = append(cs, f)
		}
	}
	return cs
}

// quotedIn reports whether text holds any quoteLen-byte piece of a
// credential (the whole of a shorter one). Both sides are compared folded,
// so a credential split by zero-width characters or spaces is still found.
func (cs credentials) quotedIn(text string) bool {
	if len(cs) == 0 || text == "" {
		return false
	}
	text = sanitize.Fold(text)
	if len(text) > longText {
		return cs.quotedInLong(text)
	}
	for _, c := range cs {
		n := min(len(c), quoteLen)
		for i := 0; i+n <= len(c); i++ {
			if strings.Contains(text, c[i:i+n]) {
				return true
			}
		}
	}
	return false
}

// longText is the length from which quotedIn looks each of the text's
// pieces up, rather than searching the text for each of the credentials'
// pieces: a DID document a server sent may be a megabyte.
const longText = 4 << 10

// quotedInLong is quotedIn for a long, folded text: one pass over it.
func (cs credentials) quotedInLong(text string) bool {
	pieces := map[string]bool{}
	starts := make([]bool, 1<<16) // the first two bytes of some piece
	for _, c := range cs {
		if len(c) < quoteLen {
			if strings.Contains(text, c) {
				return true
			}
			continue
		}
		for i := 0; i+quoteLen <= len(c); i++ {
			pieces[c[i:i+quoteLen]] = true
			starts[int(c[i])<<8|int(c[i+1])] = true
		}
	}
	for i := 0; i+quoteLen <= len(text); i++ {
		if starts[int(text[i])<<8|int(text[i+1])] && pieces[text[i:i+quoteLen]] {
			return true
		}
	}
	return false
}

// withheldError is an error whose text quoted a credential in flight. It
// says so in its place; errors.Is and errors.As still see the original.
type withheldError struct {
	Method string // NSID of the call
	Err    error  // the original; its text must not be shown
}

func (e *withheldError) Error() string { return e.Method + ": " + withheld }

// Unwrap gives the original error, for errors.Is and errors.As only.
func (e *withheldError) Unwrap() error { return e.Err }

// withholdCredentials is the last check on every error a call returns: one
// whose text quotes a credential in flight is replaced by a withheldError.
// A server or proxy echoing the request must not make skyswitch print a
// credential, or save it as a session's last error.
func withholdCredentials(nsid string, err error, cs credentials) error {
	if err == nil || !cs.quotedIn(err.Error()) {
		return err
	}
	return &withheldError{Method: nsid, Err: err}
}
