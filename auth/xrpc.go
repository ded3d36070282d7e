package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Defaults for a zero Client.
const (
	DefaultTimeout          = 30 * time.Second
	DefaultMaxResponseBytes = 1 << 20
	DefaultPLCURL           = "https://plc.directory"
	maxMessageLen           = 300
)

// Version goes into the User-Agent; main sets it from the build.
var Version = "dev"

// Client makes XRPC calls and resolves identities. The zero value is ready to
// use; it is safe for concurrent use once its fields are set.
type Client struct {
	// HTTP is the transport; nil means a client that follows no redirects.
	HTTP *http.Client
	// Timeout bounds each call whose context has no deadline; 0 means DefaultTimeout.
	Timeout time.Duration
	// MaxResponseBytes caps a response body; 0 means DefaultMaxResponseBytes.
	MaxResponseBytes int64
	// UserAgent overrides "skyswitch/<Version>".
	UserAgent string
	// Resolver finds PDSes; nil means DNS and HTTPS with plc.directory.
	Resolver *Resolver
	// Now is the clock used for proactive refresh; nil means time.Now.
	Now func() time.Time
}

var noRedirects = &http.Client{
	// XRPC never redirects; following one could carry the bearer token to
	// another host.
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func (c *Client) httpClient() *http.Client {
	if c != nil && c.HTTP != nil {
		return c.HTTP
	}
	return noRedirects
}

func (c *Client) now() time.Time {
	if c != nil && c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) timeout() time.Duration {
	if c != nil && c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultTimeout
}

func (c *Client) maxBytes() int64 {
	if c != nil && c.MaxResponseBytes > 0 {
		return c.MaxResponseBytes
	}
	return DefaultMaxResponseBytes
}

func (c *Client) userAgent() string {
	if c != nil && c.UserAgent != "" {
		return c.UserAgent
	}
	return "skyswitch/" + Version
}

// Query makes an XRPC query (GET) to base and decodes the JSON answer into out
// (nil discards it). bearer, when set, goes into the Authorization header.
func (c *Client) Query(ctx context.Context, base, nsid, bearer string, params url.Values, out any) error {
	return c.do(ctx, http.MethodGet, base, nsid, bearer, params, nil, out)
}

// Procedure makes an XRPC procedure (POST) with in as its JSON body (nil for
// none) and decodes the answer into out (nil discards it).
func (c *Client) Procedure(ctx context.Context, base, nsid, bearer string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("%s: encoding request: %w", nsid, err)
		}
	}
	return c.do(ctx, http.MethodPost, base, nsid, bearer, nil, body, out)
}

func (c *Client) do(ctx context.Context, method, base, nsid, bearer string, params url.Values, body []byte, out any) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout())
		defer cancel()
	}
	u := strings.TrimRight(base, "/") + "/xrpc/" + nsid
	if len(params) > 0 {
		u += "?" + params.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("%s: %w", nsid, err)
	}
	req.Header.Set("User-Agent", c.userAgent())
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return fmt.Errorf("%s: %s: %w", nsid, req.URL.Host, scrubURLError(err))
	}
	defer resp.Body.Close()
	data, err := readCapped(resp.Body, c.maxBytes())
	if err != nil {
		return fmt.Errorf("%s: %w: %w", nsid, ErrBadResponse, err)
	}
	if resp.StatusCode >= 300 {
		return withholdCredentials(decodeError(nsid, resp, data, c.now()), bearer, body)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s: %w: body is not the JSON expected", nsid, ErrBadResponse)
	}
	return nil
}

// readCapped reads a body of at most max bytes; a longer one is an error, so
// a hostile server cannot make us hold an unbounded answer.
func readCapped(r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("reading body: %w", err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("body larger than %d bytes", max)
	}
	return data, nil
}

func decodeError(nsid string, resp *http.Response, data []byte, now time.Time) error {
	e := &Error{Method: nsid, Status: resp.StatusCode}
	var body struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal(data, &body) == nil {
		e.Name = word(body.Error, 64)
		e.Message = printable(body.Message, maxMessageLen)
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		e.Message = "unexpected redirect (not followed)"
	}
	e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), now)
	if s, err := strconv.ParseInt(strings.TrimSpace(resp.Header.Get("RateLimit-Reset")), 10, 64); err == nil && s > 0 {
		e.RateLimitReset = time.Unix(s, 0).UTC()
	}
	return e
}

func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// clip cuts s to n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// scrubURLError drops the URL from a transport error's text (the caller names
// the host): query strings are where secrets would appear first.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
