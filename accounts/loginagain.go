package accounts

import (
	"context"
	"errors"
	"fmt"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
)

// ErrOtherAccount: a login again to a saved account signed in to another
// account; its session was revoked and nothing was saved.
var ErrOtherAccount = errors.New("signed in to another account")

// LoginAgain logs in again to the saved account did (its session ended),
// as Login does, with two differences. The active identity stays as it is:
// did becomes active only when it was active already or none is, because
// renewing a session is not choosing who to act as. And the login must be
// for did: a session for another account (another handle typed into the
// form, a handle that now names someone else) is revoked, nothing is
// saved, and the error wraps ErrOtherAccount.
//
// The account keeps its place among the saved ones and its AddedAt.
func (m *Manager) LoginAgain(ctx context.Context, did string, in auth.LoginInput) (storage.Account, error) {
	if did == "" {
		return storage.Account{}, errors.New("log in again: no account named")
	}
	return m.login(ctx, in, loginMode{did: did, keepActive: true})
}

// otherAccount says that a login for did signed in to got instead, naming
// both as people know them.
func (m *Manager) otherAccount(ctx context.Context, did string, got auth.SessionData) error {
	want := did
	if a, ok, err := m.Store.LoadAccount(ctx, did); err == nil && ok {
		want = "@" + a.Handle + " (" + did + ")"
	}
	return fmt.Errorf("%w: @%s (%s), not %s; its session was revoked and nothing was saved", ErrOtherAccount, got.Handle, got.DID, want)
}
