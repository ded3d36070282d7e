package accounts

import (
	"context"
	"fmt"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
)

// Stamp changes whenever the accounts file does.
func (m *Manager) Stamp() string { return m.Store.Stamp() }

// Check asks the server for the account's status (getSession: active,
// deactivated, taken down; email; 2FA) and stores what changed, including
// tokens the call had to refresh.
func (m *Manager) Check(ctx context.Context, ident string) (storage.Account, error) {
	a, release, err := m.lockAccount(ctx, ident)
	if err != nil {
		return storage.Account{}, err
	}
	defer release()
	if err := usable(a, m.now()); err != nil {
		return *a, err
	}
	done, err := m.begin()
	if err != nil {
		return *a, err
	}
	defer done()
	used := a.SessionData
	s := m.Client.NewSession(used, auth.SessionOptions{})
	_, cerr := s.GetSession(ctx)
	// A refresh the call made outlives a ctx that ended: wait for it, so
	// that a rotated token is saved before the lock is released.
	s.WaitRefresh()
	d, ended := s.Data(), s.Err()
	if ended != nil && !auth.EndsSession(cerr) {
		cerr = ended // it ended after the call gave up
	}
	now := m.now().UTC()
	var out storage.Account
	err = m.Store.UpdateContext(context.WithoutCancel(ctx), func(st *storage.State) error {
		switch {
		case ended != nil:
			st.MarkEnded(used.DID, used.RefreshJwt, cerr.Error(), now)
		case cerr == nil || d.RefreshJwt != used.RefreshJwt:
			st.ApplyRefresh(used.RefreshJwt, d)
		}
		if a, ok := st.Account(used.DID); ok {
			out = *a
		}
		return nil
	})
	m.HandleChanged(ctx, used.Handle, out, "a status check")
	if ended != nil {
		return out, fmt.Errorf("%w: %w", ErrSessionEnded, cerr)
	}
	if cerr != nil {
		return out, cerr
	}
	return out, err
}
