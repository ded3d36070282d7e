package accounts_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage/keyringtest"
)

// An OAuth account whose secrets are in the keyring works as one in the
// file: calls (a nonce saved on the way), refresh and logout; the file
// never holds its tokens or its DPoP key, and an error about the keyring
// names the account and none of them.
func TestKeyringOAuthAccountWorks(t *testing.T) {
	f := setup(t, fakepds.Options{})
	k := keyringtest.New()
	f.m.Store.UseSecrets(k)
	alice := f.oauthLogin(t, "alice.test")
	if _, err := f.m.UseSecrets(ctx, "keyring"); err != nil {
		t.Fatal(err)
	}
	secrets := []string{alice.AccessJwt, alice.RefreshJwt, alice.OAuth.DPoPKey}
	noSecretInFile := func(when string) {
		t.Helper()
		b, err := os.ReadFile(f.m.Store.Path())
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if strings.Contains(string(b), s) {
				t.Fatalf("%s: the accounts file holds a secret of the keyring's", when)
			}
		}
	}
	noSecretInFile("moved to the keyring")

	f.srv.RotateDPoPNonce() // the call saves a new nonce
	if _, _, err := call(t, f.m, "", getSession); err != nil {
		t.Fatalf("Call: %v", err)
	}
	noSecretInFile("after a call")
	fresh, err := f.m.Refresh(ctx, "")
	if err != nil || fresh.RefreshJwt == alice.RefreshJwt || fresh.OAuth.DPoPKey != alice.OAuth.DPoPKey {
		t.Fatalf("Refresh: %v", err)
	}
	secrets = append(secrets, fresh.AccessJwt, fresh.RefreshJwt)
	noSecretInFile("after a refresh")
	m := f.process()
	m.Store.UseSecrets(k)
	if _, _, err := call(t, m, "", getSession); err != nil {
		t.Fatalf("another process's call, its secrets from the keyring: %v", err)
	}

	k.Fail(errors.New("the collection is locked"))
	m = f.process()
	m.Store.UseSecrets(k)
	_, _, err = m.Call(ctx, "", getSession)
	if err == nil || !strings.Contains(err.Error(), "@alice.test") {
		t.Fatalf("Call with a locked keyring: %v", err)
	}
	for _, s := range secrets {
		if strings.Contains(err.Error(), s) {
			t.Fatal("the error holds a secret")
		}
	}
	k.Fail(nil)
	if res, err := f.m.Logout(ctx, ""); err != nil || res.Queued {
		t.Fatalf("Logout: %v (queued %v)", err, res.Queued)
	}
	if k.Len() != 0 || len(f.srv.OAuthSessions(alice.DID)) != 0 {
		t.Errorf("after logout: %d keyring items, %d live sessions", k.Len(), len(f.srv.OAuthSessions(alice.DID)))
	}
}
