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

	"github.com/skyswitch/skyswitch/internal/sanitize"
)

// Defaults for a zero Client.
const (
	DefaultTimeout          = 30 * time.Second
	DefaultMaxResponseBytes = 1 << 20
	DefaultPLCURL           = "https://plc.directory"
	maxMessageLen           = 300
)

// DefaultVersion is the version a client without one names in its
// User-Agent.
const DefaultVersion = "dev"

// userAgent is "skyswitch/<version>", DefaultVersion when version is "".
func userAgent(version string) string {
	if version == "" {
		version = DefaultVersion
	}
	return "skyswitch/" + version
}

// Client makes XRPC calls and resolves identities. The zero value is ready to
// use; it is safe for concurrent use once its fields are set.
type Client struct {
	// HTTP is the transport; nil means http.DefaultTransport. No redirect
	// is followed, whatever its CheckRedirect says.
	HTTP *http.Client
	// Timeout is how long an answer may take to come whole, or, for Raw's
	// 2xx, its headers; 0 means DefaultTimeout. Raw's 2xx body has no
	// deadline: like every body, it fails when it comes slower than
	// DefaultMinRate over DefaultStallWindow (roundTrip).
	Timeout time.Duration
	// MaxResponseBytes caps a buffered response body (every answer but a
	// Raw 2xx); 0 means DefaultMaxResponseBytes. A longer one is refused.
	MaxResponseBytes int64
	// Version is the build's version, sent as "skyswitch/<Version>" in the
	// User-Agent; "" means DefaultVersion.
	Version string
	// UserAgent overrides "skyswitch/<Version>".
	UserAgent string
	// Resolver finds PDSes; nil means DNS and HTTPS with plc.directory.
	Resolver *Resolver
	// Now is the clock used for proactive refresh; nil means time.Now.
	Now func() time.Time

	// pace is the stall rule of bodies; zero means the defaults. Tests
	// scale it down.
	pace pace
	// nonces are the DPoP nonces servers gave, by origin (OAuth sessions).
	nonces nonceStore
}

// dpopNonces is c's nonce store; a nil Client gets a fresh one.
func (c *Client) dpopNonces() *nonceStore {
	if c == nil {
		return &nonceStore{}
	}
	return &c.nonces
}

// trip is the round trip of a call of nsid.
func (c *Client) trip(nsid string) roundTrip {
	t := roundTrip{timeout: c.timeout(), nsid: nsid}
	if c != nil {
		t.client, t.pace = c.HTTP, c.pace
	}
	return t
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
	if c == nil {
		return userAgent("")
	}
	return userAgent(c.Version)
}

// Query makes an XRPC query (GET) to base and decodes the JSON answer into out
// (nil discards it). bearer, when set, goes into the Authorization header.
func (c *Client) Query(ctx context.Context, base, nsid, bearer string, params url.Values, out any) error {
	return c.do(ctx, call{method: http.MethodGet, base: base, nsid: nsid, bearer: bearer, params: params}, out)
}

// Procedure makes an XRPC procedure (POST) with in as its JSON body (nil for
// none) and decodes the answer into out (nil discards it).
func (c *Client) Procedure(ctx context.Context, base, nsid, bearer string, in, out any) error {
	return c.procedure(ctx, call{method: http.MethodPost, base: base, nsid: nsid, bearer: bearer}, in, out)
}

// procedure encodes in as r's body and makes the call.
func (c *Client) procedure(ctx context.Context, r call, in, out any) error {
	if in != nil {
		var err error
		if r.body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("%s: encoding request: %w", r.nsid, err)
		}
	}
	return c.do(ctx, r, out)
}

// call is one XRPC request.
type call struct {
	method, base, nsid string
	bearer             string // the Authorization header's token, if any
	params             url.Values
	body               []byte // JSON, or nil
	// also are credentials the request does not carry but which its errors
	// must not quote either: a session's other token.
	also []string
	// dpop is set for an OAuth session's call: the bearer goes as
	// "Authorization: DPoP", with a proof from this key.
	dpop *dpopAuth
}

// do makes the call. Whatever error it returns has been checked against
// every credential in flight (withholdCredentials).
func (c *Client) do(ctx context.Context, r call, out any) error {
	cs := requestCredentials(r.bearer, r.body, r.also...)
	var err error
	if len(cs) > 0 {
		err = credentialURLCheck(r.nsid, r.base)
	}
	if err == nil {
		err = c.send(ctx, r, cs, out)
	}
	return withholdCredentials(r.nsid, err, cs)
}

// send makes the request and reads its answer. Transport failures come
// back as *TransportError, error answers as *Error with cs withheld.
// An OAuth session's call asked for a new DPoP nonce is sent once more.
func (c *Client) send(ctx context.Context, r call, cs credentials, out any) error {
	for attempt := 0; ; attempt++ {
		req, err := c.newRequest(ctx, r)
		if err != nil {
			return err
		}
		resp, err := c.trip(r.nsid).do(req)
		if err != nil {
			return err
		}
		data, err := readBody(resp, c.maxBytes())
		if r.dpop.retry(c, resp, data, attempt) {
			continue
		}
		return c.decode(r.nsid, resp, data, err, cs, out)
	}
}

// decode makes the answer to a call out, or its error.
func (c *Client) decode(nsid string, resp *http.Response, data []byte, err error, cs credentials, out any) error {
	if resp.StatusCode >= 300 {
		return answerError(nsid, resp, data, err, c.now(), cs)
	}
	if err != nil {
		return bodyError(nsid, err)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s: %w: body is not the JSON expected", nsid, ErrBadResponse)
	}
	return nil
}

// newRequest builds r's HTTP request with its headers.
func (c *Client) newRequest(ctx context.Context, r call) (*http.Request, error) {
	u := strings.TrimRight(r.base, "/") + "/xrpc/" + r.nsid
	if len(r.params) > 0 {
		u += "?" + r.params.Encode()
	}
	var rd io.Reader
	if r.body != nil {
		rd = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %s", r.nsid, ErrBadURL, clip(sanitize.Line(r.base), maxDetailLen))
	}
	req.Header.Set("User-Agent", c.userAgent())
	req.Header.Set("Accept", "application/json")
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	switch {
	case r.dpop != nil:
		if err := r.dpop.sign(c, req, r.bearer); err != nil {
			return nil, fmt.Errorf("%s: %w", r.nsid, err)
		}
	case r.bearer != "":
		req.Header.Set("Authorization", "Bearer "+r.bearer)
	}
	return req, nil
}

// credentialURLCheck refuses a base URL that NormalizeServiceURL would refuse
// (plain http to anything but loopback, a user, a path…) for a request
// carrying a credential. URLs read from the accounts file are held to the
// same rules as those typed or found on the network, before any byte is sent.
func credentialURLCheck(nsid, base string) error {
	_, err := NormalizeServiceURL(base)
	if err == nil && !strings.Contains(base, "://") {
		err = fmt.Errorf("%w: no scheme", ErrBadURL)
	}
	if err != nil {
		return fmt.Errorf("%s: refusing to send credentials to %s: %w", nsid, clip(sanitize.Line(strings.TrimSpace(base)), maxDetailLen), err)
	}
	return nil
}

// decodeError makes an *Error of an answer of status 300 or more. Its
// name and message are checked against the credentials in flight before
// they are cleaned: a message that quotes one is withheld.
func decodeError(nsid string, resp *http.Response, data []byte, now time.Time, cs credentials) error {
	e := &Error{Method: nsid, Status: resp.StatusCode}
	var body struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal(data, &body) == nil {
		e.Name = word(body.Error, 64)
		e.Message = clip(sanitize.Line(body.Message), maxMessageLen)
		if cs.quotedIn(body.Error) || cs.quotedIn(e.Name) {
			e.Name = ""
		}
		if cs.quotedIn(body.Message) || cs.quotedIn(e.Message) {
			e.Message = withheld
		}
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		e.Message = "unexpected redirect (not followed)"
	}
	e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), now)
	e.RateLimitReset = parseRateLimitReset(resp.Header.Get("RateLimit-Reset"), now)
	return e
}

// MaxRetryWait is the longest wait a server's Retry-After or RateLimit-Reset
// is taken to ask for: anything further is clamped to it, so that no
// header, however absurd, overflows a duration.
const MaxRetryWait = 365 * 24 * time.Hour

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP date.
// It is zero when absent, unreadable, negative or past, and at most
// MaxRetryWait.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseUint(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		if secs > uint64(MaxRetryWait/time.Second) {
			return MaxRetryWait
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), MaxRetryWait)
	}
	return 0
}

// parseRateLimitReset reads a RateLimit-Reset header in unix seconds, as
// Bluesky sends it. It is the zero time when absent, unreadable or not
// positive, and at most MaxRetryWait after now.
func parseRateLimitReset(v string, now time.Time) time.Time {
	s, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) || s <= 0 {
		return time.Time{}
	}
	limit := now.Add(MaxRetryWait).Truncate(time.Second).UTC()
	if s > limit.Unix() {
		return limit
	}
	return time.Unix(s, 0).UTC()
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
