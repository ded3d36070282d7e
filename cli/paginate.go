package cli

// api --paginate: following a query's cursor from page to page.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"

	"github.com/skyswitch/skyswitch/auth"
)

// paginate calls every page of a query, following its cursor until it is
// absent or empty, and prints each page as one compact line, or with
// slurp all of them as one array; a last page that brings nothing (after
// a first) is left out. Past maxPages it stops with an error, after
// printing what it has.
func (e *env) paginate(call func(auth.RawRequest) (*auth.RawResponse, error), req auth.RawRequest, opts apiOptions, out *apiOut) error {
	req.Params = cloneValues(req.Params)
	var pages []json.RawMessage
	seen := map[string]bool{}
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
		} else if err := writeJSONDoc(out.json(), page, false); err != nil {
			return err
		}
		if cursor == "" {
			break
		}
		if seen[cursor] {
			stop = fmt.Errorf("%s: page %d gave a cursor already followed: stopped", req.NSID, n)
			break
		}
		if n >= opts.maxPages {
			stop = fmt.Errorf("%s: stopped after %d pages (--max-pages); the last one has a cursor", req.NSID, n)
			break
		}
		seen[cursor] = true
		req.Params.Set("cursor", cursor)
	}
	if opts.slurp && len(pages) > 0 {
		all, err := json.Marshal(pages)
		if err != nil {
			return errors.Join(stop, err)
		}
		if err := writeJSONDoc(out.json(), all, out.pretty); err != nil {
			return errors.Join(stop, err)
		}
	}
	return stop
}

// page calls one page and returns it, compact, with its cursor.
func (e *env) page(call func(auth.RawRequest) (*auth.RawResponse, error), req auth.RawRequest, opts apiOptions, out *apiOut) (json.RawMessage, string, error) {
	resp, err := answer(call, req, opts, out)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	if !isJSON(resp.Header.Get("Content-Type")) {
		return nil, "", fmt.Errorf("%s: --paginate: the answer is not JSON", req.NSID)
	}
	data, err := readJSON(resp, req.NSID)
	if err != nil {
		return nil, "", err
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil || obj == nil {
		return nil, "", fmt.Errorf("%s: --paginate: a page is not a JSON object", req.NSID)
	}
	var cursor string
	if raw, ok := obj["cursor"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &cursor); err != nil {
			return nil, "", fmt.Errorf("%s: --paginate: the cursor is not a string", req.NSID)
		}
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), cursor, nil
}

// emptyPage says whether a page brings nothing: every member an empty
// array or null ({"records":[]}).
func emptyPage(page json.RawMessage) bool {
	var obj map[string]json.RawMessage
	if json.Unmarshal(page, &obj) != nil {
		return false
	}
	for _, v := range obj {
		if string(v) != "[]" && string(v) != "null" {
			return false
		}
	}
	return true
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}
