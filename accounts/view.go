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
	// HandleStatus is what the last check of the handle both ways found:
	// "verified", "unverified" (the handle never chooses the account) or
	// "unchecked" (never checked, or the lookups failed).
	HandleStatus string `json:"handleStatus"`
	// HandleNames is, for an unverified handle, what the lookup named
	// instead: the DID the handle resolves to, or the handle the DID
	// document names.
	HandleNames string `json:"handleNames,omitempty"`
	// HandleCheckedAt is when the handle was last checked, if ever.
	HandleCheckedAt time.Time `json:"handleCheckedAt,omitzero"`
	// HandleSharedWith are the other saved accounts that claim the same
	// handle: it then chooses none of them (see SharedWith).
	HandleSharedWith []string `json:"handleSharedWith,omitempty"`
	// Session is the kind of session: auth.KindPassword ("password") or
	// auth.KindOAuth ("oauth").
	Session string `json:"session"`
	// SessionEndsAt is when an OAuth session ends however often it is
	// refreshed (its sign-in plus the server's limit); zero, and left out
	// of the JSON, for a password session.
	SessionEndsAt time.Time `json:"sessionEndsAt,omitzero"`
}

// HandleMark is a summary's handle trouble in a word, "" for none:
// "shared" when another saved account claims it, "unverified" when its
// check found it false. Either way the handle does not choose the account.
func (s Summary) HandleMark() string {
	switch {
	case len(s.HandleSharedWith) > 0:
		return "shared"
	case s.HandleStatus == storage.HandleUnverified:
		return "unverified"
	}
	return ""
}

// SharedWith are the DIDs other than did that claim handle, from
// storage.State.SharedHandles.
func SharedWith(shared map[string][]string, did, handle string) []string {
	var others []string
	for _, d := range shared[strings.ToLower(handle)] {
		if d != did {
			others = append(others, d)
		}
	}
	return others
}

// Summarize describes a saved account at now.
func Summarize(a storage.Account, active bool, now time.Time) Summary {
	s := summarize(a.SessionData, now)
	s.Active = active
	s.LastRefreshError = a.LastRefreshError
	s.HandleStatus, s.HandleNames = a.HandleStatus()
	if storage.SameHandle(a.HandleCheck.Handle, a.Handle) {
		s.HandleCheckedAt = a.HandleCheck.At
	}
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
// An OAuth session's expiries are the ones it saved (its tokens are opaque
// to a client): the access token's from the token answer, the session's
// end as SessionEndsAt and as the refresh token's.
func summarize(d auth.SessionData, now time.Time) Summary {
	access, _ := auth.ParseClaims(d.AccessJwt) // zero claims when undecodable
	s := Summary{
		DID: d.DID, Handle: d.Handle, Service: d.Service, PDSURL: d.Endpoint(),
		AccessExpiresAt: access.ExpiresAt, RefreshExpiresAt: d.RefreshExpiry(), Session: d.Kind(),
		TokenKind: AccessKind(access), AccountStatus: AccountStatus(d),
		Email: d.Email, EmailConfirmed: d.EmailConfirmed, EmailAuthFactor: d.EmailAuthFactor,
		RefreshedAt: d.RefreshedAt, State: StateValid, HandleStatus: storage.HandleUnchecked,
	}
	if d.OAuth != nil {
		s.AccessExpiresAt, s.SessionEndsAt = d.AccessExpiry(), d.OAuth.SessionEndsAt
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
