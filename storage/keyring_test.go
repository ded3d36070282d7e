package storage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeKeyring is an in-memory Secrets that can fail or hang, for fault
// injection: set fail to the error every call returns (a missing or locked
// Secret Service), or hang to make every call block until the test ends.
type fakeKeyring struct {
	mu    sync.Mutex
	items map[string]string // service + "\x00" + user
	fail  error
	hang  chan struct{} // non-nil: calls block until it is closed
	calls int
}

var (
	errUnavailable = errors.New("org.freedesktop.secrets was not provided by any .service files")
	errLocked      = errors.New("prompt dismissed: the collection is locked")
)

func newFake(t *testing.T) *fakeKeyring {
	f := &fakeKeyring{items: map[string]string{}}
	t.Cleanup(func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.hang != nil {
			close(f.hang)
			f.hang = nil
		}
	})
	return f
}

func (f *fakeKeyring) enter() error {
	f.mu.Lock()
	f.calls++
	hang, fail := f.hang, f.fail
	f.mu.Unlock()
	if hang != nil {
		<-hang
		return errors.New("answered too late")
	}
	return fail
}

func (f *fakeKeyring) Get(_ context.Context, service, user string) (string, error) {
	if err := f.enter(); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.items[service+"\x00"+user]
	if !ok {
		return "", fmt.Errorf("get: %w", ErrSecretNotFound)
	}
	return v, nil
}

func (f *fakeKeyring) Set(_ context.Context, service, user, secret string) error {
	if err := f.enter(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items[service+"\x00"+user] = secret
	return nil
}

func (f *fakeKeyring) Delete(_ context.Context, service, user string) error {
	if err := f.enter(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.items[service+"\x00"+user]; !ok {
		return fmt.Errorf("delete: %w", ErrSecretNotFound)
	}
	delete(f.items, service+"\x00"+user)
	return nil
}

func (f *fakeKeyring) set(fail error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = fail
}

func (f *fakeKeyring) count() (calls, items int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls, len(f.items)
}

// item is the keyring item of did in store s's file.
func (f *fakeKeyring) item(t *testing.T, s *Store, did string) (string, bool) {
	t.Helper()
	st, _, err := s.read()
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.items[KeyringService+"\x00"+did+" "+st.KeyringID]
	return v, ok
}

// keyringStore is a store using f, with n file accounts saved.
func keyringStore(t *testing.T, f *fakeKeyring, n int) *Store {
	t.Helper()
	s := newStore(t)
	s.UseSecrets(f)
	mustUpdate(t, s, replaceWith(stateWith(n)))
	return s
}

// reopen is a new store on s's file over f: another process, which has
// read nothing from the keyring yet.
func reopen(s *Store, f *fakeKeyring) *Store {
	n := Open(s.Path())
	n.UseSecrets(f)
	return n
}

func fileText(t *testing.T, s *Store) string {
	t.Helper()
	b, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// noTokens fails if text holds any secret of the first n test accounts,
// password (account) or OAuth (oauthAccount): a token or a DPoP key, or
// anything that opens like a key.
func noTokens(t *testing.T, what, text string, n int) {
	t.Helper()
	for i := range n {
		if holdsSecret(text, account(i).SessionData) || holdsSecret(text, oauthAccount(i).SessionData) {
			t.Errorf("%s holds a token or key of account %d", what, i)
		}
	}
	if strings.Contains(text, keyStart) {
		t.Errorf("%s holds a DPoP key", what)
	}
}

func TestKeyringMoveThereAndBack(t *testing.T) {
	f := newFake(t)
	s := keyringStore(t, f, 3)
	mustUpdate(t, s, func(st *State) error { return st.UseSecrets(SecretsKeyring) })

	text := fileText(t, s)
	noTokens(t, "the accounts file", text, 3)
	for _, want := range []string{`"version": 2`, `"secrets": "keyring"`, `"keyringId": "`} {
		if !strings.Contains(text, want) {
			t.Errorf("file lacks %s", want)
		}
	}
	if _, items := f.count(); items != 3 {
		t.Fatalf("keyring holds %d items, want 3", items)
	}
	v, ok := f.item(t, s, account(1).DID)
	if !ok || !strings.Contains(v, account(1).RefreshJwt) || !strings.Contains(v, account(1).AccessJwt) {
		t.Fatalf("keyring item of account 1 is missing or lacks its tokens")
	}
	if strings.Contains(v, account(1).Handle) || strings.Contains(v, "didDoc") {
		t.Errorf("the keyring item holds more than the two tokens")
	}

	st, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		a := st.Accounts[i]
		if a.AccessJwt != account(i).AccessJwt || a.RefreshJwt != account(i).RefreshJwt || a.Secrets != SecretsKeyring || a.SecretsErr() != nil {
			t.Errorf("Load: account %d has wrong tokens or place %q (%v)", i, a.Secrets, a.SecretsErr())
		}
	}
	a, ok, err := s.LoadAccount(context.Background(), account(2).Handle)
	if err != nil || !ok || a.AccessJwt != account(2).AccessJwt || a.RefreshJwt != account(2).RefreshJwt {
		t.Fatalf("LoadAccount of a keyring account: ok %v err %v, tokens right %v", ok, err, ok && a.AccessJwt == account(2).AccessJwt)
	}

	mustUpdate(t, s, func(st *State) error { return st.UseSecrets("file") })
	text = fileText(t, s)
	for _, absent := range []string{`"secrets"`, `"keyringId"`} {
		if strings.Contains(text, absent) {
			t.Errorf("file back in the file still has %s", absent)
		}
	}
	if !strings.Contains(text, `"version": 1`) || !strings.Contains(text, account(0).RefreshJwt) {
		t.Errorf("file back in the file is not version 1 with its tokens")
	}
	if _, items := f.count(); items != 0 {
		t.Errorf("keyring still holds %d items after moving back", items)
	}
	if w := s.Warnings(); len(w) != 0 {
		t.Errorf("warnings with a working keyring: %q", w)
	}
}

func TestKeyringNewAccountsFollowTheSetting(t *testing.T) {
	f := newFake(t)
	s := keyringStore(t, f, 0)
	mustUpdate(t, s, func(st *State) error { return st.UseSecrets(SecretsKeyring) })
	mustUpdate(t, s, func(st *State) error { st.Upsert(account(0)); return nil })
	if _, ok := f.item(t, s, account(0).DID); !ok {
		t.Fatal("a new account under the keyring setting is not in the keyring")
	}
	noTokens(t, "the accounts file", fileText(t, s), 1)

	// A new login of the same account (fresh tokens) replaces the item.
	again := account(0)
	again.SessionData = session(0, t0.Add(time.Hour))
	mustUpdate(t, s, func(st *State) error { st.Upsert(again); return nil })
	if v, _ := f.item(t, s, again.DID); !strings.Contains(v, again.RefreshJwt) {
		t.Fatal("a new login did not replace the keyring item")
	}
	noTokens(t, "the accounts file", fileText(t, s), 1)
	if strings.Contains(fileText(t, s), again.RefreshJwt) {
		t.Fatal("the new login's tokens are in the file")
	}
}

// Every way the keyring fails: the tokens stay in (or go back to) the
// file, the person is told once, and nothing is lost.
func TestKeyringFallsBackToTheFile(t *testing.T) {
	for _, tt := range []struct {
		name string
		set  func(*fakeKeyring)
		says string
	}{
		{"unavailable", func(f *fakeKeyring) { f.set(errUnavailable) }, "not provided"},
		{"locked", func(f *fakeKeyring) { f.set(errLocked) }, "locked"},
		{"hangs", func(f *fakeKeyring) { f.mu.Lock(); f.hang = make(chan struct{}); f.mu.Unlock() }, "did not answer within"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			s := keyringStore(t, f, 0)
			s.keyringTimeout = 100 * time.Millisecond
			mustUpdate(t, s, func(st *State) error { return st.UseSecrets(SecretsKeyring) })
			tt.set(f)

			start := time.Now()
			mustUpdate(t, s, func(st *State) error { st.Upsert(account(0)); return nil })
			mustUpdate(t, s, func(st *State) error { st.Upsert(account(1)); return nil })
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("two saves took %v with a failing keyring", d)
			}
			text := fileText(t, s)
			if !strings.Contains(text, account(0).RefreshJwt) || !strings.Contains(text, account(1).AccessJwt) {
				t.Fatal("a token the keyring refused is not in the file")
			}
			st, err := s.Load()
			if err != nil || st.Accounts[0].Secrets != "" || st.Accounts[1].Secrets != "" {
				t.Fatalf("accounts do not record that their tokens are in the file (err %v)", err)
			}
			w := s.Warnings()
			if len(w) != 2 {
				t.Fatalf("want a warning for each account, got %q", w)
			}
			for i := range w {
				if !strings.Contains(w[i], "@"+account(i).Handle) || !strings.Contains(w[i], tt.says) ||
					!strings.Contains(w[i], "kept in the accounts file") {
					t.Errorf("warning %d does not name account %d, why, and where its tokens are: %q", i, i, w[i])
				}
			}
			noTokens(t, "the warnings", strings.Join(w, "\n"), 2)
			// Told once: later reads and writes of those accounts
			// (now in the file) say nothing more.
			mustUpdate(t, s, func(st *State) error { return st.SetActive(account(1).DID) })
			if _, err := s.Load(); err != nil {
				t.Fatal(err)
			}
			if w := s.Warnings(); len(w) != 0 {
				t.Errorf("warned again: %q", w)
			}
			if calls, _ := f.count(); calls != 1 {
				t.Errorf("the keyring was asked %d times, want once (it is down after a failure)", calls)
			}
		})
	}
}

// A keyring that cannot be read leaves the account's tokens where they
// are: never overwritten with empty ones, never dropped.
func TestKeyringUnreadableKeepsTheTokens(t *testing.T) {
	f := newFake(t)
	s := keyringStore(t, f, 2)
	mustUpdate(t, s, func(st *State) error { return st.UseSecrets(SecretsKeyring) })
	f.set(errLocked)
	s = reopen(s, f) // a process that has not read the tokens yet

	st, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	a := st.Accounts[0]
	if a.AccessJwt != "" || a.SecretsErr() == nil || !strings.Contains(a.SecretsErr().Error(), "locked") {
		t.Fatalf("an unreadable account: tokens empty %v, SecretsErr %v", a.AccessJwt == "", a.SecretsErr())
	}
	one, ok, err := s.LoadAccount(context.Background(), "")
	if err != nil || !ok || one.SecretsErr() == nil {
		t.Fatalf("LoadAccount: ok %v err %v, SecretsErr %v", ok, err, one.SecretsErr())
	}
	// Other changes, and even moving everything back to the file, keep
	// the tokens in the keyring untouched.
	mustUpdate(t, s, func(st *State) error { return st.SetActive(account(1).DID) })
	mustUpdate(t, s, func(st *State) error { return st.UseSecrets("file") })
	text := fileText(t, s)
	if strings.Count(text, `"secrets": "keyring"`) != 2 || !strings.Contains(text, `"keyringId"`) {
		t.Fatal("accounts whose tokens could not be read no longer say they are in the keyring")
	}
	w := strings.Join(s.Warnings(), "\n")
	if !strings.Contains(w, "stay in the OS keyring") {
		t.Errorf("no warning that the tokens could not be moved: %q", w)
	}

	f.set(nil)
	s2 := Open(s.Path())
	s2.UseSecrets(f)
	mustUpdate(t, s2, func(st *State) error { return st.UseSecrets("file") })
	st, err = s2.Load()
	if err != nil || st.Accounts[0].RefreshJwt != account(0).RefreshJwt || st.Accounts[1].AccessJwt != account(1).AccessJwt {
		t.Fatalf("tokens lost after the keyring came back (err %v)", err)
	}
	if _, items := f.count(); items != 0 {
		t.Errorf("%d keyring items left after moving back", items)
	}
}

// ApplyRefresh keeps its compare-and-swap for tokens in the keyring, and
// the rotated tokens replace the item.
func TestKeyringRefresh(t *testing.T) {
	f := newFake(t)
	s := keyringStore(t, f, 1)
	mustUpdate(t, s, func(st *State) error { return st.UseSecrets(SecretsKeyring) })
	old := account(0)
	fresh := session(0, t0.Add(time.Hour))
	mustUpdate(t, s, func(st *State) error {
		if !st.ApplyRefresh(old.RefreshJwt, fresh) {
			t.Error("refresh with the stored token not applied")
		}
		return nil
	})
	if v, _ := f.item(t, s, old.DID); !strings.Contains(v, fresh.RefreshJwt) || !strings.Contains(v, fresh.AccessJwt) {
		t.Fatal("the keyring item does not hold the rotated tokens")
	}
	if strings.Contains(fileText(t, s), fresh.RefreshJwt) {
		t.Fatal("rotated token written to the file")
	}
	// A slow process that refreshed with the old token and got an older
	// session back must not overwrite the item.
	stale := session(0, t0.Add(time.Minute))
	mustUpdate(t, s, func(st *State) error {
		if st.ApplyRefresh(old.RefreshJwt, stale) {
			t.Error("stale refresh applied over the keyring's newer tokens")
		}
		return nil
	})
	if v, _ := f.item(t, s, old.DID); !strings.Contains(v, fresh.RefreshJwt) {
		t.Fatal("a stale refresh replaced the keyring item")
	}

	// The keyring fails at the next rotation: the new tokens go to the
	// file, the account says so.
	f.set(errUnavailable)
	s2 := Open(s.Path())
	s2.UseSecrets(f)
	newer := session(0, t0.Add(2*time.Hour))
	mustUpdate(t, s2, func(st *State) error {
		if !st.ApplyRefresh(fresh.RefreshJwt, newer) {
			t.Error("refresh not applied")
		}
		return nil
	})
	text := fileText(t, s2)
	if !strings.Contains(text, newer.RefreshJwt) || strings.Count(text, `"secrets": "keyring"`) != 1 { // the setting's only
		t.Fatal("rotated tokens the keyring refused are not in the file, recorded as such")
	}
}

func TestKeyringRemoveDeletesTheItem(t *testing.T) {
	f := newFake(t)
	s := keyringStore(t, f, 2)
	mustUpdate(t, s, func(st *State) error { return st.UseSecrets(SecretsKeyring) })
	var removed Account
	mustUpdate(t, s, func(st *State) error {
		removed, _ = st.Remove(account(0).DID)
		st.QueueLogout(removed.SessionData, t0)
		return nil
	})
	if removed.RefreshJwt != account(0).RefreshJwt {
		t.Fatal("the removed account lacked its tokens (from the keyring)")
	}
	if _, ok := f.item(t, s, account(0).DID); ok {
		t.Fatal("the keyring item of a removed account is still there")
	}
	if _, ok := f.item(t, s, account(1).DID); !ok {
		t.Fatal("the other account's item went too")
	}
	st, err := s.Load()
	if err != nil || len(st.PendingLogouts) != 1 || st.PendingLogouts[0].Session.RefreshJwt != account(0).RefreshJwt {
		t.Fatalf("the queued logout lost its token (err %v)", err)
	}
}

// Two accounts files (two config folders) with the same account never
// share a keyring item.
func TestKeyringTwoFilesDoNotClash(t *testing.T) {
	f := newFake(t)
	a, b := keyringStore(t, f, 1), keyringStore(t, f, 1)
	for _, s := range []*Store{a, b} {
		mustUpdate(t, s, func(st *State) error { return st.UseSecrets(SecretsKeyring) })
	}
	if _, items := f.count(); items != 2 {
		t.Fatalf("two files with one account each made %d items, want 2", items)
	}
	mustUpdate(t, a, func(st *State) error { st.Remove(account(0).DID); return nil })
	got, ok, err := b.LoadAccount(context.Background(), "")
	if err != nil || !ok || got.RefreshJwt != account(0).RefreshJwt {
		t.Fatalf("removing the account from one file broke the other (ok %v err %v)", ok, err)
	}
}

// A file that keeps no tokens in the keyring never asks it anything, even
// when the setting is the keyring: `skyswitch token` stays as fast.
func TestKeyringUnusedIsNeverAsked(t *testing.T) {
	f := newFake(t)
	s := keyringStore(t, f, 3)
	ctx := context.Background()
	if _, err := s.Load(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.LoadAccount(ctx, ""); err != nil {
		t.Fatal(err)
	}
	mustUpdate(t, s, func(st *State) error { return st.SetActive(account(2).DID) })
	if calls, _ := f.count(); calls != 0 {
		t.Fatalf("a file-only store asked the keyring %d times", calls)
	}
	// One account in the keyring: LoadAccount of another asks nothing.
	mustUpdate(t, s, func(st *State) error { return st.UseSecrets(SecretsKeyring) })
	mustUpdate(t, s, func(st *State) error { return st.UseSecrets("file") })
	f.set(errUnavailable) // the next move fails and leaves accounts in the file
	mustUpdate(t, s, func(st *State) error { return st.UseSecrets(SecretsKeyring) })
	calls, _ := f.count()
	if _, _, err := s.LoadAccount(ctx, account(1).Handle); err != nil {
		t.Fatal(err)
	}
	if now, _ := f.count(); now != calls {
		t.Fatalf("LoadAccount of a file account asked the keyring")
	}
}

// A store without a keyring (nil) reads keyring accounts as unreadable,
// saying why, and keeps new tokens in the file.
func TestKeyringNoneConfigured(t *testing.T) {
	f := newFake(t)
	s := keyringStore(t, f, 1)
	mustUpdate(t, s, func(st *State) error { return st.UseSecrets(SecretsKeyring) })
	bare := Open(s.Path())
	a, ok, err := bare.LoadAccount(context.Background(), "")
	if err != nil || !ok || a.SecretsErr() == nil || !errors.Is(a.SecretsErr(), errNoKeyring) {
		t.Fatalf("ok %v err %v SecretsErr %v", ok, err, a.SecretsErr())
	}
}

// A keyring that failed is left alone for KeyringRetryAfter, then asked
// again: a switcher left running finds the tokens once it is unlocked.
func TestKeyringIsAskedAgainAfterAWhile(t *testing.T) {
	f := newFake(t)
	s := keyringStore(t, f, 2)
	mustUpdate(t, s, func(st *State) error { return st.UseSecrets(SecretsKeyring) })
	s = reopen(s, f) // a process that has not read the tokens yet
	now := time.Now()
	s.now = func() time.Time { return now }
	f.set(errLocked)
	if st, err := s.Load(); err != nil || st.Accounts[0].SecretsErr() == nil {
		t.Fatalf("a locked keyring: err %v, tokens readable", err)
	}
	calls, _ := f.count()
	f.set(nil) // unlocked
	now = now.Add(KeyringRetryAfter - time.Second)
	if st, err := s.Load(); err != nil || st.Accounts[0].SecretsErr() == nil {
		t.Fatalf("asked again too soon: err %v", err)
	}
	if c, _ := f.count(); c != calls {
		t.Fatalf("the keyring was asked %d times within the minute, want 0", c-calls)
	}
	now = now.Add(time.Second)
	st, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range st.Accounts {
		if a.SecretsErr() != nil || a.RefreshJwt == "" {
			t.Fatalf("@%s still unreadable after the keyring came back: %v", a.Handle, a.SecretsErr())
		}
	}
}

// A store asks the keyring for an item once while the file names the same
// tokens (SecretsTag): a switcher reloading after every change does not
// pay a keyring round trip per account each time. Tokens another process
// rotated are read again, and only those.
func TestKeyringItemsAreReadOncePerVersion(t *testing.T) {
	f := newFake(t)
	s := keyringStore(t, f, 3)
	mustUpdate(t, s, func(st *State) error { return st.UseSecrets(SecretsKeyring) })
	calls := func() int { c, _ := f.count(); return c }

	other := reopen(s, f)
	first, err := other.Load()
	if err != nil {
		t.Fatal(err)
	}
	if n := calls(); n != 3+3 { // the 3 writes, then 3 reads
		t.Fatalf("%d keyring calls, want 6", n)
	}
	for range 3 {
		again, err := other.Load()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(again.Accounts, first.Accounts) {
			t.Fatal("a load from what the store remembered differs from the first")
		}
	}
	if _, _, err := other.LoadAccount(context.Background(), account(2).Handle); err != nil {
		t.Fatal(err)
	}
	if n := calls(); n != 6 {
		t.Fatalf("loads of unchanged tokens asked the keyring %d more times", n-6)
	}

	// This process rotates account 1's tokens: one write, no read (it
	// remembers what it wrote, and the file names it).
	rotated := session(1, t0.Add(time.Hour))
	mustUpdate(t, s, func(st *State) error {
		st.Accounts[1].AccessJwt, st.Accounts[1].RefreshJwt = rotated.AccessJwt, rotated.RefreshJwt
		return nil
	})
	if n := calls(); n != 7 {
		t.Fatalf("the rotation took %d keyring calls, want 1 (the write)", n-6)
	}
	// The other process reads that item again, and only that one.
	got, err := other.Load()
	if err != nil {
		t.Fatal(err)
	}
	if n := calls(); n != 8 {
		t.Fatalf("after another process rotated one account, a load asked the keyring %d times, want 1", n-7)
	}
	if got.Accounts[1].RefreshJwt != rotated.RefreshJwt || got.Accounts[0].RefreshJwt != first.Accounts[0].RefreshJwt {
		t.Fatal("the load does not give the rotated tokens, or changed the others")
	}
	// The tags in the file fingerprint the tokens; they are not tokens.
	text := fileText(t, s)
	if !strings.Contains(text, `"secretsTag"`) {
		t.Fatal("no secretsTag in the file")
	}
	noTokens(t, "the file", text, 3)
}
