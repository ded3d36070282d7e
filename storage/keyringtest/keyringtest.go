// Package keyringtest is an in-memory storage.Secrets for the tests of the
// packages built on storage (accounts, ui, the CLI), with failures to
// inject. It never touches the OS keyring.
package keyringtest

import (
	"context"
	"fmt"
	"sync"

	"github.com/skyswitch/skyswitch/storage"
)

// Keyring is an in-memory keyring. Its zero value is not ready: use New.
type Keyring struct {
	mu            sync.Mutex
	items         map[string]string // by user; the service is always storage.KeyringService
	fail, failSet error
	calls         int
}

var _ storage.Secrets = (*Keyring)(nil)

// New returns an empty keyring that answers every call.
func New() *Keyring { return &Keyring{items: map[string]string{}} }

// Fail makes every call fail with err from now on; nil ends that.
func (k *Keyring) Fail(err error) { k.mu.Lock(); k.fail = err; k.mu.Unlock() }

// FailSet makes only writes fail with err from now on (reads and deletes
// still work); nil ends that.
func (k *Keyring) FailSet(err error) { k.mu.Lock(); k.failSet = err; k.mu.Unlock() }

// Len is how many items the keyring holds.
func (k *Keyring) Len() int { k.mu.Lock(); defer k.mu.Unlock(); return len(k.items) }

// Calls is how many calls the keyring has had, failed ones included.
func (k *Keyring) Calls() int { k.mu.Lock(); defer k.mu.Unlock(); return k.calls }

// Values returns the secrets it holds, in no order.
func (k *Keyring) Values() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	vs := make([]string, 0, len(k.items))
	for _, v := range k.items {
		vs = append(vs, v)
	}
	return vs
}

// enter counts a call and says why it fails, if it does.
func (k *Keyring) enter(service string) error {
	k.calls++
	if service != storage.KeyringService {
		return fmt.Errorf("keyringtest: unexpected service %q", service)
	}
	return k.fail
}

// Get returns the secret of user.
func (k *Keyring) Get(_ context.Context, service, user string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := k.enter(service); err != nil {
		return "", err
	}
	v, ok := k.items[user]
	if !ok {
		return "", fmt.Errorf("get: %w", storage.ErrSecretNotFound)
	}
	return v, nil
}

// Set creates or replaces the secret of user.
func (k *Keyring) Set(_ context.Context, service, user, secret string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := k.enter(service); err != nil {
		return err
	}
	if k.failSet != nil {
		return k.failSet
	}
	k.items[user] = secret
	return nil
}

// Delete removes the secret of user.
func (k *Keyring) Delete(_ context.Context, service, user string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := k.enter(service); err != nil {
		return err
	}
	if _, ok := k.items[user]; !ok {
		return fmt.Errorf("delete: %w", storage.ErrSecretNotFound)
	}
	delete(k.items, user)
	return nil
}
