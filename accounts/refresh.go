package accounts

import (
	"context"
	"fmt"
	"time"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
)

// TokenMinLeft is how much life `skyswitch token` wants left on the token
// it prints; with less it refreshes first.
const TokenMinLeft = 60 * time.Second

// Token returns the named account (or the active one, for "") with an
// access token that has at least minLeft to live. It makes no network call
// when the stored token already does.
func (m *Manager) Token(ctx context.Context, ident string, minLeft time.Duration) (storage.Account, error) {
	return m.token(ctx, ident, minLeft, false)
}

// token is Token; handOut refuses an OAuth session (see HandOut) before
// anything is refreshed.
func (m *Manager) token(ctx context.Context, ident string, minLeft time.Duration, handOut bool) (storage.Account, error) {
	a, err := m.lookup(ctx, ident)
	if err != nil {
		return storage.Account{}, err
	}
	if handOut && a.OAuth != nil {
		return *a, &BoundTokenError{Handle: a.Handle}
	}
	if err := usable(a, m.now()); err != nil {
		return *a, err
	}
	if lasts(a.SessionData, m.now(), minLeft) {
		return *a, nil
	}
	return m.refresh(ctx, a.DID, func(a *storage.Account) bool { return lasts(a.SessionData, m.now(), minLeft) })
}

// Refresh renews the named account's tokens now, whatever their age.
func (m *Manager) Refresh(ctx context.Context, ident string) (storage.Account, error) {
	return m.refresh(ctx, ident, nil)
}

// refresh renews the account's tokens under its refresh lock. It re-reads the file
// first: when another process refreshed meanwhile and the stored tokens are
// good enough (good; nil: never), they are adopted with no network call.
//
// Once the refresh is sent, its answer is waited for and saved whatever
// ends ctx (see spend); only then is a ctx that ended meanwhile reported,
// as its error.
func (m *Manager) refresh(ctx context.Context, ident string, good func(*storage.Account) bool) (storage.Account, error) {
	a, release, err := m.lockAccount(ctx, ident)
	if err != nil {
		return storage.Account{}, err
	}
	defer release()
	if err := usable(a, m.now()); err != nil {
		return *a, err
	}
	if good != nil && good(a) {
		return *a, nil
	}
	if err := ctx.Err(); err != nil {
		return *a, err // nothing sent yet: nothing to wait for
	}
	done, err := m.begin()
	if err != nil {
		return *a, err
	}
	defer done()
	used := a.SessionData
	fresh, rerr := m.spend(ctx, used)
	now := m.now().UTC()
	var out storage.Account
	err = m.Store.UpdateContext(context.WithoutCancel(ctx), func(st *storage.State) error {
		switch {
		case rerr == nil:
			st.ApplyRefresh(used.RefreshJwt, fresh)
		case auth.EndsSession(rerr):
			st.MarkEnded(used.DID, used.RefreshJwt, rerr.Error(), now)
		default:
			st.RecordRefreshError(used.DID, used.RefreshJwt, rerr.Error(), now)
		}
		if a, ok := st.Account(used.DID); ok {
			out = *a
		}
		return nil
	})
	m.HandleChanged(ctx, used.Handle, out, "a refresh")
	switch {
	case rerr != nil && auth.EndsSession(rerr):
		return out, fmt.Errorf("%w: %w", ErrSessionEnded, rerr)
	case rerr != nil:
		return out, rerr
	case err != nil:
		// The server rotated the token and we could not store it: say so
		// plainly, the old refresh token may soon stop working.
		return out, fmt.Errorf("refreshed, but could not save the new tokens: %w", err)
	}
	return out, ctx.Err()
}

// spend sends the refresh of used and waits for its answer, whatever ends
// ctx meanwhile: the server rotates the token as it reads the request, so
// an answer dropped is a session lost on a server that allows no second
// use of a refresh token. The client's own bound (its Timeout, for the
// whole of an answer it reads) is the only one: a second timer of the same
// length would race it, and its timeout would be said as Go's.
//
// Nothing is sent again here: an answer that never came is a transient
// error, recorded, the stored token kept. The next refresh (under the
// lock, from the stored token) sends it once more. A password session's
// server takes it again within its grace period. An OAuth server takes
// no refresh token twice: when it never read the lost request the session
// goes on; when it had rotated, the second use is invalid_grant and the
// session is marked ended, which it is (its only live tokens were in the
// answer lost).
func (m *Manager) spend(ctx context.Context, used auth.SessionData) (auth.SessionData, error) {
	return m.Client.RefreshSession(context.WithoutCancel(ctx), used)
}

// lasts reports whether d's access token has at least minLeft before it
// expires (d.AccessExpiry: an OAuth token is opaque, its expiry is the
// token answer's). An unknown expiry never lasts.
func lasts(d auth.SessionData, now time.Time, minLeft time.Duration) bool {
	exp := d.AccessExpiry()
	return !exp.IsZero() && now.Add(minLeft).Before(exp)
}

// usable is nil when a's session can still be refreshed.
func usable(a *storage.Account, now time.Time) error {
	if a.SessionEnded {
		return fmt.Errorf("%w (%s)", ErrSessionEnded, a.Handle)
	}
	if exp := a.RefreshExpiry(); refreshExpired(exp, now) {
		return fmt.Errorf("%w: the refresh token of %s expired at %s", ErrSessionEnded, a.Handle, ClockText(exp, now))
	}
	if err := a.CheckSubjects(); err != nil {
		// Never hand out, send or spend a token as the wrong account.
		return fmt.Errorf("%w: the saved tokens of %s are not its own: %w", ErrSessionEnded, a.DID, err)
	}
	return nil
}

// refreshExpired: a refresh token with this expiry can no longer be spent
// (an unknown expiry is left to the server to judge).
func refreshExpired(exp, now time.Time) bool { return !exp.IsZero() && !now.Before(exp) }
