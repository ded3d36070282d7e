package cli

// skyswitch api: an XRPC call as the chosen account, as `gh api` makes a
// GitHub one. accounts.Manager.Call keeps the session alive (refresh before
// expiry, once more after a rejected token, under the account's lock);
// this file turns flags into the request and makes it. The answer's output
// is apiout.go's; following a cursor from page to page, paginate.go's.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fields"
)

// runAPI makes the call as the chosen account and prints the answer; with
// paginate, the call of every page.
func runAPI(ctx context.Context, opts apiOptions, e *invocation) error {
	if opts.output == "" || opts.include {
		e.noteClosedStdout("the answer")
	}
	in := &apiInputs{ctx: ctx, stdin: e.app.Stdin, limit: maxInputBytes}
	req, err := apiRequest(opts, in.read)
	if err != nil {
		return err
	}
	out := e.apiOutput(opts)
	ident, source := e.choose("")
	call := func(req auth.RawRequest) (*auth.RawResponse, error) {
		resp, a, err := e.mgr.Call(ctx, ident, req)
		if a.DID != "" {
			// The next page goes as this one did, by its DID: the saved
			// active account, or the one a handle names, may change
			// meanwhile.
			ident = a.DID
		}
		return resp, fromOverride(err, source)
	}
	if opts.paginate {
		err = e.paginate(call, req, opts, out)
	} else {
		err = e.callOnce(call, req, opts, out)
	}
	e.warnings()
	return out.close(err)
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
	var re *readError
	switch {
	case errors.As(err, &re):
		// A file that cannot be read is no mistake of the command line
		// (exit 1, as --input's).
		return r, fmt.Errorf("api: %w", err)
	case err != nil:
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

// maxInputBytes bounds what --input and each @file value read: a body is
// held whole, to be sent again after a refresh (auth.RawRequest).
const maxInputBytes = 256 << 20

// apiInputs reads --input and @file values: files, and standard input
// once, each whole up to limit bytes (a regular file larger than that is
// refused unread, /dev/zero once it has given that much), and only while
// ctx lasts: a FIFO no one writes to, or a terminal's standard input,
// blocks in open or read, where a signal would not end the run.
type apiInputs struct {
	ctx   context.Context
	stdin io.Reader
	used  bool
	limit int64
}

// readError is a file or standard input that could not be read.
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

func (in *apiInputs) read(name string) ([]byte, error) {
	if name != "-" {
		return in.readFrom(func() (io.ReadCloser, int64, error) {
			f, err := os.Open(name)
			if err != nil {
				return nil, 0, err
			}
			size := int64(-1)
			if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
				size = fi.Size()
			}
			return f, size, nil
		})
	}
	if in.used {
		return nil, errors.New("standard input can be read only once (by --input - or by one @-)")
	}
	in.used = true
	if in.stdin == nil {
		return nil, nil
	}
	return in.readFrom(func() (io.ReadCloser, int64, error) { return io.NopCloser(in.stdin), -1, nil })
}

// readFrom reads what open opens, whole, up to in.limit bytes, unless
// in.ctx ends first: then the reading is left blocked where it is (the
// run ends).
func (in *apiInputs) readFrom(open func() (io.ReadCloser, int64, error)) ([]byte, error) {
	type read struct {
		data []byte
		err  error
	}
	done := make(chan read, 1)
	go func() {
		r, size, err := open()
		if err != nil {
			done <- read{nil, err}
			return
		}
		defer r.Close()
		data, err := readBody(r, size, in.limit)
		done <- read{data, err}
	}()
	select {
	case got := <-done:
		switch {
		case errors.Is(got.err, errTooLarge):
			return nil, &readError{fmt.Errorf("%w of %d MiB that api reads", errTooLarge, in.limit>>20)}
		case got.err != nil:
			return nil, &readError{got.err}
		}
		return got.data, nil
	case <-in.ctx.Done():
		return nil, &readError{in.ctx.Err()}
	}
}

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
		if werr := writeHead(out.head, resp.Status, resp.Header); werr != nil {
			resp.Body.Close()
			return nil, werr
		}
	case errors.As(err, &xe) && xe.Header != nil:
		if werr := writeHead(out.head, xe.Status, xe.Header); werr != nil {
			err = errors.Join(err, werr)
		}
	}
	return resp, err
}

// callOnce makes the call and prints its answer.
func (e *invocation) callOnce(call func(auth.RawRequest) (*auth.RawResponse, error), req auth.RawRequest, opts apiOptions, out *apiOut) error {
	resp, err := answer(call, req, opts, out)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := out.open(); err != nil {
		return err
	}
	if !isJSON(resp.Header.Get("Content-Type")) && out.jq != nil {
		return fmt.Errorf("%s: --jq: the answer is not JSON", req.NSID)
	}
	if out.asIs || !isJSON(resp.Header.Get("Content-Type")) {
		// --output's file takes the body as it came, JSON too.
		return e.copyRaw(resp, req.NSID, out)
	}
	data, err := readJSON(resp, req.NSID, out.jsonLimit())
	if err != nil || len(data) == 0 {
		return err
	}
	return out.doc(data, out.pretty, req.NSID)
}
