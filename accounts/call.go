package accounts

import (
	"context"
	"errors"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
)

// Call makes r as the named account (or the active one, for ""), as
// Bluesky's own clients do: the access token is refreshed first when it is
// about to expire (auth.DefaultRefreshMargin, scaled to short-lived tokens),
// and once more when the server rejects it (401, ExpiredToken), after which
// the request is sent again, once. Every refresh runs under the account's
// lock and adopts another process's refresh when it finds one, so no
// refresh token is ever spent twice. Call never logs in: an ended session
// is ErrSessionEnded. It returns the account as it was used.
//
// The request goes as the session's kind wants (auth.Client.RawSession): a
// Bearer, or for an OAuth session the DPoP-bound token with a proof, sent
// once more when the PDS asks for a new nonce. The nonces the call got are
// saved with the session (keepNonces), so the next process starts with
// them.
func (m *Manager) Call(ctx context.Context, ident string, r auth.RawRequest) (*auth.RawResponse, storage.Account, error) {
	a, err := m.callable(ctx, ident)
	if err != nil {
		return nil, a, err
	}
	resp, err := m.Client.RawSession(ctx, a.SessionData, r)
	m.keepNonces(ctx, a)
	if !auth.TokenRejected(a.SessionData, err) {
		return resp, a, err
	}
	// Tokens another process stored since are adopted (refresh tokens
	// rotate on every refresh; access tokens minted in the same second
	// may be identical).
	used := a.RefreshJwt
	a, err = m.refresh(ctx, a.DID, func(s *storage.Account) bool { return s.RefreshJwt != used })
	if err != nil {
		return nil, a, err
	}
	resp, err = m.Client.RawSession(ctx, a.SessionData, r)
	m.keepNonces(ctx, a)
	return resp, a, err
}

// callable is the account with an access token fit for a call: refreshed
// first when due (by its expiry: an OAuth session's tokens are opaque, and
// their expiry is the one the token answer gave). A refresh that fails
// without ending the session leaves the old token in use while it has not
// expired.
func (m *Manager) callable(ctx context.Context, ident string) (storage.Account, error) {
	a, err := m.lookup(ctx, ident)
	if err != nil {
		return storage.Account{}, err
	}
	if err := usable(a, m.now()); err != nil {
		return *a, err
	}
	if !a.NeedsRefresh(m.now(), auth.DefaultRefreshMargin) {
		return *a, nil
	}
	fresh, err := m.refresh(ctx, a.DID, func(s *storage.Account) bool {
		return !s.NeedsRefresh(m.now(), auth.DefaultRefreshMargin)
	})
	switch {
	case err == nil:
		return fresh, nil
	case errors.Is(err, ErrSessionEnded), !lasts(a.SessionData, m.now(), 0):
		return fresh, err
	}
	return *a, nil
}
