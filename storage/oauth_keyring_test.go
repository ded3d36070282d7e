package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// oauthKeyringStore is a store using f holding oauthAccount 0, account 1
// (a password session) and oauthAccount 2.
func oauthKeyringStore(t *testing.T, f *fakeKeyring) *Store {
	t.Helper()
	s := newStore(t)
	s.UseSecrets(f)
	st := NewState()
	for _, a := range []Account{oauthAccount(0), account(1), oauthAccount(2)} {
		st.Upsert(a)
	}
	st.Active = st.Accounts[0].DID
	mustUpdate(t, s, replaceWith(st))
	return s
}

// allItems is every item of f, joined.
func (f *fakeKeyring) allItems() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var b strings.Builder
	for _, v := range f.items {
		b.WriteString(v + "\n")
	}
	return b.String()
}

// An OAuth session's DPoP key goes to the keyring with its tokens and
// comes back with them; the file then holds it empty.
func TestKeyringOAuthMoveThereAndBack(t *testing.T) {
	f := newFake(t)
	s := oauthKeyringStore(t, f)
	if text := fileText(t, s); !strings.Contains(text, oauthAccount(0).OAuth.DPoPKey) {
		t.Fatal("the file (keyring unused) lacks the key")
	}
	mustUpdate(t, s, func(st *State) error { return st.UseSecrets(SecretsKeyring) })

	text := fileText(t, s)
	noTokens(t, "the accounts file", text, 3)
	if strings.Count(text, `"dpopKey": ""`) != 2 || !strings.Contains(text, `"version": 5`) {
		t.Errorf("the file does not hold both keys empty, at version 5:\n%s", text)
	}
	v, ok := f.item(t, s, oauthAccount(0).DID)
	if !ok || !holdsAll(v, oauthAccount(0)) {
		t.Fatal("the keyring item lacks the session's tokens or key")
	}
	if strings.Contains(v, "clientId") || strings.Contains(v, "bsky.social") {
		t.Errorf("the keyring item holds more than the secrets")
	}
	if v, _ := f.item(t, s, account(1).DID); strings.Contains(v, "dpopKey") {
		t.Errorf("a password session's item names a key: %s", v)
	}

	for _, s := range []*Store{s, reopen(s, f)} { // remembered, then read
		st, err := s.Load()
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range []int{0, 2} {
			if a := st.Accounts[i]; !sameSession(a, oauthAccount(i)) || a.SecretsErr() != nil {
				t.Errorf("Load: account %d's session came back as %+v (%v)", i, a.OAuth, a.SecretsErr())
			}
		}
		a, ok, err := s.LoadAccount(context.Background(), oauthAccount(2).Handle)
		if err != nil || !ok || !sameSession(*a, oauthAccount(2)) {
			t.Fatalf("LoadAccount: ok %v, err %v", ok, err)
		}
	}

	mustUpdate(t, s, func(st *State) error { return st.UseSecrets("file") })
	text = fileText(t, s)
	if !holdsAll(text, oauthAccount(0)) || !holdsAll(text, oauthAccount(2)) {
		t.Error("tokens and keys not back in the file")
	}
	if _, items := f.count(); items != 0 {
		t.Errorf("%d keyring items left", items)
	}
	if w := s.Warnings(); len(w) != 0 {
		t.Errorf("warnings with a working keyring: %q", w)
	}
}

// holdsAll tells whether text holds a's tokens and key.
func holdsAll(text string, a Account) bool {
	for _, v := range secretsIn(a.SessionData) {
		if !strings.Contains(text, v) {
			return false
		}
	}
	return true
}

// sameSession tells whether a holds want's tokens and OAuth data.
func sameSession(a, want Account) bool {
	return a.AccessJwt == want.AccessJwt && a.RefreshJwt == want.RefreshJwt &&
		a.OAuth != nil && want.OAuth != nil && a.OAuth.DPoPKey == want.OAuth.DPoPKey && a.OAuth.ClientID == want.OAuth.ClientID
}

// A keyring that refuses: the key stays in the file with the tokens, and
// the warnings name neither.
func TestKeyringOAuthFallsBackToTheFile(t *testing.T) {
	f := newFake(t)
	s := keyringStore(t, f, 0)
	mustUpdate(t, s, func(st *State) error { return st.UseSecrets(SecretsKeyring) })
	f.set(errLocked)
	mustUpdate(t, s, func(st *State) error { st.Upsert(oauthAccount(0)); return nil })
	if text := fileText(t, s); !holdsAll(text, oauthAccount(0)) {
		t.Fatal("the tokens or key the keyring refused are not in the file")
	}
	st, err := s.Load()
	if err != nil || st.Accounts[0].Secrets != "" || !sameSession(st.Accounts[0], oauthAccount(0)) {
		t.Fatalf("read back: %v", err)
	}
	w := strings.Join(s.Warnings(), "\n")
	if !strings.Contains(w, "kept in the accounts file") {
		t.Errorf("no warning: %q", w)
	}
	noTokens(t, "the warnings", w, 1)
}

// A keyring that cannot be read: the OAuth account loads without its
// secrets, says why (naming no secret), and its key is never dropped,
// not even by a move back to the file; once the keyring answers, it is all
// there.
func TestKeyringOAuthUnreadableKeepsTheKey(t *testing.T) {
	f := newFake(t)
	s := oauthKeyringStore(t, f)
	mustUpdate(t, s, func(st *State) error { return st.UseSecrets(SecretsKeyring) })
	f.set(errLocked)
	s = reopen(s, f)
	st, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	a := st.Accounts[0]
	if a.SecretsErr() == nil || a.OAuth == nil || a.OAuth.DPoPKey != "" || a.OAuth.ClientID != loopbackClientID {
		t.Fatalf("unreadable: SecretsErr %v, OAuth %+v", a.SecretsErr(), a.OAuth)
	}
	noTokens(t, "SecretsErr", a.SecretsErr().Error(), 3)
	mustUpdate(t, s, func(st *State) error { return st.UseSecrets("file") })
	noTokens(t, "the warnings", strings.Join(s.Warnings(), "\n"), 3)
	if text := fileText(t, s); strings.Count(text, `"secrets": "keyring"`) != 3 {
		t.Fatalf("accounts whose secrets could not be read left the keyring:\n%s", text)
	}
	f.set(nil)
	s = reopen(s, f)
	mustUpdate(t, s, func(st *State) error { return st.UseSecrets("file") })
	if st, err := s.Load(); err != nil || !sameSession(st.Accounts[0], oauthAccount(0)) || !sameSession(st.Accounts[2], oauthAccount(2)) {
		t.Fatalf("the key was lost while the keyring was locked (%v)", err)
	}
}

// A keyring item that does not match the account's kind is not taken:
// an OAuth account's item without a key, a password account's with one.
func TestKeyringOAuthItemMustMatchTheKind(t *testing.T) {
	f := newFake(t)
	s := oauthKeyringStore(t, f)
	mustUpdate(t, s, func(st *State) error { return st.UseSecrets(SecretsKeyring) })
	st, _, err := s.read()
	if err != nil {
		t.Fatal(err)
	}
	user := func(i int) string { return KeyringService + "\x00" + keyringUser(st.KeyringID, account(i).DID) }
	f.mu.Lock()
	f.items[user(0)] = `{"accessJwt":"a","refreshJwt":"r"}`
	f.items[user(1)] = `{"accessJwt":"a","refreshJwt":"r","dpopKey":"` + oauthAccount(1).OAuth.DPoPKey + `"}`
	f.items[user(2)] = `{"accessJwt":"a","refreshJwt":"r","dpopKey":"eyJnot.a.key"}`
	f.mu.Unlock()
	loaded, err := reopen(s, f).Load()
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"holds no DPoP key", "holds an OAuth session", "holds no DPoP key"} {
		a := loaded.Accounts[i]
		if a.SecretsErr() == nil || !strings.Contains(a.SecretsErr().Error(), want) || a.RefreshJwt != "" {
			t.Errorf("account %d: SecretsErr %v, refresh token taken %v; want %q", i, a.SecretsErr(), a.RefreshJwt != "", want)
		} else if strings.Contains(a.SecretsErr().Error(), keyStart) || strings.Contains(a.SecretsErr().Error(), "eyJ") {
			t.Errorf("account %d: the error quotes the item", i)
		}
	}
	// A key of another kind (P-384) is not taken either.
	f.mu.Lock()
	f.items[user(2)] = `{"accessJwt":"a","refreshJwt":"r","dpopKey":"` + otherKey(t, "p384") + `"}`
	f.mu.Unlock()
	loaded, err = reopen(s, f).Load()
	if a := loaded.Accounts[2]; err != nil || a.SecretsErr() == nil || a.RefreshJwt != "" {
		t.Errorf("a P-384 key in the item: err %v, SecretsErr %v, taken %v", err, a.SecretsErr(), a.RefreshJwt != "")
	}
}

// SecretsTag covers the key: a key changed by another process (tokens
// alike) makes this one read the item again. A password session's tag is
// what it was before keys were kept, so files of older builds still name
// their items.
func TestKeyringOAuthTagCoversTheKey(t *testing.T) {
	f := newFake(t)
	s := oauthKeyringStore(t, f)
	mustUpdate(t, s, func(st *State) error { return st.UseSecrets(SecretsKeyring) })
	other := reopen(s, f)
	if _, err := other.Load(); err != nil {
		t.Fatal(err)
	}
	newKey := dpopKey("another key")
	mustUpdate(t, s, func(st *State) error { st.Accounts[0].OAuth.DPoPKey = newKey; return nil })
	st, err := other.Load()
	if err != nil || st.Accounts[0].OAuth.DPoPKey != newKey {
		t.Fatalf("another process's new key not read (err %v)", err)
	}
	if v, _ := f.item(t, s, account(0).DID); !strings.Contains(v, newKey) {
		t.Fatal("the item does not hold the new key")
	}

	p := account(1)
	sum := sha256.Sum256([]byte(p.AccessJwt + "\n" + p.RefreshJwt))
	if !strings.Contains(fileText(t, s), `"secretsTag": "`+hex.EncodeToString(sum[:8])+`"`) {
		t.Error("a password session's tag is not what older builds wrote")
	}
}
