// Package accounts is what skyswitch does with saved accounts: log in,
// switch, hand out a valid token, refresh, log out. It joins auth (the
// network) and storage (the file) so that the command line and the TUI run
// exactly the same code.
//
// Every change is a storage transaction. Network calls happen outside the
// file lock; a refresh holds the account's refresh lock across its network
// call instead, so two processes never spend the same rotating refresh
// token: the second one re-reads the file and adopts the first one's tokens.
package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
)

// Errors callers map to messages and exit codes.
var (
	// ErrNoAccount: no saved account matches, or none is active.
	ErrNoAccount = errors.New("no such account")
	// ErrSessionEnded: the server ended the session (revoked, expired or
	// taken down); only a new login helps.
	ErrSessionEnded = errors.New("session ended: log in again")
)

// Manager runs account operations against one store and one client.
type Manager struct {
	Store  *storage.Store
	Client *auth.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Handles looks handles up to check them both ways (VerifyHandles):
	// the command line gives auth.PublicHandles over the client's
	// resolver, tests a stand-in. Nil means no lookups: every handle stays
	// unchecked, and only a handle two accounts claim is refused.
	Handles auth.HandleResolver

	mu      sync.Mutex
	notes   []string // see Warnings
	flights inflight // see Settle
}

func (m *Manager) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// Load returns a snapshot of the saved accounts.
func (m *Manager) Load(ctx context.Context) (*storage.State, error) {
	return m.Store.LoadContext(ctx)
}

// noAccount is an ErrNoAccount that says which in its own words.
type noAccount string

func (e noAccount) Error() string        { return string(e) }
func (e noAccount) Is(target error) bool { return target == ErrNoAccount }

// Find resolves a handle, DID or "" (the active account) in st; an error
// wrapping ErrNoAccount says, in words for people, that none answers, and a
// *storage.HandleError that the handle cannot choose (two saved accounts
// claim it, or it is unverified).
func Find(st *storage.State, ident string) (*storage.Account, error) {
	if LookAlike(ident) {
		return nil, lookAlike(ident)
	}
	a, ok, err := st.Choose(ident)
	if ident == "" {
		a, ok = st.ActiveAccount()
	}
	switch {
	case err != nil:
		return nil, err
	case !ok:
		return nil, missingIn(st, ident)
	}
	return a, nil
}

// LoggedOutError is an ErrNoAccount for an account that was logged out
// here: its DID, and its handle then (when known).
type LoggedOutError struct{ storage.LoggedOut }

// Name is the account as people know it: "@handle (did)", or the DID.
func (e *LoggedOutError) Name() string {
	if e.Handle == "" {
		return e.DID
	}
	return "@" + e.Handle + " (" + e.DID + ")"
}

func (e *LoggedOutError) Error() string {
	return e.Name() + " was logged out: skyswitch login logs in to it again"
}

// Is makes a LoggedOutError an ErrNoAccount.
func (e *LoggedOutError) Is(target error) bool { return target == ErrNoAccount }

// missingIn says that no account in st answers to ident, and that it was
// logged out when st remembers so.
func missingIn(st *storage.State, ident string) error {
	if l, ok := st.WasLoggedOut(ident); ok && ident != "" {
		return &LoggedOutError{l}
	}
	return missing(ident)
}

// missing says that no account answers to ident ("": none is active).
func missing(ident string) error {
	if ident == "" {
		return noAccount("no active account: add one with skyswitch login, or pick one with skyswitch switch")
	}
	return noAccount(ident + " is not a saved account (skyswitch list shows them)")
}

// LookAlike tells whether ident, a name given for an account, is a handle
// that is not plain ASCII, such as one with K (the Kelvin sign) for k or ſ
// (the long s) for s. Handles are ASCII (a server's answer that is not a
// valid handle is saved as handle.invalid) and compare in ASCII
// (storage.SameHandle), so such a name chooses no account anyway; Find and
// lookup say why, not only that none is saved. A DID is matched exactly.
func LookAlike(ident string) bool {
	q := strings.TrimPrefix(strings.TrimSpace(ident), "@")
	if strings.HasPrefix(q, "did:") {
		return false
	}
	for i := 0; i < len(q); i++ {
		if q[i] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// lookAlike says that a LookAlike name is no saved account, and why.
func lookAlike(ident string) error {
	return noAccount(ident + " is not a saved account: handles are plain ASCII, and this name only looks like one")
}

// lookup reads the account a handle, DID or "" (the active one) names,
// without decoding the others and without any lookup on the network (a
// handle that cannot choose gives a *storage.HandleError).
func (m *Manager) lookup(ctx context.Context, ident string) (*storage.Account, error) {
	if LookAlike(ident) {
		return nil, lookAlike(ident)
	}
	a, ok, err := m.Store.LoadAccount(ctx, ident)
	switch {
	case err != nil:
		return nil, err
	case !ok:
		return nil, m.missing(ctx, ident)
	case a.SecretsErr() != nil:
		return nil, fmt.Errorf("@%s: %w", a.Handle, a.SecretsErr())
	}
	return a, nil
}

// missing is missing(ident), and says that the account was logged out
// when the file remembers so.
func (m *Manager) missing(ctx context.Context, ident string) error {
	if ident != "" {
		if l, ok, err := m.Store.WasLoggedOut(ctx, ident); err == nil && ok {
			return &LoggedOutError{l}
		}
	}
	return missing(ident)
}

// lockAccount finds the account, takes its refresh lock and reads it again
// under the lock, so that what the caller then does with its tokens (spend,
// check, revoke) starts from the newest stored ones and no other process
// can rotate them meanwhile. The caller must call release.
func (m *Manager) lockAccount(ctx context.Context, ident string) (a *storage.Account, release func(), err error) {
	if a, err = m.lookup(ctx, ident); err != nil {
		return nil, nil, err
	}
	did := a.DID
	if release, err = m.Store.LockAccount(ctx, did); err != nil {
		return nil, nil, err
	}
	if a, err = m.lookup(ctx, did); err != nil {
		release()
		if errors.Is(err, ErrNoAccount) {
			err = noAccount(did + " was logged out meanwhile")
		}
		return nil, nil, err
	}
	return a, release, nil
}

// Login signs in, saves the account and makes it the active identity. If
// the session cannot be saved it is revoked on the server again, so no
// session is left behind that nobody holds.
//
// One DID has one live session here: logging in again to a saved account
// replaces its session, and the replaced one is revoked where it lived (on
// its own PDS, which may not be this login's). It is queued as a pending
// logout in the same transaction that saves the new one, so it is revoked
// later if its server cannot be reached now; a note says so, and says when
// the account's PDS changed, or when the replaced session's tokens could not
// be read (the OS keyring failed) and it was not revoked.
func (m *Manager) Login(ctx context.Context, in auth.LoginInput) (storage.Account, error) {
	return m.login(ctx, in, loginMode{})
}

// loginMode is what a login may do besides saving the session: LoginAgain
// names the account it must be for, and keeps the active identity.
type loginMode struct {
	// did, when set, is the only account the login may be for.
	did string
	// keepActive leaves the active identity as it is, unless none is.
	keepActive bool
}

func (m *Manager) login(ctx context.Context, in auth.LoginInput, mode loginMode) (storage.Account, error) {
	s, err := m.Client.Login(ctx, in, auth.SessionOptions{})
	if err != nil {
		return storage.Account{}, err
	}
	return m.adopt(ctx, s.Data(), mode)
}

// adopt saves a session a sign-in just made, of either kind, as login
// describes: revoked again when the sign-in was cancelled meanwhile or is
// for another account than mode names; replacing (and revoking) the
// session the account had, whatever its kind.
func (m *Manager) adopt(ctx context.Context, d auth.SessionData, mode loginMode) (storage.Account, error) {
	if err := ctx.Err(); err != nil {
		// Cancelled (esc in the form) after the server made the session:
		// the person asked for nothing to be saved, so it is revoked.
		m.revoke(ctx, d)
		return storage.Account{}, err
	}
	if mode.did != "" && d.DID != mode.did {
		m.revoke(ctx, d)
		return storage.Account{}, m.otherAccount(ctx, mode.did, d)
	}
	acct, replaced, err := m.save(ctx, d, mode.keepActive)
	if err != nil {
		return acct, err
	}
	m.verifyNow(ctx, acct.DID)
	if replaced == nil {
		return acct, nil
	}
	if moved := HostOf(replaced.Endpoint()); moved != HostOf(acct.Endpoint()) {
		m.note(fmt.Sprintf("@%s now lives on %s, not %s as saved before: the server this login used says so", acct.Handle, HostOf(acct.Endpoint()), moved))
	}
	m.revokeReplaced(ctx, *replaced)
	return acct, nil
}

// revoke ends a session nobody will hold, even when ctx is already done.
func (m *Manager) revoke(ctx context.Context, d auth.SessionData) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_ = m.Client.DeleteSession(rctx, d)
}

// Switch makes the named account the active identity; "-" goes back to the
// previous one.
func (m *Manager) Switch(ctx context.Context, ident string) (storage.Account, error) {
	var out storage.Account
	err := m.Store.UpdateContext(ctx, func(st *storage.State) error {
		if ident == "-" {
			if st.Previous == "" {
				return noAccount("no previous identity to go back to")
			}
			ident = st.Previous
		}
		a, err := Find(st, ident)
		if err != nil {
			return err
		}
		a.LastUsedAt = m.now().UTC()
		out = *a
		return st.SetActive(a.DID)
	})
	return out, err
}
