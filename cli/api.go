package cli

// skyswitch api: an XRPC call as the chosen account, as `gh api` makes a
// GitHub one. accounts.Manager.Call keeps the session alive (refresh before
// expiry, once more after a rejected token, under the account's lock);
// this file turns flags into the request and the answer into output.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fields"
	"github.com/skyswitch/skyswitch/internal/sanitize"
)

func apiCommand() command {
	return command{
		name: "api", args: "[<flags>] <nsid>", helpArgs: "[--account <account>] [<flags>] <nsid>",
		summary: "call an XRPC method as the account, refreshing its session as needed",
		flags: []flagSpec{
			{name: "X", value: "string", usage: "the HTTP `method`: GET (a query) or POST (a procedure); the default is GET, or POST when -f, -F or --input give a body (but GET with --paginate)", complete: []string{"GET", "POST"}},
			{name: "f", value: "list", usage: "add a string field `key=value` (repeatable; key[sub]=v nests an object, key[]=v appends to an array)"},
			{name: "F", value: "list", usage: "add a typed field `key=value`: true, false, null, a number, @file or @- (standard input), else a string (repeatable)"},
			{name: "input", value: "string", usage: "send the contents of `file` (- for standard input) as the body; -f and -F then go to the query string"},
			{name: "proxy", value: "string", usage: "send atproto-proxy: `did#service_id`, such as did:web:api.bsky.chat#bsky_chat"},
			{name: "H", alias: "header", value: "list", usage: "add a request header `key:value`, such as 'Content-Type: image/png' (repeatable: a name given again adds a value; the last Content-Type counts); not Authorization, atproto-proxy (--proxy) or what HTTP sets"},
			{name: "paginate", usage: "follow the cursor to the last page, printing one JSON document per page"},
			{name: "slurp", usage: "with --paginate, print all the pages as one JSON array"},
			{name: "max-pages", value: "int", def: "1000", usage: "with --paginate, stop with an error after `n` pages"},
			{name: "i", usage: "print the HTTP status and the response headers before the body, or before the error of an error answer"},
			{name: "output", value: "string", usage: "write the body to `file`, as it came, instead of standard output (a body that is not JSON needs it on a terminal)"},
		},
		maxArgs: 1, override: true,
		run: func(ctx context.Context, e *env, p *parsed) error {
			opts, err := apiOptionsOf(p)
			if err != nil {
				return err
			}
			return runAPI(ctx, opts, e)
		},
	}
}

// apiOptions: the method to call and how, and what to do with the answer.
type apiOptions struct {
	nsid   string
	method string // "", "GET" or "POST"
	fields []fields.Field
	input  string // a file, "-" for stdin, "" for none
	proxy  string
	header http.Header // -H, checked
	// paginate follows cursor; slurp gathers the pages into one array;
	// maxPages bounds them.
	paginate, slurp bool
	maxPages        int
	include         bool   // -i
	output          string // a file for the body, "" for stdout
}

// apiOptionsOf checks api's command line: every mistake it can see is a
// usage error (exit 2), found before anything is sent.
func apiOptionsOf(p *parsed) (apiOptions, error) {
	opts := apiOptions{
		nsid: p.arg(), method: strings.ToUpper(p.str("X")), input: p.str("input"), proxy: p.str("proxy"),
		paginate: p.on("paginate"), slurp: p.on("slurp"), maxPages: p.number("max-pages"),
		include: p.on("i"), output: p.str("output"),
	}
	switch {
	case opts.nsid == "":
		return opts, usageErr("api: name the method to call, such as com.atproto.server.getSession")
	case !auth.ValidNSID(opts.nsid):
		return opts, usageErr("api: %q is %w", clipText(opts.nsid), auth.ErrBadNSID)
	case opts.proxy != "" && !auth.ValidProxy(opts.proxy):
		return opts, usageErr("api: --proxy %q is %w", clipText(opts.proxy), auth.ErrBadProxy)
	case opts.method != "" && opts.method != http.MethodGet && opts.method != http.MethodPost:
		return opts, usageErr("api: -X is GET (a query) or POST (a procedure), not %q", clipText(opts.method))
	case opts.slurp && !opts.paginate:
		return opts, usageErr("api: --slurp gathers the pages of --paginate; give both")
	case opts.maxPages < 1:
		return opts, usageErr("api: --max-pages must be at least 1")
	}
	for _, list := range []struct {
		flag  string
		typed bool
	}{{"f", false}, {"F", true}} {
		for _, arg := range p.list(list.flag) {
			f, err := fields.Parse(arg, list.typed)
			if err != nil {
				return opts, usageErr("api: -%s: %w", list.flag, err)
			}
			opts.fields = append(opts.fields, f)
		}
	}
	header, err := apiHeaders(p.list("H"))
	if err != nil {
		return opts, err
	}
	opts.header = header
	if opts.method == "" {
		// gh's rule: a body makes it a procedure; but only a query has
		// pages.
		opts.method = http.MethodGet
		if !opts.paginate && (opts.input != "" || len(opts.fields) > 0) {
			opts.method = http.MethodPost
		}
	}
	switch {
	case opts.method == http.MethodGet && opts.input != "":
		return opts, usageErr("api: --input sends a body, which a query (GET) has not; use -X POST, or -f/-F for its parameters")
	case opts.paginate && opts.method != http.MethodGet:
		return opts, usageErr("api: --paginate follows the cursor of a query (GET), not of a procedure (POST)")
	}
	return opts, nil
}

// apiHeaders reads -H's key:value lines (space after the colon optional)
// as gh does: a name given again adds a value, but Content-Type, which a
// body has one of, is replaced. A line that is not a header, or is one
// skyswitch or HTTP sets, is a usage error that quotes neither the value
// nor a name it does not know: either may hold a token.
func apiHeaders(lines []string) (http.Header, error) {
	if len(lines) == 0 {
		return nil, nil
	}
	h := http.Header{}
	for i, line := range lines {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, usageErr("api: -H (header %d) is key:value, such as 'Accept-Language: de'; it has no colon", i+1)
		}
		value = strings.Trim(value, " \t")
		if err := auth.CheckHeader(name, value); err != nil {
			return nil, usageErr("api: -H (header %d): %w", i+1, err)
		}
		if http.CanonicalHeaderKey(name) == "Content-Type" {
			h.Set(name, value)
		} else {
			h.Add(name, value)
		}
	}
	return h, nil
}

// clipText is s cut to 80 bytes, for quoting a mistaken argument.
func clipText(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// runAPI makes the call as the chosen account and prints the answer; with
// paginate, the call of every page.
func runAPI(ctx context.Context, opts apiOptions, e *env) error {
	in := &apiInputs{stdin: e.app.Stdin}
	req, err := apiRequest(opts, in.read)
	if err != nil {
		return err
	}
	out := e.apiOutput(opts)
	ident, source := e.choose("")
	call := func(req auth.RawRequest) (*auth.RawResponse, error) {
		resp, _, err := e.mgr.Call(ctx, ident, req)
		return resp, fromOverride(err, source)
	}
	if opts.paginate {
		err = e.paginate(call, req, opts, out)
	} else {
		err = e.callOnce(call, req, opts, out)
	}
	e.warnings()
	return errors.Join(err, out.close())
}

// apiRequest builds the request: a query's fields go to the query string;
// a procedure's make its JSON body, unless --input gives the body, and
// then they go to the query string (as in gh).
func apiRequest(opts apiOptions, read fields.ReadFile) (auth.RawRequest, error) {
	r := auth.RawRequest{Method: opts.method, NSID: opts.nsid, Proxy: opts.proxy, Header: opts.header}
	var err error
	switch {
	case opts.method == http.MethodGet || opts.input != "":
		r.Params, err = fields.Query(opts.fields, read)
	case len(opts.fields) > 0:
		var obj map[string]any
		if obj, err = fields.Object(opts.fields, read); err == nil {
			r.Body, err = json.Marshal(obj)
		}
	}
	if err != nil {
		return r, usageErr("api: %w", err)
	}
	if opts.input != "" {
		if r.Body, err = read(opts.input); err != nil {
			return r, fmt.Errorf("api: --input: %w", err)
		}
		if !json.Valid(r.Body) {
			// A blob (com.atproto.repo.uploadBlob) goes as it is, with the
			// type its bytes show (image/png, image/jpeg, …; else
			// application/octet-stream), unless -H Content-Type says.
			r.ContentType = http.DetectContentType(r.Body)
		}
	}
	return r, nil
}

// apiInputs reads --input and @file values: files, and standard input
// once.
type apiInputs struct {
	stdin io.Reader
	used  bool
}

func (in *apiInputs) read(name string) ([]byte, error) {
	if name != "-" {
		return os.ReadFile(name)
	}
	if in.used {
		return nil, errors.New("standard input can be read only once (by --input - or by one @-)")
	}
	in.used = true
	if in.stdin == nil {
		return nil, nil
	}
	return io.ReadAll(in.stdin)
}

// apiOut is where the answer goes: JSON through the sanitiser to stdout,
// other bodies to the raw stdout (refused on a terminal), or every body to
// --output's file, which is created only once an answer came.
type apiOut struct {
	text     io.Writer // headers and JSON
	raw      io.Writer // bodies that are not JSON
	pretty   bool      // indent JSON
	terminal bool      // raw is a terminal
	path     string    // --output
	file     *os.File  // --output, once open
}

func (e *env) apiOutput(opts apiOptions) *apiOut {
	out := &apiOut{text: e.stdout, raw: e.app.Stdout, pretty: e.app.StdoutTerminal, terminal: e.app.StdoutTerminal}
	if opts.output != "" {
		out.path, out.pretty, out.terminal = opts.output, false, false
	}
	return out
}

// open creates --output's file, if there is one, for the answer that came:
// a failed call leaves an existing file as it was.
func (o *apiOut) open() error {
	if o.path == "" || o.file != nil {
		return nil
	}
	f, err := os.OpenFile(o.path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
	if err != nil {
		return fmt.Errorf("api: --output: %w", err)
	}
	o.file, o.raw = f, f
	return nil
}

// json is where a JSON body goes: the sanitised stdout, unless --output
// takes the body.
func (o *apiOut) json() io.Writer {
	if o.file != nil {
		return o.file
	}
	return o.text
}

func (o *apiOut) close() error {
	if o.file == nil {
		return nil
	}
	if err := o.file.Close(); err != nil {
		return fmt.Errorf("api: --output: %w", err)
	}
	return nil
}

// maxJSONBytes bounds a JSON answer, which is read whole to be formatted;
// other bodies, and bodies for --output, are copied as they come,
// unbounded.
const maxJSONBytes = 256 << 20

// answer makes the call; with -i it prints the answer's status and
// headers first, an error answer's too (then the error says the rest).
// A call that got no answer to this request (no network, a session ended
// on the way) prints none.
func answer(call func(auth.RawRequest) (*auth.RawResponse, error), req auth.RawRequest, opts apiOptions, out *apiOut) (*auth.RawResponse, error) {
	resp, err := call(req)
	if !opts.include {
		return resp, err
	}
	var xe *auth.Error
	switch {
	case err == nil:
		writeHead(out.text, resp.Status, resp.Header)
	case errors.As(err, &xe) && xe.Header != nil:
		writeHead(out.text, xe.Status, xe.Header)
	}
	return resp, err
}

// callOnce makes the call and prints its answer.
func (e *env) callOnce(call func(auth.RawRequest) (*auth.RawResponse, error), req auth.RawRequest, opts apiOptions, out *apiOut) error {
	resp, err := answer(call, req, opts, out)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := out.open(); err != nil {
		return err
	}
	if out.file != nil || !isJSON(resp.Header.Get("Content-Type")) {
		// --output takes the body as it came, JSON too.
		return e.copyRaw(resp, req.NSID, out)
	}
	data, err := readJSON(resp, req.NSID)
	if err != nil || len(data) == 0 {
		return err
	}
	return writeJSONDoc(out.json(), data, out.pretty)
}

// copyRaw copies a body that is not JSON as it is, never to a terminal.
func (e *env) copyRaw(resp *auth.RawResponse, nsid string, out *apiOut) error {
	if out.terminal {
		kind := resp.Header.Get("Content-Type")
		if kind == "" {
			kind = "not JSON"
		}
		return fmt.Errorf("%s: the answer (%s) is not printed on a terminal: use --output FILE, or a pipe", nsid, kind)
	}
	if _, err := io.Copy(out.raw, resp.Body); err != nil {
		return fmt.Errorf("%s: copying the answer: %w", nsid, err)
	}
	return nil
}

// isJSON says whether a Content-Type is JSON (application/json, or a
// +json type). No Content-Type counts as JSON: an empty answer has none.
func isJSON(contentType string) bool {
	if contentType == "" {
		return true
	}
	t, _, err := mime.ParseMediaType(contentType)
	return err == nil && (t == "application/json" || strings.HasSuffix(t, "+json"))
}

// readJSON reads a JSON answer whole; empty is allowed (a procedure with no
// output), anything else must be JSON.
func readJSON(resp *auth.RawResponse, nsid string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxJSONBytes+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s: reading the answer: %w", nsid, err)
	case len(data) > maxJSONBytes:
		return nil, fmt.Errorf("%s: the answer is over %d MiB of JSON: use --output FILE to save it as it is", nsid, maxJSONBytes>>20)
	case len(bytes.TrimSpace(data)) == 0:
		return nil, nil
	case !json.Valid(data):
		return nil, fmt.Errorf("%s: the answer says it is JSON but is not", nsid)
	}
	return data, nil
}

// writeJSONDoc writes one JSON document on its own line(s): indented for a
// terminal, compact otherwise, with unsafe runes escaped.
func writeJSONDoc(w io.Writer, data []byte, pretty bool) error {
	var buf bytes.Buffer
	var err error
	if pretty {
		err = json.Indent(&buf, data, "", "  ")
	} else {
		err = json.Compact(&buf, data)
	}
	if err != nil {
		return err
	}
	buf.WriteByte('\n')
	_, err = w.Write(sanitize.JSON(buf.Bytes()))
	return err
}

// writeHead writes the status line and the headers (those quoting a
// credential already withheld by auth), sorted, and a blank line.
func writeHead(w io.Writer, status int, h http.Header) {
	fmt.Fprintf(w, "HTTP %d %s\n", status, http.StatusText(status))
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(w, "%s: %s\n", k, v)
		}
	}
	fmt.Fprintln(w)
}

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
