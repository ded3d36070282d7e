package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// EventKind names a change in a session's life, as in @atproto/api.
type EventKind int

// Session events.
const (
	// EventUpdated: login or refresh succeeded; persist Data now.
	EventUpdated EventKind = iota + 1
	// EventUpdateFailed: a refresh failed without ending the session (the
	// server could not be reached, or answered 5xx or 429); Err says why.
	EventUpdateFailed
	// EventDeleted: the session is over, by Logout (Err nil) or because the
	// server refused the refresh token (Err is ExpiredToken, InvalidToken or
	// AccountTakedown). Remove Data from storage.
	EventDeleted
	// EventDeleteFailed: Logout could not reach the server; the session is
	// kept so the caller can retry or queue the revocation.
	EventDeleteFailed
)

func (k EventKind) String() string {
	switch k {
	case EventUpdated:
		return "updated"
	case EventUpdateFailed:
		return "update failed"
	case EventDeleted:
		return "deleted"
	case EventDeleteFailed:
		return "delete failed"
	}
	return "unknown"
}

// Event reports a change to a session. Data is the session as it stands
// after the change (for Deleted, as it was last).
type Event struct {
	Kind EventKind
	Data SessionData
	Err  error
}

// DefaultRefreshMargin is how long before expiry an access token is renewed.
const DefaultRefreshMargin = 5 * time.Minute

// SessionOptions configures a Session.
type SessionOptions struct {
	// OnEvent receives every event, in order, one at a time. It may call
	// the session's methods; events those raise are delivered after it
	// returns.
	OnEvent func(Event)
	// RefreshMargin: refresh before a request when the access token has
	// less than this left (scaled down for short-lived tokens, see
	// EffectiveMargin). 0 means DefaultRefreshMargin.
	RefreshMargin time.Duration
}

// Session is a signed-in account. It is safe for concurrent use: refreshes
// are coalesced into one call at a time, and a rotated token pair replaces
// the old one atomically.
type Session struct {
	c       *Client
	opts    SessionOptions
	mu      sync.Mutex
	data    SessionData
	ended   error   // non-nil once the session is over; wraps ErrLoggedOut
	flight  *flight // the refresh in progress, if any
	closing bool    // a Logout is under way: start no refresh
	events  []Event // queued for delivery
	busy    bool    // an OnEvent call is in progress
}

var errClosing = fmt.Errorf("%w: logout in progress", ErrLoggedOut)

type flight struct {
	done chan struct{}
	err  error
}

// NewSession wraps stored session data without any network call; the first
// request refreshes it if the server rejects the access token.
func (c *Client) NewSession(d SessionData, opts SessionOptions) *Session {
	if opts.RefreshMargin <= 0 {
		opts.RefreshMargin = DefaultRefreshMargin
	}
	return &Session{c: c, opts: opts, data: d}
}

// Resume wraps stored session data and refreshes it at once. When the server
// ends the session, it returns nil and the error. When the refresh fails for
// a passing reason, it returns the session (still holding its tokens, which
// it will try to refresh again on use) together with the error.
func (c *Client) Resume(ctx context.Context, d SessionData, opts SessionOptions) (*Session, error) {
	s := c.NewSession(d, opts)
	if err := s.Refresh(ctx); err != nil {
		if s.Err() != nil {
			return nil, err
		}
		return s, err
	}
	return s, nil
}

// Data returns a copy of the current session data.
func (s *Session) Data() SessionData {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data
}

// Err is nil while the session is usable, and wraps ErrLoggedOut (and the
// server's reason, if any) once it is over.
func (s *Session) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ended
}

// Refresh renews the token pair now. Concurrent calls share one request.
func (s *Session) Refresh(ctx context.Context) error {
	return s.refresh(ctx, "")
}

// refresh renews the tokens unless they already changed since the caller
// used stale (a concurrent refresh did the work). stale "" forces it.
func (s *Session) refresh(ctx context.Context, stale string) error {
	s.mu.Lock()
	if s.ended != nil {
		s.mu.Unlock()
		return s.ended
	}
	if stale != "" && s.data.AccessJwt != stale {
		s.mu.Unlock()
		return nil
	}
	if s.closing {
		s.mu.Unlock()
		return errClosing
	}
	f := s.flight
	if f == nil {
		f = &flight{done: make(chan struct{})}
		s.flight = f
		used := s.data
		// The flight outlives a caller that gives up: the server may
		// rotate the token whatever we do, so its answer must be kept.
		// The round trip's own bound (Timeout, for the whole answer) ends
		// it; a second timer would race that one.
		fctx := context.WithoutCancel(ctx)
		go func() {
			fresh, err := s.c.RefreshSession(fctx, used)
			s.land(f, used, fresh, err)
		}()
	}
	s.mu.Unlock()
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// land applies a refresh result, raises its event and wakes the waiters.
func (s *Session) land(f *flight, used, fresh SessionData, err error) {
	s.mu.Lock()
	s.flight = nil
	switch {
	case s.ended != nil:
		// Logged out meanwhile: never bring the session back.
		err = s.ended
	case err == nil:
		s.data = fresh
		s.queue(Event{Kind: EventUpdated, Data: fresh})
	case EndsSession(err):
		s.ended = fmt.Errorf("%w: %w", ErrLoggedOut, err)
		s.queue(Event{Kind: EventDeleted, Data: used, Err: err})
	default:
		s.queue(Event{Kind: EventUpdateFailed, Data: used, Err: err})
	}
	f.err = err
	s.mu.Unlock()
	// Deliver before releasing the waiters: when Refresh returns, OnEvent
	// has seen the result (and the caller may rely on it being persisted).
	s.dispatch()
	close(f.done)
}

// RefreshSession is the stateless refresh: it spends d's refresh token and
// returns the session with the rotated pair (an OAuth session's at its
// token endpoint, where invalid_grant ends it). Callers that hold the storage
// lock use it directly; everyone else uses Session.Refresh.
func (c *Client) RefreshSession(ctx context.Context, d SessionData) (SessionData, error) {
	if d.RefreshJwt == "" {
		return d, fmt.Errorf("%w: no refresh token", ErrLoggedOut)
	}
	if d.OAuth != nil {
		return c.refreshOAuth(ctx, d)
	}
	var w wireSession
	if err := c.do(ctx, refreshTokenCall("com.atproto.server.refreshSession", d), &w); err != nil {
		return d, err
	}
	if w.AccessJwt == "" || w.RefreshJwt == "" {
		return d, fmt.Errorf("com.atproto.server.refreshSession: %w: no tokens in the answer", ErrBadResponse)
	}
	cs := requestCredentials("", nil, w.AccessJwt, w.RefreshJwt, d.AccessJwt, d.RefreshJwt)
	if err := sameAccount("com.atproto.server.refreshSession", d.DID, w, cs); err != nil {
		return d, err
	}
	w.DID = d.DID
	out := d
	applyWire(&out, w)
	out.RefreshedAt = c.now().UTC()
	if len(w.DIDDoc) > 0 {
		c.locatePDS(ctx, &out)
	}
	return out, nil
}

// Query makes an authenticated XRPC query through the session's PDS.
func (s *Session) Query(ctx context.Context, nsid string, params url.Values, out any) error {
	return s.call(ctx, http.MethodGet, nsid, params, nil, out)
}

// Procedure makes an authenticated XRPC procedure through the session's PDS.
func (s *Session) Procedure(ctx context.Context, nsid string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("%s: encoding request: %w", nsid, err)
		}
	}
	return s.call(ctx, http.MethodPost, nsid, nil, body, out)
}

// call sends a request with the access token, refreshing first when the
// token is about to expire, and once more (then retrying) when the server
// rejects it with 401 or ExpiredToken.
func (s *Session) call(ctx context.Context, method, nsid string, params url.Values, body []byte, out any) error {
	d, err := s.usable()
	if err != nil {
		return err
	}
	now := s.c.now()
	if d.NeedsRefresh(now, s.opts.RefreshMargin) {
		if err := s.refresh(ctx, d.AccessJwt); err != nil && (s.Err() != nil || now.After(d.AccessExpiry())) {
			return err
		}
		if d, err = s.usable(); err != nil {
			return err
		}
	}
	err = s.c.do(ctx, sessionCall(method, nsid, d, params, body), out)
	s.keepNonces()
	if !TokenRejected(d, err) {
		return err
	}
	if rerr := s.refresh(ctx, d.AccessJwt); rerr != nil {
		return rerr
	}
	if d, err = s.usable(); err != nil {
		return err
	}
	err = s.c.do(ctx, sessionCall(method, nsid, d, params, body), out)
	s.keepNonces()
	return err
}

// sessionCall is a call with d's access token (with a DPoP proof for an
// OAuth session), whose errors may quote neither of d's tokens, nor its
// DPoP key.
func sessionCall(method, nsid string, d SessionData, params url.Values, body []byte) call {
	r := call{method: method, base: d.Endpoint(), nsid: nsid, bearer: d.AccessJwt, params: params, body: body,
		also: []string{d.RefreshJwt}, dpop: dpopFor(d)}
	if d.OAuth != nil {
		r.also = append(r.also, d.OAuth.DPoPKey)
	}
	return r
}

// refreshTokenCall is a bodiless procedure with d's refresh token
// (refreshSession, deleteSession), whose errors may quote neither token.
func refreshTokenCall(nsid string, d SessionData) call {
	return call{method: http.MethodPost, base: d.Endpoint(), nsid: nsid, bearer: d.RefreshJwt, also: []string{d.AccessJwt}}
}

func (s *Session) usable() (SessionData, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data, s.ended
}

// TokenRejected reports whether err is the server refusing d's access
// token, so that a refresh and one more try may help. For a password
// session that is a 401 or ExpiredToken. For an OAuth session it is a 401
// that names the token (invalid_token, as the reference PDS answers a
// token expired or revoked, or use_dpop_nonce still after the retry with
// the new nonce), as @atproto/oauth-client reads it: another 401 (a proof
// refused, a service behind the PDS refusing) is not the token's, and a
// refresh would rotate the session's tokens for nothing.
func TokenRejected(d SessionData, err error) bool {
	var xe *Error
	if !errors.As(err, &xe) {
		return false
	}
	if d.OAuth == nil {
		return xe.Status == http.StatusUnauthorized || xe.Name == "ExpiredToken"
	}
	if xe.Status != http.StatusUnauthorized {
		return false
	}
	for _, code := range []string{"invalid_token", "use_dpop_nonce"} {
		if xe.Name == code || challengeSays(xe.Header, code) {
			return true
		}
	}
	return false
}

// queue appends an event; s.mu must be held. Events are queued in the same
// critical section as the change they report, so they arrive in that order.
func (s *Session) queue(e Event) {
	if s.opts.OnEvent != nil {
		s.events = append(s.events, e)
	}
}

// dispatch delivers queued events one at a time, outside the lock, so an
// OnEvent that calls back into the session cannot deadlock it: whoever finds
// no delivery in progress delivers until the queue is empty.
func (s *Session) dispatch() {
	s.mu.Lock()
	if s.busy {
		s.mu.Unlock()
		return
	}
	s.busy = true
	for len(s.events) > 0 {
		e := s.events[0]
		s.events = s.events[1:]
		s.mu.Unlock()
		s.opts.OnEvent(e)
		s.mu.Lock()
	}
	s.busy = false
	s.mu.Unlock()
}
