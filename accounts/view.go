package accounts

import (
	"strings"
	"time"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
)

// Account states, as `list --json` and `status --json` report them.
const (
	StateValid         = "valid"          // the access token works
	StateExpired       = "expired"        // the access token expired; the next use refreshes it
	StateEnded         = "ended"          // the session is over: log in again
	StateLogoutPending = "logout-pending" // removed here, revocation on the server still owed
	// StateKeyringUnreadable: the tokens are kept in the OS keyring, which
	// could not give them now (locked, missing, not answering, or the item
	// is gone); Summary.KeyringError says why. Nothing refreshes it until
	// they can be read again.
	StateKeyringUnreadable = "keyring-unreadable"
)

// Summary is an account as scripts see it (`list --json`, `status --json`).
// It never holds a token.
type Summary struct {
	DID              string         `json:"did"`
	Handle           string         `json:"handle"`
	Service          string         `json:"service"`
	PDSURL           string         `json:"pdsUrl"`
	Active           bool           `json:"active"`
	AccessExpiresAt  time.Time      `json:"accessExpiresAt,omitzero"`
	RefreshExpiresAt time.Time      `json:"refreshExpiresAt,omitzero"`
	State            string         `json:"state"`
	TokenKind        auth.TokenKind `json:"tokenKind"`
	AccountStatus    string         `json:"accountStatus"`
	Email            string         `json:"email,omitempty"`
	EmailConfirmed   bool           `json:"emailConfirmed"`
	EmailAuthFactor  bool           `json:"emailAuthFactor"`
	RefreshedAt      time.Time      `json:"refreshedAt,omitzero"`
	LastRefreshError string         `json:"lastRefreshError,omitempty"`
	// KeyringError is why the tokens could not be read from the OS
	// keyring (state keyring-unreadable). It names no token.
	KeyringError string `json:"keyringError,omitempty"`
}

// Summarize describes a saved account at now.
func Summarize(a storage.Account, active bool, now time.Time) Summary {
	s := summarize(a.SessionData, now)
	s.Active = active
	s.LastRefreshError = a.LastRefreshError
	switch {
	case a.SessionEnded || refreshExpired(s.RefreshExpiresAt, now):
		s.State = StateEnded
	case a.SecretsErr() != nil:
		// Its tokens are empty here: not expired, but out of reach.
		s.State, s.KeyringError = StateKeyringUnreadable, a.SecretsErr().Error()
	}
	return s
}

// SummarizePending describes a queued logout.
func SummarizePending(p storage.PendingLogout, now time.Time) Summary {
	s := summarize(p.Session, now)
	s.State = StateLogoutPending
	s.LastRefreshError = p.LastError
	return s
}

// summarize decodes each token once (a list of 1,000 accounts adds up).
func summarize(d auth.SessionData, now time.Time) Summary {
	access, _ := auth.ParseClaims(d.AccessJwt) // zero claims when undecodable
	s := Summary{
		DID: d.DID, Handle: d.Handle, Service: d.Service, PDSURL: d.Endpoint(),
		AccessExpiresAt: access.ExpiresAt, RefreshExpiresAt: d.RefreshExpiry(),
		TokenKind: AccessKind(access), AccountStatus: AccountStatus(d),
		Email: d.Email, EmailConfirmed: d.EmailConfirmed, EmailAuthFactor: d.EmailAuthFactor,
		RefreshedAt: d.RefreshedAt, State: StateValid,
	}
	if !now.Before(s.AccessExpiresAt) {
		s.State = StateExpired
	}
	return s
}

// TokenKind is what an access token may do, from its scope claim:
// auth.KindAppPassword, auth.KindAppPasswordPrivileged, auth.KindFull or
// auth.KindUnknown.
func TokenKind(accessJwt string) auth.TokenKind {
	c, err := auth.ParseClaims(accessJwt)
	if err != nil {
		return auth.KindUnknown
	}
	return AccessKind(c)
}

// AccessKind is the kind of an access token with these claims; one scoped
// as a refresh token is of no kind an access token can be.
func AccessKind(c auth.Claims) auth.TokenKind {
	if k := c.Kind(); k != auth.KindRefresh {
		return k
	}
	return auth.KindUnknown
}

// KindText is an access token's kind in words, for people.
func KindText(kind auth.TokenKind) string {
	switch kind {
	case auth.KindAppPassword, auth.KindAppPasswordPrivileged, auth.KindFull:
		return kind.String()
	}
	return "unknown kind"
}

// HostOf is the host (and port) of a server URL, for narrow columns.
func HostOf(u string) string {
	_, h, _ := strings.Cut(u, "://")
	return h
}

// AccountStatus is "active", or the server's status (deactivated,
// takendown, suspended, ...).
func AccountStatus(d auth.SessionData) string {
	if d.Status != "" {
		return d.Status
	}
	if !d.Active {
		return "inactive"
	}
	return "active"
}
