package cli

// api's JSON answers, read whole (up to maxJSONBytes) to be checked and
// formatted, with as few copies as can be: a body whose length is known is
// read into one buffer of that size, compacted where it lies, and written
// as the sanitiser would write it without copying it again.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"unicode/utf8"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/sanitize"
)

// maxJSONBytes bounds a JSON answer, which is read whole to be formatted;
// other bodies, and bodies for --output's file, are copied as they come,
// unbounded.
const maxJSONBytes = 256 << 20

// maxJQBytes bounds a JSON answer given to --jq, which decodes it into a
// tree of Go values that takes 5 to 20 times its size (13 MiB of records
// 84 MiB, 16 MiB of [0,0,…] 285 MiB, live after decoding): at 256 MiB a
// hostile answer would take gigabytes.
const maxJQBytes = 32 << 20

// errTooLarge is what readBody says of a body over its limit.
var errTooLarge = errors.New("over the limit")

// readJSON reads a JSON answer whole, up to limit bytes (maxJSONBytes, or
// maxJQBytes for --jq); empty is allowed (a procedure with no output),
// anything else must be JSON.
func readJSON(resp *auth.RawResponse, nsid string, limit int64) ([]byte, error) {
	size := int64(-1)
	if n, err := strconv.ParseInt(resp.Header.Get("Content-Length"), 10, 64); err == nil && n >= 0 {
		size = n
	}
	data, err := readBody(resp.Body, size, limit)
	switch {
	case errors.Is(err, errTooLarge) && limit == maxJQBytes:
		return nil, fmt.Errorf("%s: the answer is over %d MiB of JSON, more than --jq takes: save it with --output FILE and give that to jq", nsid, limit>>20)
	case errors.Is(err, errTooLarge):
		return nil, fmt.Errorf("%s: the answer is over %d MiB of JSON: use --output FILE to save it as it is", nsid, limit>>20)
	case err != nil:
		return nil, fmt.Errorf("%s: reading the answer: %w", nsid, err)
	case len(bytes.TrimSpace(data)) == 0:
		return nil, nil
	case !json.Valid(data):
		return nil, fmt.Errorf("%s: the answer says it is JSON but is not", nsid)
	}
	return data, nil
}

// readBody reads r whole, refusing more than limit bytes (errTooLarge). A
// size the answer declared (-1: none) over the limit is refused before
// anything is read; within it, the body is read into one buffer of that
// size (and a byte, to see the end). Without one, it is read in blocks,
// never more than limit and the last block, and the blocks are joined
// once at the end.
func readBody(r io.Reader, size, limit int64) ([]byte, error) {
	if size > limit {
		return nil, errTooLarge
	}
	r = io.LimitReader(r, limit+1)
	next := 64 << 10
	if size >= 0 {
		next = int(size) + 1
	}
	var blocks [][]byte
	total := 0
	for {
		block, err := fill(r, make([]byte, next))
		blocks, total = append(blocks, block), total+len(block)
		switch {
		case int64(total) > limit:
			return nil, errTooLarge
		case err == io.EOF:
			return join(blocks, total), nil
		case err != nil:
			return nil, err
		}
		next = min(2*next, 8<<20)
	}
}

// join joins the blocks of a body. Past bigBody, the blocks (as large as
// the body) are collected at once: a collection that found them alive,
// during the join, would let the heap grow to twice its size again before
// the next one.
func join(blocks [][]byte, total int) []byte {
	if len(blocks) == 1 {
		return blocks[0]
	}
	data := bytes.Join(blocks, nil)
	if total > bigBody {
		clear(blocks)
		runtime.GC()
	}
	return data
}

// bigBody is the size past which join collects the blocks it joined.
const bigBody = 32 << 20

// fill reads into block until it is full (nil), the body ends (io.EOF) or
// fails, and returns what it read. Unlike io.ReadFull, a body cut short
// (io.ErrUnexpectedEOF from HTTP) stays an error.
func fill(r io.Reader, block []byte) ([]byte, error) {
	n := 0
	for n < len(block) {
		m, err := r.Read(block[n:])
		n += m
		if err != nil {
			return block[:n], err
		}
	}
	return block, nil
}

// compactJSON removes the white space between the tokens of valid JSON,
// in place, as json.Compact does into a copy, and returns the shorter
// slice.
func compactJSON(b []byte) []byte {
	w := 0
	inString, escaped := false, false
	for _, c := range b {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			continue
		case c == '"':
			inString = true
		}
		b[w] = c
		w++
	}
	return b[:w]
}

// writeJSONDoc writes one valid JSON document on its own line(s): indented
// for a terminal, else compact (compacted in data's own bytes), with
// unsafe runes escaped.
func writeJSONDoc(w jsonOut, data []byte, pretty bool) error {
	if pretty {
		var buf bytes.Buffer
		if err := json.Indent(&buf, data, "", "  "); err != nil {
			return err
		}
		data = buf.Bytes()
	} else {
		data = compactJSON(data)
	}
	w.text(data)
	w.text([]byte("\n"))
	return w.flush()
}

// jsonOut writes JSON as sanitize.JSON and then the sanitiser would,
// without copying the document: safe runes go as they are through a
// buffer, each unsafe rune through sanitize.JSON, each byte that is not
// UTF-8 (only a string can hold one) through the sanitiser, which shows it
// as \xff. With no sanitiser (--output's file, which takes the answer as
// it came) such a byte goes as it is.
type jsonOut struct {
	sanitized *sanitize.Writer // nil for --output's file
	buf       *bufio.Writer    // over the stream under sanitized
}

func newJSONOut(sanitized *sanitize.Writer, under io.Writer) jsonOut {
	return jsonOut{sanitized: sanitized, buf: bufio.NewWriterSize(under, 64<<10)}
}

// text writes JSON (or a part of it that ends at the end of a rune); an
// error stays in buf, for flush to return.
func (w jsonOut) text(data []byte) {
	for len(data) > 0 {
		n := safePrefix(data)
		w.buf.Write(data[:n])
		if data = data[n:]; len(data) == 0 {
			return
		}
		r, size := utf8.DecodeRune(data)
		switch {
		case r != utf8.RuneError || size > 1:
			w.buf.Write(sanitize.JSON(data[:size]))
		case w.sanitized == nil:
			w.buf.Write(data[:1])
		case w.buf.Flush() == nil:
			if _, err := w.sanitized.Write(data[:1]); err == nil {
				w.sanitized.Flush()
			}
		}
		data = data[size:]
	}
}

// flush writes what is buffered, and says what failed.
func (w jsonOut) flush() error { return w.buf.Flush() }

// safePrefix is how many bytes at the start of b the sanitiser leaves as
// they are: runes that are not sanitize.Unsafe, and valid UTF-8.
func safePrefix(b []byte) int {
	i := 0
	for i < len(b) {
		if c := b[i]; c >= 0x20 && c < 0x7f || c == '\n' || c == '\t' {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 || sanitize.Unsafe(r) {
			return i
		}
		i += n
	}
	return i
}
