package storage

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/auth"
)

// TestUpsertReplacesTheKind: a new login for a DID saved with the other
// kind of session replaces it whole, both ways: OAuth data set by an OAuth
// login, cleared by a password one; the local fields kept as for any new
// login (AddedAt, the handle check), the refresh error and the end mark
// cleared.
func TestUpsertReplacesTheKind(t *testing.T) {
	st := NewState()
	pw := account(0)
	pw.HandleCheck = HandleCheck{Handle: pw.Handle, Status: HandleVerified, At: t0}
	pw.LastRefreshError, pw.SessionEnded = "ExpiredToken", true
	st.Upsert(pw)

	oa := oauthAccount(0)
	oa.AddedAt = time.Time{}
	if st.Upsert(oa) {
		t.Fatal("a new login of a saved DID added an account")
	}
	a, _ := st.Account(pw.DID)
	if a.Kind() != auth.KindOAuth || a.OAuth != oa.OAuth || a.RefreshJwt != oa.RefreshJwt || a.AccessJwt != oa.AccessJwt {
		t.Fatalf("the OAuth login did not replace the password session: %+v", a.SessionData)
	}
	if !a.AddedAt.Equal(pw.AddedAt) || a.HandleCheck != pw.HandleCheck || a.SessionEnded || a.LastRefreshError != "" {
		t.Errorf("local fields after the OAuth login: %+v", a)
	}

	again := account(0)
	again.SessionData = session(0, t0.Add(time.Hour))
	st.Upsert(again)
	if a, _ := st.Account(pw.DID); a.Kind() != auth.KindPassword || a.OAuth != nil || a.RefreshJwt != again.RefreshJwt {
		t.Fatalf("the password login did not clear the OAuth session: %+v", a.OAuth)
	}
}

// TestStoreReplacesTheKind: the same through the store, with the tokens in
// the file and in the keyring: an OAuth login over a password session
// brings its key (to the file, or to the item, never the file), a password
// login over an OAuth one takes the key away from both; the file's version
// follows (5 with OAuth, back to what it was without).
func TestStoreReplacesTheKind(t *testing.T) {
	for _, keyring := range []bool{false, true} {
		f := newFake(t)
		s := keyringStore(t, f, 2)
		if keyring {
			mustUpdate(t, s, func(st *State) error { return st.UseSecrets(SecretsKeyring) })
		}
		oa := oauthAccount(0)
		mustUpdate(t, s, func(st *State) error { st.Upsert(oa); return nil })
		text := fileText(t, s)
		item, _ := f.item(t, s, oa.DID)
		if keyring {
			if !holdsAll(item, oa) || holdsSecret(text, oa.SessionData) {
				t.Errorf("keyring: the OAuth login's secrets are not in the item alone")
			}
		} else if !holdsAll(text, oa) {
			t.Errorf("file: the OAuth login's secrets are not in the file")
		}
		if !strings.Contains(text, `"version": 5`) || strings.Contains(text, account(0).RefreshJwt) || strings.Contains(item, account(0).RefreshJwt) {
			t.Errorf("keyring %v: after the OAuth login, not version 5 or the password session's token is kept", keyring)
		}
		st, err := reopen(s, f).Load()
		if err != nil || st.Accounts[0].Kind() != auth.KindOAuth || !sameSession(st.Accounts[0], oa) {
			t.Fatalf("keyring %v: read back after the OAuth login: %v", keyring, err)
		}

		pw := account(0)
		pw.SessionData = session(0, t0.Add(time.Hour))
		mustUpdate(t, s, func(st *State) error { st.Upsert(pw); return nil })
		text = fileText(t, s)
		item, _ = f.item(t, s, oa.DID)
		noTokens(t, "the file after the password login", text, 1)
		noTokens(t, "the item after the password login", item, 1)
		if strings.Contains(text, "oauth") || strings.Contains(item, "dpopKey") {
			t.Errorf("keyring %v: the OAuth session is still named after the password login", keyring)
		}
		wantVersion := map[bool]string{false: `"version": 1`, true: `"version": 2`}[keyring]
		if !strings.Contains(text, wantVersion) {
			t.Errorf("keyring %v: the file is not back at %s", keyring, wantVersion)
		}
		st, err = reopen(s, f).Load()
		if err != nil || st.Accounts[0].Kind() != auth.KindPassword || st.Accounts[0].RefreshJwt != pw.RefreshJwt || st.Accounts[0].SecretsErr() != nil {
			t.Fatalf("keyring %v: read back after the password login: %v", keyring, err)
		}
	}
}

// TestOAuthLogoutLeavesNoSecret: an OAuth account logged out and revoked
// leaves nothing of its secrets behind: not in the file (what is
// remembered of the logout is its DID and handle), not in the keyring. One
// whose revocation is owed is queued with what the retry needs, its
// tokens and key kept where queued sessions' tokens are kept (the file,
// 0600), with the keyring too.
func TestOAuthLogoutLeavesNoSecret(t *testing.T) {
	for _, keyring := range []bool{false, true} {
		f := newFake(t)
		s := oauthKeyringStore(t, f)
		if keyring {
			mustUpdate(t, s, func(st *State) error { return st.UseSecrets(SecretsKeyring) })
		}
		revoked, owed := oauthAccount(0), oauthAccount(2)
		mustUpdate(t, s, func(st *State) error {
			a, _ := st.Remove(revoked.DID)
			st.NoteLoggedOut(a, t0)
			b, _ := st.Remove(owed.DID)
			st.QueueLogout(b.SessionData, t0)
			st.NoteLoggedOut(b, t0)
			return nil
		})
		text := fileText(t, s)
		if holdsSecret(text, revoked.SessionData) || holdsSecret(f.allItems(), revoked.SessionData) || holdsSecret(f.allItems(), owed.SessionData) {
			t.Errorf("keyring %v: a logged-out account's secrets are left behind", keyring)
		}
		if !holdsAll(text, owed) {
			t.Errorf("keyring %v: the queued logout lacks its tokens or key", keyring)
		}
		if info, err := os.Stat(s.Path()); err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("the file holding a queued key: %v %v", info.Mode(), err)
		}
		st, err := reopen(s, f).Load()
		if err != nil || len(st.PendingLogouts) != 1 || len(st.LoggedOut) != 2 {
			t.Fatalf("keyring %v: read back: %v", keyring, err)
		}
		if p := st.PendingLogouts[0].Session; !sameSession(Account{SessionData: p}, owed) || p.OAuth.RevocationEndpoint != owed.OAuth.RevocationEndpoint {
			t.Errorf("keyring %v: the queued session cannot be revoked later: %+v", keyring, p.OAuth)
		}
		remembered, _ := json.Marshal(st.LoggedOut)
		if holdsSecret(string(remembered), owed.SessionData) || holdsSecret(string(remembered), revoked.SessionData) {
			t.Errorf("what is remembered of a logout holds a secret")
		}
	}
}

// TestVersion4UpgradesWithoutLoss: a version 4 file (a logout remembered,
// a handle checked, tokens in the keyring, a password session queued for
// logout, a refresh error) becomes version 5 when an OAuth session is
// added, and keeps every member it had; once that session is gone again it
// is version 4, which builds before OAuth read.
func TestVersion4UpgradesWithoutLoss(t *testing.T) {
	f := newFake(t)
	s := keyringStore(t, f, 3)
	mustUpdate(t, s, func(st *State) error {
		st.Accounts[1].HandleCheck = HandleCheck{Handle: st.Accounts[1].Handle, Status: "verified", At: t0}
		st.Accounts[2].LastRefreshError, st.Accounts[2].LastRefreshErrorAt = "server down", t0
		gone, _ := st.Remove(st.Accounts[2].DID)
		st.NoteLoggedOut(gone, t0)
		st.QueueLogout(gone.SessionData, t0)
		st.Upsert(account(4))
		return st.UseSecrets(SecretsKeyring)
	})
	before, _, err := s.read()
	if err != nil || before.Version != 4 {
		t.Fatalf("the file before: version %v (%v), want 4", before.Version, err)
	}
	v4, err := reopen(s, f).Load()
	if err != nil {
		t.Fatal(err)
	}
	mustUpdate(t, reopen(s, f), func(st *State) error { st.Upsert(oauthAccount(5)); return nil })
	after, err := reopen(s, f).Load()
	if err != nil || after.Version != 5 {
		t.Fatalf("after an OAuth login: version %v (%v), want 5", after.Version, err)
	}
	o, ok := after.Account(oauthAccount(5).DID)
	if !ok || !sameSession(*o, oauthAccount(5)) || o.Secrets != SecretsKeyring {
		t.Fatal("the OAuth session was not kept, or not in the keyring")
	}
	after.Remove(o.DID)
	after.Version = v4.Version
	if !sameState(v4, after) {
		t.Fatalf("the upgrade lost or changed something:\n got %+v\nwant %+v", after, v4)
	}
	mustUpdate(t, reopen(s, f), func(st *State) error { st.Remove(oauthAccount(5).DID); return nil })
	if back, _, err := s.read(); err != nil || back.Version != 4 {
		t.Fatalf("without the OAuth session: version %v (%v), want 4", back.Version, err)
	}
}
