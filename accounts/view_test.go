package accounts_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/storage/keyringtest"
)

// An account whose tokens the keyring cannot give is keyring-unreadable,
// with the reason and no token, not "expired"; an ended session stays
// ended; once the keyring answers, the account is valid again.
func TestSummarizeKeyringUnreadable(t *testing.T) {
	f := setup(t, fakepds.Options{})
	k := keyringtest.New()
	f.m.Store.UseSecrets(k)
	alice := f.login(t, "alice.test")
	if _, err := f.m.UseSecrets(ctx, "keyring"); err != nil {
		t.Fatal(err)
	}
	load := func() storage.Account {
		t.Helper()
		s := storage.Open(f.m.Store.Path()) // a new process: the keyring is asked again
		s.UseSecrets(k)
		st, err := s.LoadContext(ctx)
		if err != nil {
			t.Fatal(err)
		}
		a, ok := st.Find("alice.test")
		if !ok {
			t.Fatal("alice.test is not saved")
		}
		return *a
	}
	now := f.clk.Now()

	k.Fail(errors.New("prompt dismissed: the collection is locked"))
	locked := load()
	s := accounts.Summarize(locked, true, now)
	if s.State != accounts.StateKeyringUnreadable || !strings.Contains(s.KeyringError, "the collection is locked") {
		t.Fatalf("state %q, keyringError %q", s.State, s.KeyringError)
	}
	if strings.Contains(s.KeyringError, alice.AccessJwt) || strings.Contains(s.KeyringError, alice.RefreshJwt) {
		t.Fatal("the reason holds a token")
	}
	if !s.AccessExpiresAt.IsZero() {
		t.Fatalf("an unread token has an expiry: %v", s.AccessExpiresAt)
	}
	locked.SessionEnded = true
	if s := accounts.Summarize(locked, true, now); s.State != accounts.StateEnded {
		t.Fatalf("an ended session whose keyring fails: state %q, want ended", s.State)
	}

	k.Fail(nil)
	if s := accounts.Summarize(load(), true, now); s.State != accounts.StateValid || s.KeyringError != "" {
		t.Fatalf("once the keyring answers: state %q, keyringError %q", s.State, s.KeyringError)
	}
}
