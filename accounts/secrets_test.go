package accounts_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/storage/keyringtest"
)

// Token, refresh and logout work on accounts whose tokens are in the
// keyring: the rotated tokens land there, logout empties it.
func TestKeyringAccountsWork(t *testing.T) {
	f := setup(t, fakepds.Options{})
	k := keyringtest.New()
	f.m.Store.UseSecrets(k)
	alice := f.login(t, "alice.test")
	r, err := f.m.UseSecrets(ctx, "keyring")
	if err != nil || !r.Settled() || len(r.InKeyring) != 1 || r.Setting != "keyring" {
		t.Fatalf("UseSecrets: %+v, %v", r, err)
	}
	bob := f.login(t, "bob.test") // a new login under the keyring setting
	if k.Len() != 2 {
		t.Fatalf("keyring holds %d items, want 2", k.Len())
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
	if k.Len() != 1 {
		t.Fatalf("keyring holds %d items after logout, want 1", k.Len())
	}
}

// A keyring that fails makes token say why, naming the account and no
// token; the tokens are not lost.
func TestKeyringUnreadableTokenSaysWhy(t *testing.T) {
	f := setup(t, fakepds.Options{})
	k := keyringtest.New()
	f.m.Store.UseSecrets(k)
	alice := f.login(t, "alice.test")
	if _, err := f.m.UseSecrets(ctx, "keyring"); err != nil {
		t.Fatal(err)
	}
	k.Fail(errors.New("the collection is locked"))
	m := &accounts.Manager{Store: storage.Open(f.m.Store.Path()), Client: f.m.Client, Now: f.m.Now}
	m.Store.UseSecrets(k)
	_, err := m.Token(ctx, "", time.Minute)
	if err == nil || !strings.Contains(err.Error(), "@alice.test") || !strings.Contains(err.Error(), "locked") ||
		strings.Contains(err.Error(), alice.AccessJwt) {
		t.Fatalf("Token with a locked keyring: %v", err)
	}
	k.Fail(nil)
	m.Store = storage.Open(f.m.Store.Path())
	m.Store.UseSecrets(k)
	if got, err := m.Token(ctx, "", time.Minute); err != nil || got.AccessJwt != alice.AccessJwt {
		t.Fatalf("once the keyring answers again: %v", err)
	}
}
