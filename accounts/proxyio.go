package accounts

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/skyswitch/skyswitch/auth"
)

// forwardedHeaders are the headers of the command's request the proxy
// passes on, besides Content-Type (with a body) and atproto-proxy
// (checked as a service reference): what an XRPC client legitimately
// sends. Authorization never is: Call adds the account's own.
var forwardedHeaders = []string{"Accept", "Accept-Language", "Atproto-Accept-Labelers"}

// answerHeaders are the headers of the server's answer the proxy passes
// back: the body's description, caching and rate limits, and atproto's
// own. Not Set-Cookie, WWW-Authenticate, DPoP-Nonce or anything about the
// connection; not Content-Length either (a body with a credential
// withheld is not the length the server said).
var answerHeaders = append([]string{
	"Content-Type", "Content-Encoding", "Content-Language", "Content-Disposition", "Etag", "Last-Modified",
}, errorHeaders...)

// errorHeaders are the answerHeaders an error the proxy writes itself (its
// own JSON body) passes on: none that describes the server's body, which
// is not the one sent (a Content-Encoding would make the JSON unreadable).
var errorHeaders = []string{
	"Cache-Control", "Expires",
	"Retry-After", "Ratelimit-Limit", "Ratelimit-Remaining", "Ratelimit-Reset", "Ratelimit-Policy",
	"Atproto-Repo-Rev", "Atproto-Content-Labelers",
}

// rawRequest is the command's request as Call takes it, or the error to
// answer: a path that is not /xrpc/<nsid> (404), a method but GET and
// POST (405), a malformed query string, atproto-proxy or header (400), a
// body over the bound (413). No error quotes what was sent.
func (p *Proxy) rawRequest(w http.ResponseWriter, r *http.Request) (auth.RawRequest, *proxyError) {
	nsid, ok := strings.CutPrefix(r.URL.Path, "/xrpc/")
	if !ok || !auth.ValidNSID(nsid) {
		return auth.RawRequest{}, &proxyError{http.StatusNotFound, "NotFound", "this proxy answers XRPC calls only: /xrpc/<nsid>", nil}
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		return auth.RawRequest{}, &proxyError{http.StatusMethodNotAllowed, "MethodNotAllowed", "XRPC calls are GET (queries) or POST (procedures)", nil}
	}
	params, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return auth.RawRequest{}, badProxyRequest("the query string is malformed")
	}
	req := auth.RawRequest{Method: r.Method, NSID: nsid, Params: params}
	if perr := forwardHeaders(&req, r.Header); perr != nil {
		return req, perr
	}
	if r.Method == http.MethodPost {
		return req, p.readBody(&req, w, r)
	}
	return req, nil
}

// forwardHeaders copies the headers a client legitimately sends into req.
func forwardHeaders(req *auth.RawRequest, h http.Header) *proxyError {
	switch vs := h.Values("Atproto-Proxy"); {
	case len(vs) > 1:
		return badProxyRequest("atproto-proxy is given more than once")
	case len(vs) == 1 && !auth.ValidProxy(vs[0]):
		return badProxyRequest("atproto-proxy is not a service reference (did#service_id)")
	case len(vs) == 1:
		req.Proxy = vs[0]
	}
	for _, name := range append([]string{"Content-Type"}, forwardedHeaders...) {
		for _, v := range h.Values(name) {
			if auth.CheckHeader(name, v) != nil {
				return badProxyRequest(name + " holds a character HTTP does not allow")
			}
		}
	}
	for _, name := range forwardedHeaders {
		if vs := h.Values(name); len(vs) > 0 {
			if req.Header == nil {
				req.Header = http.Header{}
			}
			req.Header[name] = append([]string(nil), vs...)
		}
	}
	return nil
}

// readBody reads a POST's body, whole and bounded (refused as soon as it
// passes the bound), into req with its
// Content-Type; an empty body sends none.
func (p *Proxy) readBody(req *auth.RawRequest, w http.ResponseWriter, r *http.Request) *proxyError {
	limit := p.opts.MaxBody
	if limit <= 0 {
		limit = DefaultProxyMaxBody
	}
	tooLarge := &proxyError{http.StatusRequestEntityTooLarge, "PayloadTooLarge",
		fmt.Sprintf("the request body is over %d bytes, the most this proxy takes", limit), nil}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return tooLarge
	case err != nil:
		return badProxyRequest("the request body could not be read")
	case len(body) > 0:
		req.Body, req.ContentType = body, r.Header.Get("Content-Type")
	}
	return nil
}

func badProxyRequest(msg string) *proxyError {
	return &proxyError{http.StatusBadRequest, "InvalidRequest", msg, nil}
}

// writeAnswer streams the server's answer back: its status, its safe
// headers, its body. A body cut on the way cuts the answer too (the
// connection is dropped), so the command never takes it for whole.
func writeAnswer(w http.ResponseWriter, resp *auth.RawResponse) {
	copyHeaders(w.Header(), resp.Header, answerHeaders)
	w.WriteHeader(resp.Status)
	if _, err := io.Copy(w, resp.Body); err != nil {
		panic(http.ErrAbortHandler)
	}
}

// proxyChallenge is the WWW-Authenticate of every 401 the proxy answers.
const proxyChallenge = `Bearer realm="skyswitch exec"`

// writeXRPCError answers e as an XRPC error: {"error":…,"message":…}, with
// the safe headers of the server's answer it stands for (Retry-After…)
// but those about that answer's body.
func writeXRPCError(w http.ResponseWriter, e *proxyError) {
	copyHeaders(w.Header(), e.header, errorHeaders)
	body, _ := json.Marshal(struct {
		Error   string `json:"error"`
		Message string `json:"message,omitempty"`
	}{e.name, e.message})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if e.status == http.StatusUnauthorized {
		// A 401 must say how to authenticate (RFC 9110): with the run's
		// secret as a Bearer, never the server's DPoP challenge.
		w.Header().Set("WWW-Authenticate", proxyChallenge)
	}
	w.WriteHeader(e.status)
	_, _ = w.Write(body)
}

// copyHeaders copies the headers names of src into dst.
func copyHeaders(dst, src http.Header, names []string) {
	for _, name := range names {
		if vs := src.Values(name); len(vs) > 0 {
			dst[name] = append([]string(nil), vs...)
		}
	}
}
