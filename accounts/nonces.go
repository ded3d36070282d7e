package accounts

import (
	"context"

	"github.com/skyswitch/skyswitch/storage"
)

// keepNonces saves the DPoP nonces the client last got from used's
// servers (its authorization server's and its PDS's, kept apart) with the
// account, so that the next process's first request carries them instead
// of being refused for want of one. It writes only when they changed, and
// only into the session used: when another process has meanwhile
// rotated the tokens, logged in again or seen the session end, the stored
// session is left exactly as it is (the same compare as ApplyRefresh's:
// the stored refresh token must still be the one used). Nonces are no
// secrets, and a failure to save them costs at most one more request:
// it is not reported.
func (m *Manager) keepNonces(ctx context.Context, used storage.Account) {
	if used.OAuth == nil {
		return
	}
	now := m.Client.WithNonces(used.SessionData).OAuth
	if now.AuthServerNonce == used.OAuth.AuthServerNonce && now.PDSNonce == used.OAuth.PDSNonce {
		return
	}
	_ = m.Store.UpdateContext(context.WithoutCancel(ctx), func(st *storage.State) error {
		a, ok := st.Account(used.DID)
		if !ok || a.OAuth == nil || a.SessionEnded || a.RefreshJwt != used.RefreshJwt {
			return nil
		}
		o := *a.OAuth
		o.AuthServerNonce, o.PDSNonce = now.AuthServerNonce, now.PDSNonce
		a.OAuth = &o
		return nil
	})
}
