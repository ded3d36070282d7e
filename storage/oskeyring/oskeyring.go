// Package oskeyring is storage.Secrets over the operating system's keyring,
// through github.com/zalando/go-keyring: the Secret Service (GNOME
// Keyring, KWallet) over D-Bus on Linux and the BSDs, the Keychain on
// macOS, the Credential Manager on Windows.
//
// Nothing connects until the first call: importing the package, or making
// a Keyring, costs no D-Bus connection. The calls do not honour their
// context (go-keyring has none); the store bounds each by
// storage.KeyringTimeout.
package oskeyring

import (
	"context"
	"errors"
	"fmt"

	gokeyring "github.com/zalando/go-keyring"

	"github.com/skyswitch/skyswitch/storage"
)

// Keyring is the OS keyring.
type Keyring struct{}

// New returns the OS keyring.
func New() Keyring { return Keyring{} }

var _ storage.Secrets = Keyring{}

// Get returns the secret of service and user.
func (Keyring) Get(ctx context.Context, service, user string) (string, error) {
	if err := ready(ctx); err != nil {
		return "", err
	}
	v, err := gokeyring.Get(service, user)
	return v, wrap(err)
}

// Set creates or replaces the secret of service and user.
func (Keyring) Set(ctx context.Context, service, user, secret string) error {
	if err := ready(ctx); err != nil {
		return err
	}
	return wrap(gokeyring.Set(service, user, secret))
}

// Delete removes the secret of service and user.
func (Keyring) Delete(ctx context.Context, service, user string) error {
	if err := ready(ctx); err != nil {
		return err
	}
	return wrap(gokeyring.Delete(service, user))
}

// ready says why a call cannot be made now: ctx is done, or there is no
// keyring to ask without starting one (see reachable).
func ready(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return reachable()
}

// wrap maps go-keyring's "not found" to storage.ErrSecretNotFound. Its
// errors never quote the secret.
func wrap(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gokeyring.ErrNotFound):
		return fmt.Errorf("%w", storage.ErrSecretNotFound)
	}
	return err
}
