package oskeyring

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gokeyring "github.com/zalando/go-keyring"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
)

// TestRealKeyring runs the store against the session's real keyring (on
// Linux a Secret Service; CI starts gnome-keyring under dbus-run-session,
// see .ci/run). It writes to that keyring, so it runs only when
// SKYSWITCH_TEST_KEYRING=1, and then fails, never skips, when no keyring
// answers.
func TestRealKeyring(t *testing.T) {
	if os.Getenv("SKYSWITCH_TEST_KEYRING") != "1" {
		t.Skip("set SKYSWITCH_TEST_KEYRING=1 to test against this session's OS keyring (it writes to it); " +
			`Linux: dbus-run-session -- sh -c 'printf pw | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null; ` +
			`SKYSWITCH_TEST_KEYRING=1 go test ./storage/oskeyring -run TestRealKeyring'; ` +
			`macOS (the login Keychain) and Windows (the Credential Manager): SKYSWITCH_TEST_KEYRING=1 go test ./storage/oskeyring -run TestRealKeyring`)
	}
	ctx := context.Background()
	k := New()
	probe := "skyswitch-test-probe"
	done := make(chan error, 1)
	go func() { done <- k.Set(ctx, storage.KeyringService, probe, "x") }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("SKYSWITCH_TEST_KEYRING=1 but the OS keyring refuses a write: %v", err)
		}
	case <-time.After(storage.KeyringTimeout):
		t.Fatal("SKYSWITCH_TEST_KEYRING=1 but the OS keyring does not answer")
	}
	if err := k.Delete(ctx, storage.KeyringService, probe); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Get(ctx, storage.KeyringService, probe); !errors.Is(err, storage.ErrSecretNotFound) {
		t.Fatalf("Get of a deleted item: %v, want ErrSecretNotFound", err)
	}

	s := storage.Open(filepath.Join(t.TempDir(), "skyswitch", "accounts.json"))
	s.UseSecrets(k)
	alice := session("did:plc:realkeyringalice0000000", "alice.test", time.Now())
	bob := session("did:plc:realkeyringbob000000000", "bob.test", time.Now())
	carol := oauthSession(t, "did:plc:realkeyringcarol00000000", "carol.test", time.Now())
	update := func(fn func(*storage.State) error) {
		t.Helper()
		if err := s.Update(fn); err != nil {
			t.Fatal(err)
		}
	}
	update(func(st *storage.State) error {
		st.Upsert(storage.Account{SessionData: alice})
		st.Upsert(storage.Account{SessionData: bob})
		st.Upsert(storage.Account{SessionData: carol})
		return st.SetActive(alice.DID)
	})
	update(func(st *storage.State) error { return st.UseSecrets(storage.SecretsKeyring) })
	t.Cleanup(func() { _ = s.Update(func(st *storage.State) error { return st.UseSecrets("file") }) })

	raw, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), alice.RefreshJwt) || strings.Contains(string(raw), bob.AccessJwt) ||
		strings.Contains(string(raw), carol.RefreshJwt) || strings.Contains(string(raw), carol.OAuth.DPoPKey) {
		t.Fatal("tokens or a DPoP key still in the file after moving them to the keyring")
	}
	st, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	// The item, as any keyring tool sees it: service "skyswitch", user
	// "<did> <keyringId>", holding the two tokens only.
	item, err := gokeyring.Get(storage.KeyringService, alice.DID+" "+st.KeyringID)
	if err != nil || !strings.Contains(item, alice.RefreshJwt) || strings.Contains(item, alice.Handle) {
		t.Fatalf("keyring item of alice: err %v, holds her refresh token %v", err, strings.Contains(item, alice.RefreshJwt))
	}

	// An OAuth session's item holds its key beside its tokens, and the
	// key comes back with them.
	item, err = gokeyring.Get(storage.KeyringService, carol.DID+" "+st.KeyringID)
	if err != nil || !strings.Contains(item, carol.OAuth.DPoPKey) || strings.Contains(item, carol.OAuth.ClientID) {
		t.Fatalf("keyring item of carol: err %v, holds her key %v", err, strings.Contains(item, carol.OAuth.DPoPKey))
	}
	if c, ok, err := s.LoadAccount(ctx, carol.DID); err != nil || !ok || c.OAuth == nil || c.OAuth.DPoPKey != carol.OAuth.DPoPKey || c.RefreshJwt != carol.RefreshJwt {
		t.Fatalf("LoadAccount of carol: ok %v err %v", ok, err)
	}

	// The fast path reads one account's tokens from the keyring.
	a, ok, err := s.LoadAccount(ctx, "")
	if err != nil || !ok || a.AccessJwt != alice.AccessJwt || a.SecretsErr() != nil {
		t.Fatalf("LoadAccount: ok %v err %v SecretsErr %v", ok, err, a.SecretsErr())
	}

	// A refresh rotates the item.
	fresh := session(alice.DID, alice.Handle, time.Now().Add(time.Hour))
	update(func(st *storage.State) error {
		if !st.ApplyRefresh(alice.RefreshJwt, fresh) {
			t.Error("refresh not applied")
		}
		return nil
	})
	if a, _, _ := s.LoadAccount(ctx, alice.DID); a.RefreshJwt != fresh.RefreshJwt {
		t.Fatal("the rotated refresh token is not what the keyring gives back")
	}

	// Logout deletes the item.
	update(func(st *storage.State) error { st.Remove(bob.DID); return nil })
	if _, err := gokeyring.Get(storage.KeyringService, bob.DID+" "+st.KeyringID); !errors.Is(err, gokeyring.ErrNotFound) {
		t.Fatalf("bob's item after removing him: %v, want not found", err)
	}

	// And back to the file: tokens there, the item gone.
	update(func(st *storage.State) error { return st.UseSecrets("file") })
	raw, _ = os.ReadFile(s.Path())
	if !strings.Contains(string(raw), fresh.RefreshJwt) || !strings.Contains(string(raw), carol.OAuth.DPoPKey) {
		t.Fatal("tokens or the DPoP key not back in the file")
	}
	if _, err := gokeyring.Get(storage.KeyringService, alice.DID+" "+st.KeyringID); !errors.Is(err, gokeyring.ErrNotFound) {
		t.Fatalf("alice's item after moving back: %v, want not found", err)
	}
	if w := s.Warnings(); len(w) != 0 {
		t.Errorf("warnings with a working keyring: %q", w)
	}
}

// oauthSession is an OAuth session with a new ES256 key.
func oauthSession(t *testing.T, did, handle string, iat time.Time) auth.SessionData {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	d := session(did, handle, iat)
	d.RefreshJwt = "ref-" + did + "." + iat.Format("150405.000000000")
	d.OAuth = &auth.OAuthData{
		ClientID: "http://localhost?redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcallback&scope=atproto",
		Issuer:   "https://pds.test", TokenEndpoint: "https://pds.test/oauth/token",
		DPoPKey: base64.RawURLEncoding.EncodeToString(der), Scope: "atproto",
		SessionEndsAt: iat.Add(14 * 24 * time.Hour),
	}
	return d
}

// session is a session with distinct fake tokens shaped like a PDS's.
func session(did, handle string, iat time.Time) auth.SessionData {
	tok := func(kind string) string {
		return "eyJ0eXAiOiJ" + kind + "." + did + "." + iat.Format("20060102T150405.000000000")
	}
	return auth.SessionData{
		AccessJwt: tok("at"), RefreshJwt: tok("refresh"), DID: did, Handle: handle,
		Service: "https://pds.test", PDSURL: "https://pds.test", Active: true, RefreshedAt: iat,
	}
}
