package accounts

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
)

// save stores the session as the active account (with keepActive: only
// when no account is active; the active one stays so) and returns the live
// session it replaced (queued for logout in the same write), if any. A
// handle changed since the account was saved, or claimed by another saved
// account, is noted. A saved account keeps its place in the file, and so
// in the list, and its AddedAt; LastUsedAt moves only when it is active
// afterwards.
//
// The write holds the account's refresh lock, under which the replaced
// session is read first (see holdReplaced): no other process rotates it
// meanwhile, and a keyring that fails in the write does not lose it. A
// replaced session whose tokens cannot be read at all is named in a note
// saying it was not revoked.
func (m *Manager) save(ctx context.Context, d auth.SessionData, keepActive bool) (storage.Account, *auth.SessionData, error) {
	release, read := m.holdReplaced(ctx, d.DID)
	defer release()
	now := m.now().UTC()
	acct := storage.Account{SessionData: d, AddedAt: now, LastUsedAt: now}
	var r replacing
	var was string
	var others []string
	err := m.Store.UpdateContext(ctx, func(st *storage.State) error {
		r, was = replacing{}, d.Handle
		others = otherClaimants(st, d.DID, d.Handle)
		activate := !keepActive || st.Active == "" || st.Active == d.DID
		acct.LastUsedAt = now // again: the transaction may run twice
		if old, ok := st.Account(d.DID); ok {
			acct.AddedAt, was = old.AddedAt, old.Handle
			if !activate {
				acct.LastUsedAt = old.LastUsedAt
			}
			r.take(st, old, read, d, now)
		}
		st.Upsert(acct)
		if !activate {
			return nil
		}
		return st.SetActive(d.DID)
	})
	if err != nil {
		m.revoke(ctx, d)
		return storage.Account{}, nil, fmt.Errorf("logged in, but could not save the session (it was revoked again): %w", err)
	}
	switch {
	case !storage.SameHandle(was, acct.Handle):
		m.note(renamed(was, acct, "this login", others))
	case len(others) > 0:
		m.note(fmt.Sprintf("another saved account (%s) also claims @%s: a handle is only a claim, so neither is chosen by it any more; choose by DID", strings.Join(others, ", "), acct.Handle))
	}
	if r.unread != nil {
		m.note(fmt.Sprintf("the session @%s had before this login was not revoked, as its tokens could not be read (%v): it stays live on %s until it expires",
			r.unreadHandle, r.unread, HostOf(r.unreadEndpoint)))
	}
	return acct, r.replaced, nil
}

// replacing is what save's write found of the session it replaces: the
// live one queued for logout, or why a live one could not be read.
type replacing struct {
	replaced                     *auth.SessionData
	unread                       error
	unreadHandle, unreadEndpoint string
}

// take queues old's live session for logout in st, as replaced by d. Its
// secrets are old's, or, when they could not be read in this write (the
// keyring failed), read's, the same stored session read before under the
// account's refresh lock.
func (r *replacing) take(st *storage.State, old, read *storage.Account, d auth.SessionData, now time.Time) {
	sd, err := replacedSession(old, read)
	switch {
	case old.SessionEnded || refreshExpired(sd.RefreshExpiry(), now):
		// Nothing live to revoke.
	case err != nil:
		r.unread, r.unreadHandle, r.unreadEndpoint = err, old.Handle, old.Endpoint()
	case sd.RefreshJwt != d.RefreshJwt:
		r.replaced = &sd
		st.QueueLogout(sd, now)
	}
}

// replacedSession is old's session, whole, or an error saying why its
// secrets cannot be had. When they could not be read in this write, it is
// read's, provided that is the same stored session: the same kind, the
// same fingerprint of its secrets in the file, the same endpoint. Without
// them, old's would be only its half in the file (no tokens, no key).
func replacedSession(old, read *storage.Account) (auth.SessionData, error) {
	err := old.SecretsErr()
	switch {
	case err == nil:
		return old.SessionData, nil
	case read == nil || read.SecretsErr() != nil || read.DID != old.DID || read.Kind() != old.Kind() ||
		read.SecretsTag != old.SecretsTag || read.Endpoint() != old.Endpoint():
		return old.SessionData, err // the keyring's error: it names no secret
	}
	return read.SessionData, nil
}

// holdReplaced takes did's refresh lock for the write that replaces its
// session, and reads the saved session under it. A lock that cannot be
// had (its holder stuck), or an account not saved or unreadable, gives no
// session; the login goes on all the same, as the server has made its
// session. The caller must call release.
func (m *Manager) holdReplaced(ctx context.Context, did string) (release func(), read *storage.Account) {
	release, err := m.Store.LockAccount(ctx, did)
	if err != nil {
		return func() {}, nil
	}
	a, ok, err := m.Store.LoadAccount(ctx, did)
	if err != nil || !ok || a.SecretsErr() != nil {
		return release, nil
	}
	return release, a
}

// revokeReplaced revokes the session a login replaced, now; it stays in
// the pending-logout queue when its server cannot be reached.
func (m *Manager) revokeReplaced(ctx context.Context, old auth.SessionData) {
	err := m.Client.DeleteSession(ctx, old)
	_, _, serr := m.settle(ctx, map[string]error{old.RefreshJwt: err}, m.now())
	switch {
	case err != nil:
		m.note(fmt.Sprintf("the session @%s had before this login could not be revoked on %s (%v); skyswitch will retry", old.Handle, HostOf(old.Endpoint()), err))
	case serr != nil:
		m.note(fmt.Sprintf("the session @%s had before this login was revoked, but the accounts file still lists it for logout: %v", old.Handle, serr))
	}
}
