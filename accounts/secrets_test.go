package accounts_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/auth/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

// memKeyring is an in-memory storage.Secrets whose calls fail while fail
// is set.
type memKeyring struct {
	mu    sync.Mutex
	items map[string]string
	fail  error
}

func (k *memKeyring) Get(_ context.Context, _, user string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fail != nil {
		return "", k.fail
	}
	v, ok := k.items[user]
	if !ok {
		return "", fmt.Errorf("%w", storage.ErrSecretNotFound)
	}
	return v, nil
}

func (k *memKeyring) Set(_ context.Context, _, user, v string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fail != nil {
		return k.fail
	}
	k.items[user] = v
	return nil
}

func (k *memKeyring) Delete(_ context.Context, _, user string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fail != nil {
		return k.fail
	}
	delete(k.items, user)
	return nil
}

func (k *memKeyring) len() int { k.mu.Lock(); defer k.mu.Unlock(); return len(k.items) }

// Token, refresh and logout work on accounts whose tokens are in the
// keyring: the rotated tokens land there, logout empties it.
func TestKeyringAccountsWork(t *testing.T) {
	f := setup(t, fakepds.Options{})
	k := &memKeyring{items: map[string]string{}}
	f.m.Store.UseSecrets(k)
	alice := f.login(t, "alice.test")
	r, err := f.m.UseSecrets(ctx, "keyring")
	if err != nil || !r.Settled() || len(r.InKeyring) != 1 || r.Setting != "keyring" {
		t.Fatalf("UseSecrets: %+v, %v", r, err)
	}
	bob := f.login(t, "bob.test") // a new login under the keyring setting
	if k.len() != 2 {
		t.Fatalf("keyring holds %d items, want 2", k.len())
	}

	got, err := f.m.Token(ctx, "", time.Minute)
	if err != nil || got.AccessJwt != bob.AccessJwt {
		t.Fatalf("Token from the keyring: err %v, right token %v", err, got.AccessJwt == bob.AccessJwt)
	}
	fresh, err := f.m.Refresh(ctx, alice.Handle)
	if err != nil || fresh.RefreshJwt == alice.RefreshJwt {
		t.Fatalf("Refresh: %v", err)
	}
	again, err := f.m.Token(ctx, alice.Handle, time.Minute)
	if err != nil || again.RefreshJwt != fresh.RefreshJwt {
		t.Fatalf("after a refresh the keyring does not give the rotated token (err %v)", err)
	}
	if _, err := f.m.Logout(ctx, alice.Handle); err != nil {
		t.Fatal(err)
	}
	if k.len() != 1 {
		t.Fatalf("keyring holds %d items after logout, want 1", k.len())
	}
}

// A keyring that fails makes token say why, naming the account and no
// token; the tokens are not lost.
func TestKeyringUnreadableTokenSaysWhy(t *testing.T) {
	f := setup(t, fakepds.Options{})
	k := &memKeyring{items: map[string]string{}}
	f.m.Store.UseSecrets(k)
	alice := f.login(t, "alice.test")
	if _, err := f.m.UseSecrets(ctx, "keyring"); err != nil {
		t.Fatal(err)
	}
	k.mu.Lock()
	k.fail = errors.New("the collection is locked")
	k.mu.Unlock()
	m := *f.m
	m.Store = storage.Open(f.m.Store.Path())
	m.Store.UseSecrets(k)
	_, err := m.Token(ctx, "", time.Minute)
	if err == nil || !strings.Contains(err.Error(), "@alice.test") || !strings.Contains(err.Error(), "locked") ||
		strings.Contains(err.Error(), alice.AccessJwt) {
		t.Fatalf("Token with a locked keyring: %v", err)
	}
	k.mu.Lock()
	k.fail = nil
	k.mu.Unlock()
	m.Store = storage.Open(f.m.Store.Path())
	m.Store.UseSecrets(k)
	if got, err := m.Token(ctx, "", time.Minute); err != nil || got.AccessJwt != alice.AccessJwt {
		t.Fatalf("once the keyring answers again: %v", err)
	}
}
