package auth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// RawRequest is an XRPC request sent as given, whose answer is wanted as it
// comes: what `skyswitch api` makes.
type RawRequest struct {
	Method string     // http.MethodGet (a query) or http.MethodPost (a procedure)
	NSID   string     // checked with ValidNSID before anything is sent
	Params url.Values // the query string
	// Body is sent as it is, with ContentType ("" means
	// application/json); nil sends none. Kept whole, so a retry can send
	// it again.
	Body        []byte
	ContentType string
	// Proxy is the atproto-proxy header ("did:web:api.bsky.chat#bsky_chat"),
	// checked with ValidProxy; "" sends none.
	Proxy string
	// Header is more headers to send (`skyswitch api -H`), each checked
	// with CheckHeader. A name here replaces what Raw would send by default
	// (Accept: */*, ContentType, User-Agent); all its values are sent.
	Header http.Header
}

// RawResponse is a successful answer (2xx): its status, its headers (any
// header quoting a credential of the request withheld) and its body (every
// repeat of the bearer sent withheld), which the caller reads, unbounded,
// and must close. The body has no deadline;
// a Read fails (a *TransportError naming the host, not the call) when it
// comes slower than the stall rule allows, DefaultMinRate over
// DefaultStallWindow.
type RawResponse struct {
	Status int
	Header http.Header
	Body   io.ReadCloser
}

// ErrBadNSID is returned for a RawRequest whose NSID is not one.
var ErrBadNSID = errors.New("not an NSID (such as app.bsky.actor.getProfile)")

// ErrBadProxy is returned for a RawRequest whose Proxy is not did#service.
var ErrBadProxy = errors.New("not a service reference (did#service_id, such as did:web:api.bsky.chat#bsky_chat)")

// ErrBadHeader is wrapped by CheckHeader's errors for a header that is not
// valid HTTP; ErrReservedHeader for one that Raw or HTTP itself sets.
var (
	ErrBadHeader      = errors.New("not a valid HTTP header")
	ErrReservedHeader = errors.New("cannot be set")
)

var (
	nsidRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[a-zA-Z]([a-zA-Z0-9-]{0,62})?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,62})?)+\.[a-zA-Z]([a-zA-Z0-9]{0,62})?$`)
	})
	serviceIDRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_.-]{0,63}$`) })
)

// ValidNSID reports whether s is an NSID: a domain authority of at least two
// segments, reversed, then a name (com.atproto.server.getSession).
func ValidNSID(s string) bool { return len(s) <= 317 && nsidRE().MatchString(s) }

// ValidProxy reports whether s is an atproto-proxy value: a DID, "#", and a
// service id.
func ValidProxy(s string) bool {
	did, id, ok := strings.Cut(s, "#")
	return ok && ValidDID(did) && serviceIDRE().MatchString(id)
}

// Raw sends r to base with bearer (the access token, or "") and returns a
// 2xx answer as it came. Any other status is an *Error, with its message
// checked against the request's credentials as every call's is and its
// headers in Error.Header (withheld as a 2xx answer's), and a failure to
// get an answer a *TransportError. r.Header is checked (CheckHeader)
// before anything is sent. The headers must come within c.Timeout; the
// body has no deadline but ctx's, and fails (a *TransportError from Read)
// only when it comes slower than the stall rule allows.
func (c *Client) Raw(ctx context.Context, base, bearer string, r RawRequest) (*RawResponse, error) {
	return c.raw(ctx, call{base: base, bearer: bearer}, r)
}

// raw sends r with rc's base and credentials (rc.method, nsid, params and
// body are r's).
func (c *Client) raw(ctx context.Context, rc call, r RawRequest) (*RawResponse, error) {
	switch {
	case !ValidNSID(r.NSID):
		return nil, fmt.Errorf("%q: %w", clip(r.NSID, 80), ErrBadNSID)
	case r.Proxy != "" && !ValidProxy(r.Proxy):
		return nil, fmt.Errorf("--proxy %q: %w", clip(r.Proxy, 80), ErrBadProxy)
	case r.Method != http.MethodGet && r.Method != http.MethodPost:
		return nil, fmt.Errorf("%s: method %q: only GET (queries) and POST (procedures)", r.NSID, clip(r.Method, 16))
	}
	if err := checkHeaders(r.Header); err != nil {
		return nil, fmt.Errorf("%s: %w", r.NSID, err)
	}
	rc.method, rc.nsid, rc.params = r.Method, r.NSID, r.Params
	cs := requestCredentials(rc.bearer, nil, rc.also...)
	if len(cs) > 0 {
		if err := credentialURLCheck(r.NSID, rc.base); err != nil {
			return nil, err
		}
	}
	resp, err := c.sendRaw(ctx, rc, r, cs)
	return resp, withholdCredentials(r.NSID, err, cs)
}

// sendRaw makes the request and returns a 2xx answer, its body unread. An
// OAuth session's request asked for a new DPoP nonce is sent once more.
func (c *Client) sendRaw(ctx context.Context, rc call, r RawRequest, cs credentials) (*RawResponse, error) {
	for attempt := 0; ; attempt++ {
		req, err := c.newRequest(ctx, rc)
		if err != nil {
			return nil, err
		}
		if r.Body != nil {
			req.Body = io.NopCloser(bytes.NewReader(r.Body))
			req.ContentLength = int64(len(r.Body))
			req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(r.Body)), nil }
		}
		setRawHeaders(req.Header, r)
		trip := c.trip(r.NSID)
		trip.stream = true
		resp, err := trip.do(req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode < 300 {
			rc.dpop.retry(c, resp, nil, attempt)
			return rawResponse(resp, cs), nil
		}
		data, err := readBody(resp, c.maxBytes())
		if rc.dpop.retry(c, resp, data, attempt) {
			continue
		}
		err = answerError(r.NSID, resp, data, err, c.now(), cs)
		var xe *Error
		if errors.As(err, &xe) {
			xe.Header = withheldHeaders(resp.Header, cs)
		}
		return nil, err
	}
}

// rawResponse is the one place a RawResponse is made: a 2xx answer, its
// headers withheld where they quote cs, its body as the round trip
// watches it, with every repeat of the bearer sent withheld as it streams.
func rawResponse(resp *http.Response, cs credentials) *RawResponse {
	return &RawResponse{Status: resp.StatusCode, Header: withheldHeaders(resp.Header, cs), Body: withholdBody(resp.Body, cs)}
}

// setRawHeaders sets r's headers in h: the body's type, Accept and
// atproto-proxy, then r.Header's over them.
func setRawHeaders(h http.Header, r RawRequest) {
	if r.Body != nil {
		h.Set("Content-Type", orDefault(r.ContentType, "application/json"))
	}
	h.Set("Accept", "*/*") // blobs and CAR files too
	if r.Proxy != "" {
		h.Set("Atproto-Proxy", r.Proxy)
	}
	for k, vs := range r.Header {
		h[http.CanonicalHeaderKey(k)] = slices.Clone(vs)
	}
}

// withheldHeaders is h with the value of every header that quotes a
// credential replaced: a server or proxy echoing the request must not make
// `api -i` print a token.
func withheldHeaders(h http.Header, cs credentials) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		for _, v := range vs {
			if cs.quotedIn(v) || cs.quotedIn(k) {
				v = "(withheld: it quoted a credential sent with the request)"
			}
			out[k] = append(out[k], v)
		}
	}
	return out
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// CheckHeader says whether name: value may be one of a RawRequest's
// headers: the name an HTTP token, the value free of control characters
// (a tab aside), and the name none that Raw sets itself (Authorization,
// Atproto-Proxy, DPoP) or that HTTP manages (Host, Content-Length, Connection,
// Transfer-Encoding and the other hop-by-hop headers, Proxy-Authorization,
// Accept-Encoding).
// Its errors quote neither the value nor a name it does not know: either
// may hold a credential.
func CheckHeader(name, value string) error {
	switch {
	case !validHeaderName(name):
		return fmt.Errorf("%w: the name must be letters, digits or !#$%%&'*+-.^_`|~ (no space, none before the colon)", ErrBadHeader)
	case reservedHeader(name) != "":
		return fmt.Errorf("%s %w: %s", http.CanonicalHeaderKey(name), ErrReservedHeader, reservedHeader(name))
	case !validHeaderValue(value):
		return fmt.Errorf("%w: the value holds a control character (such as a line break)", ErrBadHeader)
	}
	return nil
}

func checkHeaders(h http.Header) error {
	for k, vs := range h {
		for _, v := range vs {
			if err := CheckHeader(k, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// reservedHeader says why a header is not the caller's to set, or "".
func reservedHeader(name string) string {
	switch http.CanonicalHeaderKey(name) {
	case "Authorization":
		return "skyswitch sends the account's access token"
	case "Atproto-Proxy":
		return "use --proxy"
	case "Dpop":
		return "skyswitch signs each request of an OAuth session itself"
	case "Accept-Encoding":
		return "HTTP asks for gzip and unpacks the answer itself"
	case "Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive",
		"Proxy-Connection", "Proxy-Authorization", "Te", "Trailer", "Upgrade":
		return "HTTP sets it itself"
	}
	return ""
}

// validHeaderName: a token (RFC 9110): visible ASCII but separators.
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// validHeaderValue: no control character but a tab (RFC 9110 field-value;
// bytes of 0x80 and over pass, as in Go's own check).
func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
