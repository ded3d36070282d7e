package accounts

import (
	"context"

	"github.com/skyswitch/skyswitch/storage"
)

// SecretsReport says where tokens are kept: the setting ("file" or
// "keyring") and, per place, the handles of the accounts whose tokens are
// there.
type SecretsReport struct {
	Setting   string
	InFile    []string
	InKeyring []string
}

// Settled reports whether every account's tokens are where the setting says.
func (r SecretsReport) Settled() bool {
	if r.Setting == storage.SecretsKeyring {
		return len(r.InFile) == 0
	}
	return len(r.InKeyring) == 0
}

// Secrets reports where tokens are kept.
func (m *Manager) Secrets(ctx context.Context) (SecretsReport, error) {
	st, err := m.Store.LoadContext(ctx)
	if err != nil {
		return SecretsReport{}, err
	}
	r := SecretsReport{Setting: "file"}
	if st.Secrets == storage.SecretsKeyring {
		r.Setting = storage.SecretsKeyring
	}
	for _, a := range st.Accounts {
		if a.Secrets == storage.SecretsKeyring {
			r.InKeyring = append(r.InKeyring, a.Handle)
		} else {
			r.InFile = append(r.InFile, a.Handle)
		}
	}
	return r, nil
}

// UseSecrets sets where tokens are kept, "file" or "keyring", and moves
// every account's tokens there. An account the keyring fails for stays
// where it was (the store's warnings say why); the report shows where each
// one is now.
func (m *Manager) UseSecrets(ctx context.Context, where string) (SecretsReport, error) {
	err := m.Store.UpdateContext(ctx, func(st *storage.State) error { return st.UseSecrets(where) })
	if err != nil {
		return SecretsReport{}, err
	}
	return m.Secrets(ctx)
}
