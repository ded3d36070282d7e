package auth

import (
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/skyswitch/skyswitch/internal/sanitize"
)

// BodyWithheld stands in a 2xx answer's body wherever it repeated a
// credential sent with the request. It is valid inside a JSON string.
const BodyWithheld = "(withheld: a credential sent with the request)"

// withholdBody is a 2xx answer's body with every repeat of a credential of
// the request (cs) replaced by BodyWithheld, the rule a header that quotes
// one follows (`api -i`), applied to bodies as they stream: a server or a
// debugging proxy echoing the bearer token must not make `skyswitch api`
// print it, or save it with --output.
//
// A repeat is the credential whole, or any run of at least quoteLen bytes
// of its secret part: a JWT's signature (its header and claims alone are
// no credential, and the same claims legitimately appear in other tokens
// of the account, such as a new session's), or all of an opaque token.
// Both are found as written and in the forms JSON allows for the same
// text (\u0065 for e, \/ for /), with what sanitize.Fold removes
// (invisible characters, spaces) ignored in between, as in error messages.
// Other encodings (base64 of the token, say) are not recognised: this
// guards against echoes, not against a server that means to leak.
func withholdBody(body io.ReadCloser, cs credentials) io.ReadCloser {
	w := &withholder{r: body, windows: map[string]bool{}, starts: make([]bool, 1<<16)}
	for _, c := range cs {
		w.whole = append(w.whole, c)
		w.hold = max(w.hold, len(c))
		secret := c
		if i := strings.LastIndexByte(c, '.'); strings.Count(c, ".") == 2 && len(c)-i-1 >= quoteLen {
			secret = c[i+1:]
		}
		for i := 0; i+quoteLen <= len(secret); i++ {
			w.windows[secret[i:i+quoteLen]] = true
			w.starts[int(secret[i])<<8|int(secret[i+1])] = true
			w.hold = max(w.hold, quoteLen)
		}
	}
	if len(w.whole) == 0 {
		return body
	}
	return w
}

// withholder reads the body in units: a byte, or a JSON escape or rune
// standing for one byte of text (0 when it stands for none a credential
// holds). What Fold would remove is no unit: it lies between two, and is
// withheld only between two withheld units. A unit is decided (passed on,
// or withheld) once every match that could start at it has been seen, so
// the last hold-1 units wait for more of the body.
type withholder struct {
	r       io.ReadCloser
	whole   []string        // credentials, matched whole
	windows map[string]bool // quoteLen-byte pieces of their secret parts
	starts  []bool          // [a<<8|b]: some piece starts with the bytes a, b
	hold    int             // the longest match

	raw     []byte // bytes read and not yet passed on
	text    []byte // the units' text, one byte each
	start   []int  // where each unit begins in raw
	end     []int  // and where it ends
	parsed  int    // raw is cut into units up to here
	covered int    // units before this are withheld
	inRun   bool   // the last unit decided was withheld
	out     []byte // ready for Read, from off on
	off     int
	chunk   []byte
	err     error // the body's end (io.EOF) or failure, once reached
}

func (w *withholder) Read(p []byte) (int, error) {
	for w.off == len(w.out) {
		if w.err != nil {
			return 0, w.err
		}
		w.out, w.off = w.out[:0], 0
		w.fill()
	}
	n := copy(p, w.out[w.off:])
	w.off += n
	return n, nil
}

// Close closes the body.
func (w *withholder) Close() error { return w.r.Close() }

// fill reads once more and passes on what can be decided.
func (w *withholder) fill() {
	if w.chunk == nil {
		w.chunk = make([]byte, 32<<10)
	}
	n, err := w.r.Read(w.chunk)
	w.raw = append(w.raw, w.chunk[:n]...)
	w.parse(err != nil)
	w.decide(err != nil)
	if err != nil {
		w.out = append(w.out, w.raw...) // what follows the last unit
		w.raw = w.raw[:0]
		w.err = err
	}
}

// parse cuts raw into units up to its end (at the body's end: all of it).
func (w *withholder) parse(end bool) {
	for w.parsed < len(w.raw) {
		if c := w.raw[w.parsed]; c > ' ' && c < utf8.RuneSelf-1 && c != '\\' {
			// The usual unit: a visible ASCII byte, standing for itself.
			w.text = append(w.text, c)
			w.start = append(w.start, w.parsed)
			w.parsed++
			w.end = append(w.end, w.parsed)
			continue
		}
		c, n, skip := unit(w.raw[w.parsed:], end)
		if n == 0 {
			break // cut off: wait for the rest
		}
		if !skip {
			w.text = append(w.text, c)
			w.start = append(w.start, w.parsed)
			w.end = append(w.end, w.parsed+n)
		}
		w.parsed += n
	}
}

// decide passes on, or withholds, every unit that no later bytes can
// change, with what lies before each, and drops them from the buffers.
func (w *withholder) decide(end bool) {
	n := len(w.text)
	if !end {
		n -= w.hold - 1
	}
	if n <= 0 {
		return
	}
	from := 0 // raw from here up to the unit at hand is passed on as it is
	for i := range n {
		w.match(i)
		if i < w.covered {
			if !w.inRun {
				w.out = append(w.out, w.raw[from:w.start[i]]...)
				w.out = append(w.out, BodyWithheld...)
			}
			from = w.end[i]
			w.inRun = true
			continue
		}
		w.inRun = false
	}
	if !w.inRun {
		w.out = append(w.out, w.raw[from:w.end[n-1]]...)
	}
	cut := w.end[n-1]
	w.raw = w.raw[:copy(w.raw, w.raw[cut:])]
	w.parsed -= cut
	w.text = w.text[:copy(w.text, w.text[n:])]
	w.start = w.start[:copy(w.start, w.start[n:])]
	w.end = w.end[:copy(w.end, w.end[n:])]
	for i := range w.start {
		w.start[i] -= cut
		w.end[i] -= cut
	}
	w.covered = max(w.covered-n, 0)
}

// match extends the withheld units over every repeat that starts at unit i.
func (w *withholder) match(i int) {
	t := w.text[i:]
	for _, c := range w.whole {
		if len(t) >= len(c) && t[0] == c[0] && (len(c) == 1 || t[1] == c[1]) && string(t[:len(c)]) == c {
			w.covered = max(w.covered, i+len(c))
		}
	}
	// Two bytes rule out nearly every place before the map is asked.
	if len(t) >= quoteLen && w.starts[int(t[0])<<8|int(t[1])] && w.windows[string(t[:quoteLen])] {
		w.covered = max(w.covered, i+quoteLen)
	}
}

// unit reads one unit from the start of b: its text byte, its length in b
// (0: b ends before the unit does, and more may come), and whether Fold
// would remove what it stands for.
func unit(b []byte, end bool) (text byte, n int, skip bool) {
	c := b[0]
	switch {
	case c == '\\':
		return escapeUnit(b, end)
	case c < utf8.RuneSelf:
		return c, 1, folded(rune(c))
	case c < 0xc2 || c > 0xf4:
		return 0, 1, true // starts no rune: an invalid byte, which Fold removes
	case !end && !utf8.FullRune(b):
		return 0, 0, false
	}
	r, n := utf8.DecodeRune(b)
	return 0, n, r == utf8.RuneError || folded(r)
}

// escapeUnit reads a JSON escape: \uXXXX and \/ stand for their character,
// the others for none a credential holds (\n and the like are spaces and
// controls, which Fold removes). A backslash that starts no escape is a
// unit of its own, so what follows it is read as it is.
func escapeUnit(b []byte, end bool) (text byte, n int, skip bool) {
	if len(b) < 2 {
		if end {
			return 0, 1, false
		}
		return 0, 0, false
	}
	switch b[1] {
	case '/':
		return '/', 2, false
	case 'b', 'f', 'n', 'r', 't':
		return 0, 2, true
	case '"', '\\':
		return 0, 2, false
	case 'u':
	default:
		return 0, 1, false
	}
	var r rune
	for i := 2; i < 6; i++ {
		if i >= len(b) {
			if end {
				return 0, 1, false
			}
			return 0, 0, false
		}
		d := hexDigit(b[i])
		if d < 0 {
			return 0, 1, false
		}
		r = r<<4 | rune(d)
	}
	if r < utf8.RuneSelf {
		return byte(r), 6, folded(r)
	}
	return 0, 6, folded(r)
}

func hexDigit(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// folded reports whether sanitize.Fold removes r.
func folded(r rune) bool {
	if r < utf8.RuneSelf {
		return r <= ' ' || r == 0x7f
	}
	return r == utf8.RuneError || sanitize.Unsafe(r) || unicode.IsSpace(r) || unicode.Is(unicode.Mn, r)
}
