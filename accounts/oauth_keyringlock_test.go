package accounts_test

import (
	"context"
	"errors"
	"os"
	"regexp"
	"sync"
	"testing"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage/keyringtest"
)

// lockingKeyring is a keyring that answers the first allow reads and then
// locks (a screen lock, a collection that times out): every later read
// fails.
type lockingKeyring struct {
	*keyringtest.Keyring
	allow int
	mu    sync.Mutex
	reads int
	// read, when set, runs after each read with its number (from 1).
	read func(n int)
}

var errKeyringLocked = errors.New("the collection is locked")

func (k *lockingKeyring) Get(ctx context.Context, service, user string) (string, error) {
	k.mu.Lock()
	k.reads++
	n := k.reads
	read := k.read
	k.mu.Unlock()
	if read != nil {
		defer read(n)
	}
	if n > k.allow {
		return "", errKeyringLocked
	}
	return k.Keyring.Get(ctx, service, user)
}

// staleTagProcess puts alice's OAuth session in the keyring and makes the
// file's fingerprint of it stale, as a process killed between its keyring
// write and its file write leaves it: each store then reads the item
// afresh. It returns another process whose keyring locks after the two
// reads of finding the account and reading it again under its lock.
func staleTagProcess(t *testing.T, f *fixture) *accounts.Manager {
	t.Helper()
	m, _ := staleTagProcessAllowing(t, f, 2)
	return m
}

// staleTagProcessAllowing is staleTagProcess whose keyring (returned too)
// locks after allow reads (0: it is locked from the start).
func staleTagProcessAllowing(t *testing.T, f *fixture, allow int) (*accounts.Manager, *lockingKeyring) {
	t.Helper()
	k := keyringtest.New()
	f.m.Store.UseSecrets(k)
	if _, err := f.m.UseSecrets(ctx, "keyring"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(f.m.Store.Path())
	if err != nil {
		t.Fatal(err)
	}
	tag := regexp.MustCompile(`"secretsTag": "[0-9a-f]{16}"`)
	if !tag.Match(b) {
		t.Fatal("no secretsTag in the file")
	}
	b = tag.ReplaceAll(b, []byte(`"secretsTag": "0000000000000000"`))
	if err := os.WriteFile(f.m.Store.Path(), b, 0o600); err != nil {
		t.Fatal(err)
	}
	m := f.process()
	lk := &lockingKeyring{Keyring: k, allow: allow}
	m.Store.UseSecrets(lk)
	return m, lk
}

// A refresh whose answer comes after the keyring locked is saved all the
// same (in the file, the keyring being down): on a strict server the
// tokens in the answer are the only live ones.
func TestOAuthRefreshSavedWhenTheKeyringLocksMeanwhile(t *testing.T) {
	f := setup(t, fakepds.Options{Grace: fakepds.NoGrace})
	alice := f.oauthLogin(t, "alice.test")
	m := staleTagProcess(t, f)
	fresh, err := m.Refresh(ctx, "")
	if err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	st, err := f.process().Load(ctx) // no keyring: what the file holds
	if err != nil {
		t.Fatal(err)
	}
	a, _ := st.Account(alice.DID)
	switch {
	case fresh.RefreshJwt == "" || fresh.RefreshJwt == alice.RefreshJwt:
		t.Fatal("Refresh handed back no fresh tokens")
	case a.RefreshJwt != fresh.RefreshJwt || a.OAuth.DPoPKey != alice.OAuth.DPoPKey:
		t.Fatal("the rotated tokens were lost: the file does not hold them and the key")
	}
	if _, err := f.process().Refresh(ctx, ""); err != nil {
		t.Fatalf("the next refresh, from the file: %v", err)
	}
}

// A logout whose revocation fails after the keyring locked still queues
// the session it read under the lock (tokens, endpoint, client_id, key),
// so the revocation is owed, not forgotten.
func TestOAuthLogoutQueuedWhenTheKeyringLocksMeanwhile(t *testing.T) {
	f := setup(t, fakepds.Options{})
	alice := f.oauthLogin(t, "alice.test")
	m := staleTagProcess(t, f)
	f.srv.Inject(pathRevoke, fakepds.Fault{Kind: fakepds.FaultStatus, Status: 503})
	res, err := m.Logout(ctx, "")
	if err != nil || !res.Queued {
		t.Fatalf("Logout: queued %v (%v), %v", res.Queued, res.Err, err)
	}
	st, err := f.process().Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Accounts) != 0 || len(st.PendingLogouts) != 1 {
		t.Fatalf("%d accounts, %d pending logouts", len(st.Accounts), len(st.PendingLogouts))
	}
	q := st.PendingLogouts[0].Session
	if q.RefreshJwt != alice.RefreshJwt || q.OAuth == nil || q.OAuth.DPoPKey != alice.OAuth.DPoPKey ||
		q.OAuth.ClientID != alice.OAuth.ClientID || q.OAuth.RevocationEndpoint != alice.OAuth.RevocationEndpoint {
		t.Fatal("the queued logout does not hold the session read under the lock")
	}
}
