package cli

// api --paginate: following a query's cursor from page to page. A page is
// held only while it is printed (with --slurp, until the last one is
// in), and of each cursor followed only its SHA-256, to see a loop.

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"

	"github.com/skyswitch/skyswitch/auth"
)

// defaultMaxPages is --max-pages unless given: --paginate stops there,
// with an error, when the last page still has a cursor.
const defaultMaxPages = 1000

// paginate calls every page of a query, following its cursor until it is
// absent or empty, and prints each page as one compact line, or with
// slurp all of them as one array; a last page that brings nothing (after
// a first) is left out. Past maxPages it stops with an error, after
// printing what it has.
func (e *invocation) paginate(call func(auth.RawRequest) (*auth.RawResponse, error), req auth.RawRequest, opts apiOptions, out *apiOut) error {
	req.Params = cloneValues(req.Params)
	var pages [][]byte
	seen := map[[sha256.Size]byte]bool{}
	var stop error
	for n := 1; ; n++ {
		page, cursor, err := e.page(call, req, opts, out)
		if err == nil {
			err = out.open()
		}
		if err != nil {
			stop = err
			break
		}
		if n > 1 && cursor == "" && emptyPage(page) {
			// The reference PDS gives a cursor with the last records, and
			// then a page of none: nothing to print.
			break
		}
		if opts.slurp {
			pages = append(pages, page)
		} else if err := out.doc(page, false, req.NSID); err != nil {
			return err
		}
		if cursor == "" {
			break
		}
		sum := sha256.Sum256([]byte(cursor))
		if seen[sum] {
			stop = fmt.Errorf("%s: page %d gave a cursor already followed: stopped", req.NSID, n)
			break
		}
		if n >= opts.maxPages {
			stop = fmt.Errorf("%s: stopped after %d pages, the bound --max-pages sets (%d unless given); the last one has a cursor, not followed", req.NSID, n, defaultMaxPages)
			break
		}
		seen[sum] = true
		req.Params.Set("cursor", cursor)
	}
	if opts.slurp && len(pages) > 0 {
		if err := writeSlurp(out.text, pages, out.pretty); err != nil {
			return errors.Join(stop, err)
		}
	}
	return stop
}

// page calls one page and returns it, compact, with its cursor.
func (e *invocation) page(call func(auth.RawRequest) (*auth.RawResponse, error), req auth.RawRequest, opts apiOptions, out *apiOut) ([]byte, string, error) {
	resp, err := answer(call, req, opts, out)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	if !isJSON(resp.Header.Get("Content-Type")) {
		return nil, "", fmt.Errorf("%s: --paginate: the answer is not JSON", req.NSID)
	}
	data, err := readJSON(resp, req.NSID, out.jsonLimit())
	if err != nil {
		return nil, "", err
	}
	data = compactJSON(data)
	var cursor []byte
	if !members(data, func(key, value []byte) {
		if keyIs(key, "cursor") {
			cursor = value
		}
	}) {
		return nil, "", fmt.Errorf("%s: --paginate: a page is not a JSON object", req.NSID)
	}
	var s string
	if cursor != nil && string(cursor) != "null" {
		if err := json.Unmarshal(cursor, &s); err != nil {
			return nil, "", fmt.Errorf("%s: --paginate: the cursor is not a string", req.NSID)
		}
	}
	return data, s, nil
}

// emptyPage says whether a page brings nothing: every member an empty
// array or null ({"records":[]}).
func emptyPage(page []byte) bool {
	empty := true
	members(page, func(_, value []byte) {
		empty = empty && (string(value) == "[]" || string(value) == "null")
	})
	return empty
}

// members calls fn with the key (quoted, as written) and the value of each
// member of the object that data, valid compact JSON, holds, in order, as
// slices of data; it says false when data is not an object. Unlike
// json.Unmarshal into a map, it copies nothing.
func members(data []byte, fn func(key, value []byte)) bool {
	if len(data) < 2 || data[0] != '{' {
		return false
	}
	for i := 1; i < len(data) && data[i] != '}'; {
		k := i
		i = valueEnd(data, i)
		v := i + 1 // after the colon
		i = valueEnd(data, v)
		fn(data[k:v-1], data[v:i])
		if i < len(data) && data[i] == ',' {
			i++
		}
	}
	return true
}

// valueEnd is where the value that starts at data[i] ends, in valid
// compact JSON: after its closing quote or bracket, or at the comma or
// bracket after a number, true, false or null.
func valueEnd(data []byte, i int) int {
	depth := 0
	inString, escaped := false, false
	for ; i < len(data); i++ {
		c := data[i]
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
				if depth == 0 {
					return i + 1
				}
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i
			}
			if depth--; depth == 0 {
				return i + 1
			}
		case ',':
			if depth == 0 {
				return i
			}
		}
	}
	return i
}

// keyIs says whether a quoted key, escapes and all, is name.
func keyIs(key []byte, name string) bool {
	if !bytes.ContainsRune(key, '\\') {
		return string(key) == `"`+name+`"`
	}
	var s string
	return json.Unmarshal(key, &s) == nil && s == name
}

// writeSlurp writes the pages, each valid compact JSON, as one array:
// compact as they are, or indented for a terminal.
func writeSlurp(w jsonOut, pages [][]byte, pretty bool) error {
	if pretty {
		var all bytes.Buffer
		all.WriteByte('[')
		for i, page := range pages {
			if i > 0 {
				all.WriteByte(',')
			}
			all.Write(page)
		}
		all.WriteByte(']')
		return writeJSONDoc(w, all.Bytes(), true)
	}
	sep := "["
	for _, page := range pages {
		w.text([]byte(sep))
		w.text(page)
		sep = ","
	}
	w.text([]byte("]\n"))
	return w.flush()
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}
