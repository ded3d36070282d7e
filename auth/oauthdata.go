package auth

import "time"

// Session kinds, as list --json and status --json name them.
const (
	KindPassword = "password"
	KindOAuth    = "oauth"
)

// OAuthData is what an OAuth session holds beside its two tokens (which
// live in SessionData's AccessJwt and RefreshJwt, secrets like a password
// session's). A refresh must present the same client_id and DPoP key as
// the sign-in did: a different one ends the whole session on the server.
type OAuthData struct {
	// ClientID is the exact client_id sent at sign-in (a loopback client's
	// "http://localhost?redirect_uri=…&scope=…"), reused byte for byte.
	ClientID string `json:"clientId"`
	// Issuer is the authorization server's issuer, checked against the
	// callback's iss and the token answer.
	Issuer string `json:"issuer"`
	// TokenEndpoint and RevocationEndpoint are the authorization server's,
	// from its metadata at sign-in.
	TokenEndpoint      string `json:"tokenEndpoint"`
	RevocationEndpoint string `json:"revocationEndpoint,omitempty"`
	// DPoPKey is the session's ES256 private key: base64url (no padding)
	// of its PKCS #8 DER. It is a secret like the tokens: kept where they
	// are (the file or the OS keyring), never printed, never in an error.
	DPoPKey string `json:"dpopKey"`
	// Scope is the scope the server granted.
	Scope string `json:"scope"`
	// AccessExpiresAt is when the access token lapses (now + expires_in at
	// the token answer): a client treats OAuth tokens as opaque.
	AccessExpiresAt time.Time `json:"accessExpiresAt,omitzero"`
	// SessionEndsAt is when the session ends however often it is refreshed:
	// the sign-in time plus the server's limit (14 days for a public
	// client). The server never says it; refreshes do not move it.
	SessionEndsAt time.Time `json:"sessionEndsAt,omitzero"`
	// AuthServerNonce and PDSNonce are the last DPoP nonces each server
	// gave, kept apart; not secrets.
	AuthServerNonce string `json:"authServerNonce,omitempty"`
	PDSNonce        string `json:"pdsNonce,omitempty"`
}

// Kind is KindOAuth for an OAuth session, else KindPassword.
func (d SessionData) Kind() string {
	if d.OAuth != nil {
		return KindOAuth
	}
	return KindPassword
}
