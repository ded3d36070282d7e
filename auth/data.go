package auth

import (
	"encoding/json"
	"time"
)

// SessionData is everything a password session consists of, in the shape it
// is persisted. It holds no password: a session lives on its refresh token.
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
func (d SessionData) AccessExpiry() time.Time { return expiryOf(d.AccessJwt) }

// RefreshExpiry is the expiry of the refresh token, or the zero time when the
// token cannot be decoded.
func (d SessionData) RefreshExpiry() time.Time { return expiryOf(d.RefreshJwt) }

func expiryOf(token string) time.Time {
	c, err := ParseClaims(token)
	if err != nil {
		return time.Time{}
	}
	return c.ExpiresAt
}
