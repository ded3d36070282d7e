package accounts

import (
	"context"
	"time"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
)

// LogoutResult tells what a logout did.
type LogoutResult struct {
	Account storage.Account
	// Queued: the server could not be reached; the revocation waits in the
	// pending-logout queue (Err says why). The account is removed either way.
	Queued bool
	Err    error
	// WasActive: the account was the active identity. No identity is
	// active after logging it out (see storage.State.Remove).
	WasActive bool
	// Active is the identity active afterwards ("" for none), and
	// ActiveHandle its handle.
	Active, ActiveHandle string
	// PreviousHandle is the handle of the identity "switch -" goes back to
	// ("" for none).
	PreviousHandle string
	// AccessValidUntil: the access token cannot be revoked and stays valid
	// on the server until then.
	AccessValidUntil time.Time
}

// Logout revokes the named account's session on the server and removes the
// account. If it was active, no identity is active afterwards: a script that
// logs out and goes on fails for want of an account instead of acting as
// another one (the result says so, and who "switch -" would bring back). When the
// server cannot be reached the session is queued for a later retry (see
// RetryPendingLogouts) and the account is removed all the same.
func (m *Manager) Logout(ctx context.Context, ident string) (LogoutResult, error) {
	// Under the refresh lock: no other process may rotate the token we revoke.
	a, release, err := m.lockAccount(ctx, ident)
	if err != nil {
		return LogoutResult{}, err
	}
	defer release()
	done, err := m.begin()
	if err != nil {
		return LogoutResult{}, err
	}
	defer done()
	res := LogoutResult{Account: *a, AccessValidUntil: a.AccessExpiry()}
	res.Err = m.Client.DeleteSession(ctx, a.SessionData)
	res.Queued = res.Err != nil
	now := m.now().UTC()
	err = m.Store.UpdateContext(context.WithoutCancel(ctx), func(st *storage.State) error {
		res.WasActive = st.Active == a.DID
		if removed, ok := st.Remove(a.DID); ok {
			st.NoteLoggedOut(removed, now)
			if res.Queued {
				st.QueueLogout(owed(removed, a), now)
			}
		}
		res.after(st)
		return nil
	})
	return res, err
}

// owed is the session a failed logout queues: the one removed, or, when
// its secrets could not be read in that transaction (the keyring locked
// meanwhile), the one read under the refresh lock, whose tokens are the
// newest.
func owed(removed storage.Account, read *storage.Account) auth.SessionData {
	if removed.SecretsErr() != nil {
		return read.SessionData
	}
	return removed.SessionData
}

// after records who is active, and who "switch -" brings back, in st.
func (res *LogoutResult) after(st *storage.State) {
	res.Active, res.ActiveHandle, res.PreviousHandle = st.Active, "", ""
	if a, ok := st.ActiveAccount(); ok {
		res.ActiveHandle = a.Handle
	}
	if p, ok := st.Account(st.Previous); ok && st.Previous != "" {
		res.PreviousHandle = p.Handle
	}
}

// PendingBackoff is how long a queued logout waits after a failed attempt.
func PendingBackoff(attempts int) time.Duration {
	d := 30 * time.Second << min(attempts, 8)
	return min(d, time.Hour)
}

// RetryPendingLogouts tries again to revoke the queued sessions that are due.
// Sessions the server revoked, or that are dead anyway, leave the queue. It
// returns how many were revoked and how many remain queued.
func (m *Manager) RetryPendingLogouts(ctx context.Context) (revoked, left int, err error) {
	st, err := m.Store.LoadContext(ctx)
	if err != nil || len(st.PendingLogouts) == 0 {
		return 0, 0, err
	}
	now := m.now()
	results := map[string]error{}
	for _, p := range st.PendingLogouts {
		if now.Before(p.LastAttemptAt.Add(PendingBackoff(p.Attempts))) {
			continue
		}
		if exp := p.Session.RefreshExpiry(); !exp.IsZero() && now.After(exp) {
			results[p.Session.RefreshJwt] = nil // expired: nothing left to revoke
			continue
		}
		results[p.Session.RefreshJwt] = m.Client.DeleteSession(ctx, p.Session)
	}
	return m.settle(ctx, results, now)
}

// settle records the revocation attempts results holds (by refresh token):
// a revoked session leaves the queue, a failed one counts the attempt and
// keeps its error. It returns how many were revoked and how many remain
// queued.
func (m *Manager) settle(ctx context.Context, results map[string]error, now time.Time) (revoked, left int, err error) {
	err = m.Store.UpdateContext(context.WithoutCancel(ctx), func(st *storage.State) error {
		revoked, left = 0, 0
		for tok, rerr := range results {
			p, ok := st.PendingLogout(tok)
			if !ok {
				continue
			}
			if rerr == nil {
				st.DropLogout(tok)
				revoked++
				continue
			}
			p.RecordAttempt(rerr, now.UTC())
		}
		left = len(st.PendingLogouts)
		return nil
	})
	return revoked, left, err
}
