package auth

import (
	"encoding/json"
	"time"
)

// SessionData is everything a session consists of, in the shape it is
// persisted: a password session's, or, with OAuth set, an OAuth session's.
// It holds no password: a session lives on its refresh token.
type SessionData struct {
	AccessJwt       string          `json:"accessJwt"`
	RefreshJwt      string          `json:"refreshJwt"`
	DID             string          `json:"did"`
	Handle          string          `json:"handle"`
	Email           string          `json:"email,omitempty"`
	EmailConfirmed  bool            `json:"emailConfirmed,omitzero"`
	EmailAuthFactor bool            `json:"emailAuthFactor,omitzero"`
	Active          bool            `json:"active"`
	Status          string          `json:"status,omitempty"`
	DIDDoc          json.RawMessage `json:"didDoc,omitempty"`
	// Service is where the login happened (an entryway such as
	// https://bsky.social, or the PDS itself).
	Service string `json:"service"`
	// PDSURL is where requests go: the #atproto_pds endpoint of the DID
	// document, or Service when the document names none.
	PDSURL      string    `json:"pdsUrl"`
	RefreshedAt time.Time `json:"refreshedAt,omitzero"`
	// OAuth is set for an OAuth (DPoP-bound) session, nil for a password
	// session; see OAuthData.
	OAuth *OAuthData `json:"oauth,omitempty"`
}

// Endpoint is the base URL requests made with this session go to.
func (d SessionData) Endpoint() string {
	if d.PDSURL != "" {
		return d.PDSURL
	}
	return d.Service
}

// AccessExpiry is the expiry of the access token, or the zero time when the
// token cannot be decoded.
func (d SessionData) AccessExpiry() time.Time {
	if d.OAuth != nil && !d.OAuth.AccessExpiresAt.IsZero() {
		return d.OAuth.AccessExpiresAt
	}
	return expiryOf(d.AccessJwt)
}

// RefreshExpiry is the expiry of the refresh token, or the zero time when the
// token cannot be decoded.
// For an OAuth session it is SessionEndsAt, past which no refresh works.
func (d SessionData) RefreshExpiry() time.Time {
	if d.OAuth != nil {
		return d.OAuth.SessionEndsAt
	}
	return expiryOf(d.RefreshJwt)
}

func expiryOf(token string) time.Time {
	c, err := ParseClaims(token)
	if err != nil {
		return time.Time{}
	}
	return c.ExpiresAt
}
