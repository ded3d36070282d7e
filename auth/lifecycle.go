package auth

import (
	"context"
	"fmt"
	"time"
)

// EffectiveMargin scales a refresh margin to a token's lifetime: a token
// that lives less than four margins is refreshed when a quarter of its life
// is left, so short-lived tokens never cause a refresh loop.
func EffectiveMargin(lifetime, margin time.Duration) time.Duration {
	if lifetime > 0 && margin > lifetime/4 {
		return lifetime / 4
	}
	return margin
}

// RefreshDue reports whether an access token should be refreshed at now:
// less than the (scaled) margin is left. An undecodable token is never due:
// the server's 401 will tell.
func RefreshDue(accessJwt string, now time.Time, margin time.Duration) bool {
	c, err := ParseClaims(accessJwt)
	if err != nil || c.ExpiresAt.IsZero() {
		return false
	}
	return !now.Before(c.ExpiresAt.Add(-EffectiveMargin(c.Lifetime(), margin)))
}

// GetSession reads the account's status from the server
// (com.atproto.server.getSession) and keeps what changed: handle, email,
// 2FA, active and status. It raises Updated when anything did.
func (s *Session) GetSession(ctx context.Context) (SessionData, error) {
	var w wireSession
	if err := s.Query(ctx, "com.atproto.server.getSession", nil, &w); err != nil {
		return s.Data(), err
	}
	s.mu.Lock()
	if s.ended != nil || (w.DID != "" && w.DID != s.data.DID) {
		d, err := s.data, s.ended
		s.mu.Unlock()
		if err == nil {
			err = fmt.Errorf("com.atproto.server.getSession: %w: answer is for another account", ErrBadResponse)
		}
		return d, err
	}
	before := s.data
	w.DID, w.AccessJwt, w.RefreshJwt = before.DID, "", ""
	applyWire(&s.data, w)
	d := s.data
	if !sameStatus(before, d) {
		s.queue(Event{Kind: EventUpdated, Data: d})
	}
	s.mu.Unlock()
	s.dispatch()
	return d, nil
}

func sameStatus(a, b SessionData) bool {
	return a.Handle == b.Handle && a.Email == b.Email && a.EmailConfirmed == b.EmailConfirmed &&
		a.EmailAuthFactor == b.EmailAuthFactor && a.Active == b.Active && a.Status == b.Status &&
		string(a.DIDDoc) == string(b.DIDDoc)
}

// Logout revokes the session on the server (deleteSession with the refresh
// token) and ends it here. An answer saying the token is already expired or
// revoked counts as done. When the server cannot be reached the session is
// kept, DeleteFailed is raised and the error returned, so the caller can
// queue a retry. A password session's access token stays valid on the
// server until its own expiry: the protocol has no way to revoke it. An
// OAuth session is revoked at its revocation endpoint, which ends its
// access token too on the reference server.
func (s *Session) Logout(ctx context.Context) error {
	s.mu.Lock()
	if s.ended != nil {
		s.mu.Unlock()
		return nil
	}
	// No refresh may start from here on, and one in flight may rotate the
	// token: wait for it, then revoke the newest.
	s.closing = true
	f := s.flight
	s.mu.Unlock()
	if f != nil {
		select {
		case <-f.done:
		case <-ctx.Done():
			s.mu.Lock()
			s.closing = false
			s.mu.Unlock()
			return ctx.Err()
		}
	}
	d := s.Data()
	err := s.c.DeleteSession(ctx, d)
	s.mu.Lock()
	s.closing = false
	switch {
	case s.ended != nil:
		err = nil
	case err == nil:
		s.ended = ErrLoggedOut
		s.queue(Event{Kind: EventDeleted, Data: d})
	default:
		s.queue(Event{Kind: EventDeleteFailed, Data: d, Err: err})
	}
	s.mu.Unlock()
	s.dispatch()
	return err
}

// DeleteSession revokes stored session data on the server without resuming
// it: deleteSession accepts a refresh token even after it expired; an OAuth
// session is revoked at its revocation endpoint. An answer saying it is
// already expired or revoked counts as done (nil).
func (c *Client) DeleteSession(ctx context.Context, d SessionData) error {
	if d.OAuth != nil {
		return c.revokeOAuth(ctx, d)
	}
	if d.RefreshJwt == "" {
		return nil
	}
	err := c.do(ctx, refreshTokenCall("com.atproto.server.deleteSession", d), nil)
	if EndsSession(err) {
		return nil
	}
	return err
}
