package storage

import (
	"cmp"
	"time"

	"github.com/skyswitch/skyswitch/auth"
)

// ApplyRefresh stores the result of a token refresh made with usedRefreshJwt.
// It is a compare-and-swap: the account's session is replaced only when the
// stored refresh token is still usedRefreshJwt (or already fresh's), or when
// fresh's refresh token was issued strictly later than the stored one. So a
// slow process can never write stale tokens over fresh ones written by
// another. Call it inside Store.Update, which makes read-compare-write one
// transaction across processes.
//
// On success the local fields are kept, the refresh error is cleared, and
// Service, PDSURL, DIDDoc and RefreshedAt are kept from the stored session
// when fresh leaves them empty; so is an OAuth session's data, member by
// member (see mergedOAuth). The refresh tokens compared may be JWTs (a
// password session's) or opaque (an OAuth server's, which are never taken
// for later ones: only the one used, or fresh's own, is replaced).
//
// An account whose stored refresh token is unknown (Account.SecretsErr:
// the keyring could not be read in this transaction) takes fresh's
// tokens: the caller spent the one it read, under the account's lock.
//
// A removed account is never brought back: applied is false. If that
// account's session is queued for logout under usedRefreshJwt, the queued
// session takes fresh's tokens instead, so the revocation uses the live
// token.
func (s *State) ApplyRefresh(usedRefreshJwt string, fresh auth.SessionData) (applied bool) {
	if fresh.RefreshJwt == "" {
		return false
	}
	a, ok := s.Account(fresh.DID)
	if !ok {
		if p, ok := s.PendingLogout(usedRefreshJwt); ok && usedRefreshJwt != "" && p.Session.DID == fresh.DID {
			p.Session = merged(p.Session, fresh)
		}
		return false
	}
	stored := a.RefreshJwt
	// No stored token (its keyring item could not be read just now): the
	// fresh one, opaque or not, is the newest there is.
	if stored != "" && stored != usedRefreshJwt && stored != fresh.RefreshJwt && !issuedLater(fresh.RefreshJwt, stored) {
		return false
	}
	a.SessionData = merged(a.SessionData, fresh)
	a.LastRefreshError, a.LastRefreshErrorAt = "", time.Time{}
	a.SessionEnded = false
	return true
}

// RecordRefreshError notes a failed refresh made with usedRefreshJwt (msg
// is kept as savedText makes it), only if that token is still the stored one: a late failure must not mark an
// account that another process has meanwhile refreshed. It reports whether
// the error was recorded.
func (s *State) RecordRefreshError(did, usedRefreshJwt, msg string, at time.Time) bool {
	a, ok := s.Account(did)
	if !ok || a.RefreshJwt != usedRefreshJwt {
		return false
	}
	a.LastRefreshError, a.LastRefreshErrorAt = savedText(msg), at
	return true
}

// MarkEnded notes that the server ended the session of did when asked to
// refresh usedRefreshJwt (ExpiredToken, InvalidToken, AccountTakedown), only
// if that token is still the stored one: another process may have logged
// in again meanwhile. The account is kept, so the person sees it and can log
// in again; it reports whether it was marked.
func (s *State) MarkEnded(did, usedRefreshJwt, reason string, at time.Time) bool {
	if !s.RecordRefreshError(did, usedRefreshJwt, reason, at) {
		return false
	}
	a, _ := s.Account(did)
	a.SessionEnded = true
	return true
}

// merged is fresh with the fields a refresh response may omit taken from old.
func merged(old, fresh auth.SessionData) auth.SessionData {
	if fresh.Service == "" {
		fresh.Service = old.Service
	}
	if fresh.PDSURL == "" {
		fresh.PDSURL = old.PDSURL
	}
	if len(fresh.DIDDoc) == 0 {
		fresh.DIDDoc = old.DIDDoc
	}
	if fresh.RefreshedAt.IsZero() {
		fresh.RefreshedAt = old.RefreshedAt
	}
	fresh.OAuth = mergedOAuth(old.OAuth, fresh.OAuth)
	return fresh
}

// mergedOAuth is fresh's OAuth data with what a refresh does not change
// taken from old's when fresh leaves it empty: the client_id, issuer,
// endpoints, key and scope of the sign-in, the session's end (refreshes do
// not move it), the last nonces. The access token's expiry is fresh's
// alone: old's was the spent token's. A result with no OAuth data at all
// keeps old's (without that expiry). Neither old nor fresh is changed.
func mergedOAuth(old, fresh *auth.OAuthData) *auth.OAuthData {
	switch {
	case fresh == nil && old != nil:
		o := *old
		o.AccessExpiresAt = time.Time{}
		return &o
	case fresh == nil || old == nil:
		return fresh
	}
	o := *fresh
	o.ClientID = cmp.Or(o.ClientID, old.ClientID)
	o.Issuer = cmp.Or(o.Issuer, old.Issuer)
	o.TokenEndpoint = cmp.Or(o.TokenEndpoint, old.TokenEndpoint)
	o.RevocationEndpoint = cmp.Or(o.RevocationEndpoint, old.RevocationEndpoint)
	o.DPoPKey = cmp.Or(o.DPoPKey, old.DPoPKey)
	o.Scope = cmp.Or(o.Scope, old.Scope)
	o.AuthServerNonce = cmp.Or(o.AuthServerNonce, old.AuthServerNonce)
	o.PDSNonce = cmp.Or(o.PDSNonce, old.PDSNonce)
	if o.SessionEndsAt.IsZero() {
		o.SessionEndsAt = old.SessionEndsAt
	}
	return &o
}

// issuedLater reports whether token a was issued strictly after token b,
// going by their iat claims. Undecodable tokens are never later.
func issuedLater(a, b string) bool {
	ca, err := auth.ParseClaims(a)
	if err != nil || ca.IssuedAt.IsZero() {
		return false
	}
	cb, err := auth.ParseClaims(b)
	if err != nil || cb.IssuedAt.IsZero() {
		// The stored token cannot be dated; a decodable fresh one wins
		// only if the stored one is gone altogether.
		return b == ""
	}
	return ca.IssuedAt.After(cb.IssuedAt)
}
