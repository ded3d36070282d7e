package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// roundTrip is the one way auth sends a request and gets its answer, for
// XRPC calls (do), Raw and identity resolution alike. Its rules:
//   - no redirect is followed, whatever the HTTP client says: a 3xx comes
//     back as the answer, and every caller takes it for an error;
//   - the headers must arrive within timeout; an answer read whole (every
//     one but a stream's 2xx) must arrive whole within it, so that a call
//     made under a lock ends within timeout (storage's account lock wait);
//   - a body fails when it comes slower than pace (meter); a stream's has
//     no deadline of its own: the caller's context is its only other bound;
//   - every failure is a *TransportError, in skyswitch's words when the
//     cause is one of these bounds.
type roundTrip struct {
	client  *http.Client // nil means http.DefaultTransport
	timeout time.Duration
	pace    pace
	nsid    string // for errors; "" for identity resolution
	stream  bool   // a 2xx body is a stream, read as it comes (Raw)
}

// The causes a round trip cancels its request with.
var (
	errTimedOut = errors.New("answer timed out")
	errStalled  = errors.New("body stalled")
)

// stopRedirects is every round trip's CheckRedirect.
func stopRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// noRedirects is the client a round trip uses when given none.
var noRedirects = &http.Client{CheckRedirect: stopRedirects}

// noFollow is c made to follow no redirect: following one could carry a
// credential to another host.
func noFollow(c *http.Client) *http.Client {
	if c == nil {
		return noRedirects
	}
	cc := *c
	cc.CheckRedirect = stopRedirects
	return &cc
}

// do sends req and returns its answer, whose body (watched as the rules
// say) the caller must close.
func (t roundTrip) do(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(req.Context())
	req = req.WithContext(ctx)
	sent := time.Now()
	timer := time.AfterFunc(t.timeout, func() { cancel(errTimedOut) })
	resp, err := noFollow(t.client).Do(req)
	whole := err == nil && !(t.stream && resp.StatusCode < 300)
	if !whole && !timer.Stop() && err == nil {
		// The headers came as the time ran out: the request is cancelled.
		resp.Body.Close()
		err = context.Canceled
	}
	if err != nil {
		terr := t.failure(ctx, req.URL.Host, err, false, sent)
		cancel(nil)
		return nil, terr
	}
	body := &watchedBody{rc: resp.Body, cancel: cancel, m: newMeter(t.pace, time.Since(sent))}
	reader := t
	if whole {
		body.deadline = timer
	} else {
		reader.nsid = "" // a stream's reader names the call itself
	}
	body.fail = func(err error) error { return reader.failure(ctx, req.URL.Host, err, true, sent) }
	resp.Body = body
	return resp, nil
}

// readBody reads a buffered answer's body (every answer but Raw's 2xx
// stream) and closes it. The rule for all of them: at most max bytes; a
// longer body is refused (errTooLarge), never cut and used. Other errors
// are the round trip's *TransportError.
func readBody(resp *http.Response, max int64) ([]byte, error) {
	defer resp.Body.Close()
	return readCapped(resp.Body, max)
}

// bodyError is the error of a buffered body that could not be read: over
// the cap (refused, ErrBadResponse) or the round trip's *TransportError.
func bodyError(nsid string, err error) error {
	switch {
	case errors.Is(err, errTooLarge) && nsid == "":
		return fmt.Errorf("%w: %w", ErrBadResponse, err)
	case errors.Is(err, errTooLarge):
		return fmt.Errorf("%s: %w: %w", nsid, ErrBadResponse, err)
	}
	return err
}

// answerError is the error of an answer of status 300 or more whose body
// gave data and readErr. A body over the cap is not read, but the status
// stands: the *Error says so in its message. A body that failed otherwise
// is the round trip's failure.
func answerError(nsid string, resp *http.Response, data []byte, readErr error, now time.Time, cs credentials) error {
	if readErr != nil && !errors.Is(readErr, errTooLarge) {
		return readErr
	}
	err := decodeError(nsid, resp, data, now, cs)
	if xe, ok := err.(*Error); ok && readErr != nil && xe.Message == "" {
		xe.Message = "(its body was too large to read)"
	}
	return err
}

// failure makes err, from sending or (reading true) from reading the
// body, a *TransportError: one of the round trip's bounds in skyswitch's
// words, or what transportError makes of the rest.
func (t roundTrip) failure(ctx context.Context, host string, err error, reading bool, sent time.Time) *TransportError {
	var te *TransportError
	if errors.As(err, &te) {
		return te // already said, by the body
	}
	var ne net.Error
	switch cause := context.Cause(ctx); {
	case cause == errTimedOut:
		return boundFailure(t.nsid, host, TransportTimeout, waitText(t.timeout), &boundError{"timed out"})
	case cause == errStalled:
		return boundFailure(t.nsid, host, TransportStalled, t.pace.orDefault().String(), &boundError{"body stalled"})
	case errors.Is(cause, context.Canceled):
		return transportError(t.nsid, host, err, reading) // the caller gave up
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		// The caller's deadline, or the HTTP client's own timeout.
		return boundFailure(t.nsid, host, TransportTimeout, waitText(time.Since(sent)), err)
	}
	return transportError(t.nsid, host, err, reading)
}

// boundError is the cause of a failure at one of the round trip's own
// bounds: a timeout, for errors.Is (context.DeadlineExceeded) and net.Error
// alike, so IsTransient holds. It is not context.Canceled, which would say
// the caller gave up.
type boundError struct{ text string }

func (e *boundError) Error() string        { return e.text }
func (e *boundError) Timeout() bool        { return true }
func (e *boundError) Temporary() bool      { return true }
func (e *boundError) Is(target error) bool { return target == context.DeadlineExceeded }

// watchedBody is an answer's body under the stall rule: while a Read waits,
// a timer is set for the moment the meter says the body has failed, and
// then cancels the request. Its errors (io.EOF aside) are *TransportError.
type watchedBody struct {
	rc     io.ReadCloser
	cancel context.CancelCauseFunc
	fail   func(error) error

	deadline *time.Timer // for all of an answer read whole; else nil

	mu    sync.Mutex
	m     *meter
	start time.Time // of the Read in progress; zero between Reads
	timer *time.Timer
}

func (b *watchedBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	b.start = time.Now()
	b.arm(b.m.used)
	b.mu.Unlock()

	n, err := b.rc.Read(p)

	b.mu.Lock()
	b.timer.Stop()
	b.m.add(b.m.used+time.Since(b.start), n)
	b.start = time.Time{}
	b.mu.Unlock()
	if err != nil && err != io.EOF {
		err = b.fail(err)
	}
	return n, err
}

// arm sets the timer for the moment the body fails if no byte comes; now
// is the waited time. Callers hold b.mu.
func (b *watchedBody) arm(now time.Duration) {
	d := b.m.stallAt() - now
	if b.timer == nil {
		b.timer = time.AfterFunc(d, b.check)
		return
	}
	b.timer.Reset(d)
}

// check ends the request if the Read in progress has waited too long; a
// timer that fired late, after its Read, finds none and does nothing.
func (b *watchedBody) check() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.start.IsZero() {
		return
	}
	now := b.m.used + time.Since(b.start)
	if b.m.stalled(now) {
		b.cancel(errStalled)
		return
	}
	b.arm(now)
}

// Close closes the body and ends the request.
func (b *watchedBody) Close() error {
	b.mu.Lock()
	if b.timer != nil {
		b.timer.Stop()
	}
	b.mu.Unlock()
	if b.deadline != nil {
		b.deadline.Stop()
	}
	err := b.rc.Close()
	b.cancel(nil)
	return err
}

// errTooLarge is readCapped's error for a body over its cap.
var errTooLarge = errors.New("body too large")

// readCapped reads a body of at most max bytes; a longer one is an error
// (errTooLarge), so a hostile server cannot make us hold an unbounded answer,
// nor have a cut one taken for whole. A read error is returned as it is.
func readCapped(r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%w: more than %d bytes", errTooLarge, max)
	}
	return data, nil
}
