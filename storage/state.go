package storage

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/sanitize"
)

// CurrentVersion is the newest format version this build reads and writes.
// A file with a higher version is refused with ErrTooNew. Any change to the
// document's fields, even an added one, bumps it: an older build refuses
// unknown fields rather than silently dropping them on its next write.
//
// Version 2 added the keyring fields (State.Secrets, State.KeyringID,
// Account.Secrets). A file is written as version 1 while it uses none of
// them, so builds that know only version 1 keep reading it; once it does,
// they refuse it as written by a newer skyswitch (never as corrupt, and
// never misreading an account whose tokens are elsewhere as tokenless).
//
// Version 3 added Account.HandleCheck, the cached outcome of checking a
// handle both ways. A file is written as version 3 only once an account
// holds one; builds that know up to version 2 then refuse it as too new
// ("upgrade skyswitch"), never as corrupt, and never drop the mark of an
// unverified handle by writing the file back without it.
//
// Version 4 added State.LoggedOut, what is remembered of logouts.
//
// Version 5 added auth.SessionData.OAuth (an OAuth session: its client_id,
// issuer, endpoints, scope, ends, DPoP nonces, and its DPoP key, a secret
// kept with the tokens). A file is written as version 5 only once an
// account or a queued logout holds one; builds that know up to version 4
// then refuse it as too new ("upgrade skyswitch"), never as corrupt, and
// never drop a session's key by writing the file back without it.
const CurrentVersion = 5

// SecretsKeyring is the value of State.Secrets and Account.Secrets for
// tokens kept in the OS keyring. The empty value means the accounts file.
const SecretsKeyring = "keyring"

// State is the whole accounts document. Load returns a private copy; inside
// Update the callback changes it and Update writes it back.
type State struct {
	Version int `json:"version"`
	// Active is the DID of the identity in use, or empty.
	Active string `json:"active"`
	// Previous is the identity active before Active, for "switch -".
	Previous string    `json:"previous"`
	Accounts []Account `json:"accounts"`
	// PendingLogouts are sessions whose server-side revocation failed and
	// must be retried.
	PendingLogouts []PendingLogout `json:"pendingLogouts"`
	// LoggedOut remembers the accounts logged out lately, DID and handle
	// only (see NoteLoggedOut), so that an override still naming one says
	// what happened.
	LoggedOut []LoggedOut `json:"loggedOut,omitempty"`
	// Secrets is where the tokens of accounts added from now on go: "" for
	// the accounts file, SecretsKeyring for the OS keyring. UseSecrets
	// changes it and moves every account's tokens.
	Secrets string `json:"secrets,omitempty"`
	// KeyringID names this accounts file in keyring items (their user is
	// "<did> <KeyringID>"), so two config folders never share an item. Set
	// when the first token goes to the keyring, dropped when none is there.
	KeyringID string `json:"keyringId,omitempty"`

	// moveSecrets: UseSecrets was called in this transaction.
	moveSecrets bool
}

// Account is one saved identity: its session (flattened into the JSON
// object) and local bookkeeping. No password is ever stored.
type Account struct {
	auth.SessionData
	AddedAt    time.Time `json:"addedAt,omitzero"`
	LastUsedAt time.Time `json:"lastUsedAt,omitzero"`
	// LastRefreshError is the last failed refresh, cleared by a successful
	// one (see State.ApplyRefresh and State.RecordRefreshError).
	LastRefreshError   string    `json:"lastRefreshError,omitempty"`
	LastRefreshErrorAt time.Time `json:"lastRefreshErrorAt,omitzero"`
	// SessionEnded: the server refused the refresh token for good
	// (expired, revoked, taken down); only a new login revives the account.
	// Set by MarkEnded, cleared by ApplyRefresh and by Upsert of a new login.
	SessionEnded bool `json:"sessionEnded,omitzero"`
	// Secrets is where this account's two tokens (and an OAuth session's
	// DPoP key) live: "" in this file, SecretsKeyring in the OS keyring
	// (the file then holds them empty). The store sets it: it reads them
	// from there into AccessJwt, RefreshJwt and OAuth.DPoPKey, and writes
	// them back there; callers leave it alone and use State.UseSecrets to
	// move tokens.
	Secrets string `json:"secrets,omitempty"`
	// SecretsTag fingerprints the tokens (and key) this account last put
	// in the keyring (16 hex digits of their SHA-256: nothing to learn a
	// token from), so that a store that has read them once need not ask the
	// keyring again while the file names the same tokens. The store sets
	// it; callers leave it alone.
	SecretsTag string `json:"secretsTag,omitempty"`
	// HandleCheck is the last outcome of checking Handle both ways (see
	// HandleCheck and HandleStatus); zero when never checked.
	HandleCheck HandleCheck `json:"handleCheck,omitzero"`

	// secretsErr is why the tokens could not be read from the keyring.
	secretsErr error
}

// SecretsErr tells why this account's tokens could not be read from the OS
// keyring (AccessJwt, RefreshJwt and an OAuth session's DPoP key are then
// empty), or nil. The error names no token and no key.
func (a *Account) SecretsErr() error { return a.secretsErr }

// UseSecrets sets where tokens are kept, "" (or "file") for the accounts
// file or SecretsKeyring, and has the enclosing Update move every account's
// tokens there: to the keyring first, then the file; out of the keyring
// after the file is written. An account whose move fails stays where it was
// and Store.Warnings says so.
func (s *State) UseSecrets(where string) error {
	switch where {
	case "", "file":
		s.Secrets = ""
	case SecretsKeyring:
		s.Secrets = SecretsKeyring
	default:
		return fmt.Errorf("unknown secrets store %q: want file or keyring", where)
	}
	s.moveSecrets = true
	return nil
}

// formatVersion is the lowest version that holds s: 5 once an account or
// a queued logout holds an OAuth session, 4 once it remembers a logout, 3
// once an account holds a HandleCheck, 2 once it uses the keyring, else 1.
func (s *State) formatVersion() int {
	for i := range s.PendingLogouts {
		if s.PendingLogouts[i].Session.OAuth != nil {
			return 5
		}
	}
	v := 1
	if s.Secrets != "" || s.KeyringID != "" {
		v = 2
	}
	if len(s.LoggedOut) > 0 {
		v = 4
	}
	for i := range s.Accounts {
		a := &s.Accounts[i]
		switch {
		case a.OAuth != nil:
			return 5
		case a.HandleCheck != (HandleCheck{}):
			v = max(v, 3)
		case a.Secrets != "" || a.SecretsTag != "":
			v = max(v, 2)
		}
	}
	return v
}

// PendingLogout is a session still to be revoked on its server.
type PendingLogout struct {
	Session   auth.SessionData `json:"session"`             // what to revoke
	QueuedAt  time.Time        `json:"queuedAt,omitzero"`   // when logout was asked
	Attempts  int              `json:"attempts"`            // failed revocations so far
	LastError string           `json:"lastError,omitempty"` // why the last one failed
	// LastAttemptAt is when the revocation was last tried, for backoff.
	LastAttemptAt time.Time `json:"lastAttemptAt,omitzero"`
}

// RecordAttempt notes a failed revocation: one more attempt, when, and why.
func (p *PendingLogout) RecordAttempt(err error, at time.Time) {
	p.Attempts++
	p.LastAttemptAt = at
	p.LastError = savedText(err.Error())
}

// maxSavedText bounds an error saved in the file, in bytes.
const maxSavedText = 512

// savedText is an error's text as the file keeps it: on one line, with
// every rune a terminal could act on made visible (the rule every sink
// applies; see internal/sanitize), and cut to maxSavedText.
func savedText(s string) string {
	s = sanitize.Line(s)
	if len(s) <= maxSavedText {
		return s
	}
	cut := maxSavedText
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// NewState returns an empty state: what a missing file loads as. Its
// Version is 1, the version it is written as; Update sets Version to what
// the state needs (see CurrentVersion).
func NewState() *State { return &State{Version: 1} }

// Account returns the saved account with this DID. The pointer is into the
// state: changes through it are kept by Update.
func (s *State) Account(did string) (*Account, bool) {
	for i := range s.Accounts {
		if s.Accounts[i].DID == did {
			return &s.Accounts[i], true
		}
	}
	return nil, false
}

// Find looks an account up by DID or by handle, as Choose does: a handle
// two saved accounts claim, or an unverified one, finds nothing (Choose
// says why). A leading "@" is ignored and handles compare
// case-insensitively; DIDs compare exactly.
func (s *State) Find(handleOrDID string) (*Account, bool) {
	a, ok, err := s.Choose(handleOrDID)
	return a, ok && err == nil
}

// matcher is Find's test for one account, or nil when handleOrDID names
// nothing.
func matcher(handleOrDID string) func(did, handle string) bool {
	q := strings.TrimPrefix(strings.TrimSpace(handleOrDID), "@")
	switch {
	case q == "":
		return nil
	case strings.HasPrefix(q, "did:"):
		return func(did, _ string) bool { return did == q }
	}
	return func(_, handle string) bool { return SameHandle(handle, q) }
}

// SameHandle tells whether a and b are the same handle: equal but for the
// case of ASCII letters. Handles are ASCII; Unicode's case folding, in
// which ſ is s and K (the Kelvin sign) is k, would let a look-alike name,
// or a look-alike written into the file by hand, choose an account.
func SameHandle(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// ActiveAccount returns the active account, if any.
func (s *State) ActiveAccount() (*Account, bool) {
	if s.Active == "" {
		return nil, false
	}
	return s.Account(s.Active)
}

// Upsert saves a, replacing the account with the same DID (keeping its
// AddedAt when a.AddedAt is zero, and its HandleCheck when a has none) or
// appending it. It reports whether the account is new.
func (s *State) Upsert(a Account) (added bool) {
	if old, ok := s.Account(a.DID); ok {
		if a.AddedAt.IsZero() {
			a.AddedAt = old.AddedAt
		}
		if a.HandleCheck == (HandleCheck{}) {
			a.HandleCheck = old.HandleCheck
		}
		a.Secrets, a.SecretsTag = old.Secrets, old.SecretsTag
		*old = a
		return false
	}
	s.Accounts = append(s.Accounts, a)
	s.ForgetLoggedOut(a.DID)
	return true
}

// Remove deletes the account with this DID and returns it, so the caller can
// queue its logout. If it was active, no identity is active afterwards: Remove
// never makes another account active, not even the previous one, because a
// script that logged out and then calls the server must fail (no active
// account) rather than act as an identity nobody chose. Previous stays, so
// "switch -" goes back to it on purpose.
func (s *State) Remove(did string) (Account, bool) {
	i := slices.IndexFunc(s.Accounts, func(a Account) bool { return a.DID == did })
	if i < 0 {
		return Account{}, false
	}
	removed := s.Accounts[i]
	s.Accounts = slices.Delete(s.Accounts, i, i+1)
	if s.Previous == did {
		s.Previous = ""
	}
	if s.Active == did {
		s.Active = ""
	}
	return removed, true
}

// SetActive makes did the active identity and remembers the one it replaces
// as Previous. An empty did means no active identity. Setting the identity
// that is already active changes nothing.
func (s *State) SetActive(did string) error {
	if did != "" {
		if _, ok := s.Account(did); !ok {
			return fmt.Errorf("no saved account %s", did)
		}
	}
	if did == s.Active {
		return nil
	}
	if s.Active != "" {
		s.Previous = s.Active
	}
	s.Active = did
	if s.Previous == s.Active {
		s.Previous = ""
	}
	return nil
}

// QueueLogout records a session whose server-side revocation is still owed.
// A session without a refresh token (nothing to revoke) or already queued is
// ignored; the result tells whether it was added.
func (s *State) QueueLogout(sd auth.SessionData, now time.Time) bool {
	if sd.RefreshJwt == "" {
		return false
	}
	if _, ok := s.PendingLogout(sd.RefreshJwt); ok {
		return false
	}
	s.PendingLogouts = append(s.PendingLogouts, PendingLogout{Session: sd, QueuedAt: now})
	return true
}

// PendingLogout returns the queued logout for this refresh token. The
// pointer is into the state, for recording Attempts and LastError.
func (s *State) PendingLogout(refreshJwt string) (*PendingLogout, bool) {
	for i := range s.PendingLogouts {
		if s.PendingLogouts[i].Session.RefreshJwt == refreshJwt {
			return &s.PendingLogouts[i], true
		}
	}
	return nil, false
}

// DropLogout removes the queued logout for this refresh token, once the
// server has revoked it. It reports whether one was queued.
func (s *State) DropLogout(refreshJwt string) bool {
	n := len(s.PendingLogouts)
	s.PendingLogouts = slices.DeleteFunc(s.PendingLogouts, func(p PendingLogout) bool {
		return p.Session.RefreshJwt == refreshJwt
	})
	return len(s.PendingLogouts) != n
}
