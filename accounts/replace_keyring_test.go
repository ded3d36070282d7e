package accounts_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

const pathDeleteSession = "com.atproto.server.deleteSession"

// replacement is a login that replaces alice's saved session with one of
// the other kind: through Login or FinishOAuth, or through their "again"
// forms.
type replacement struct {
	name  string
	oauth bool // the old session is OAuth, the new one a password one
	again bool // LoginAgain / FinishOAuthAgain
}

var replacements = []replacement{
	{"password replacing OAuth", true, false},
	{"OAuth replacing password", false, false},
	{"LoginAgain replacing OAuth", true, true},
	{"FinishOAuthAgain replacing password", false, true},
}

// first saves alice's old session through f's own process.
func (r replacement) first(t *testing.T, f *fixture) storage.Account {
	if r.oauth {
		return f.oauthLogin(t, "alice.test")
	}
	return f.login(t, "alice.test")
}

// replace signs alice in again through m, with the other kind.
func (r replacement) replace(t *testing.T, f *fixture, m *accounts.Manager, did string) (storage.Account, error) {
	t.Helper()
	if r.oauth {
		in := auth.LoginInput{Service: f.srv.URL(), Identifier: "alice.test", Password: password}
		if r.again {
			return m.LoginAgain(ctx, did, in)
		}
		return m.Login(ctx, in)
	}
	p := f.startOAuth(t, m, "alice.test")
	cb := f.approve(t, p, p.DID())
	if r.again {
		return m.FinishOAuthAgain(ctx, did, p, cb)
	}
	return m.FinishOAuth(ctx, p, cb)
}

// savedIn checks that the store (read through f's process, whose keyring
// works) holds the new session, and that the server knows it.
func savedIn(t *testing.T, f *fixture, got storage.Account, oauth bool) {
	t.Helper()
	st, err := f.m.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a, ok := st.Account(got.DID)
	switch {
	case !ok || a.RefreshJwt == "" || a.RefreshJwt != got.RefreshJwt:
		t.Fatal("the new session is not what the store holds")
	case oauth && (a.OAuth == nil || a.OAuth.DPoPKey != got.OAuth.DPoPKey):
		t.Fatal("the new OAuth session's key is not in the file")
	case !oauth && !f.srv.RefreshTokenValid(got.RefreshJwt):
		t.Fatal("the new password session does not work on the server")
	case oauth && !f.srv.OAuthAccessTokenValid(got.AccessJwt):
		t.Fatal("the new OAuth session does not work on the server")
	}
}

// oldLives tells whether the server still holds old.
func oldLives(f *fixture, old storage.Account) bool {
	if old.OAuth != nil {
		return f.srv.OAuthAccessTokenValid(old.AccessJwt)
	}
	return f.srv.RefreshTokenValid(old.RefreshJwt)
}

// A login that replaces a session kept in the keyring, when the keyring
// locks after the replaced session was read under the account's refresh
// lock and before the write: the new session is saved (in the file), and
// the old one is queued whole (tokens, key, endpoints) when its server is
// down, and revoked later. It used to be queued with no tokens, which the
// queue drops: the old session stayed live and nobody owed its revocation.
func TestReplacedSessionQueuedWhenTheKeyringLocksMeanwhile(t *testing.T) {
	for _, r := range replacements {
		t.Run(r.name, func(t *testing.T) {
			f := setup(t, fakepds.Options{})
			old := r.first(t, f)
			// One read: the replaced session, under its refresh lock.
			m, _ := staleTagProcessAllowing(t, f, 1)
			f.srv.Inject(pathRevoke, fakepds.Fault{Kind: fakepds.FaultStatus, Status: 503})
			f.srv.Inject(pathDeleteSession, fakepds.Fault{Kind: fakepds.FaultStatus, Status: 503})
			got, err := r.replace(t, f, m, old.DID)
			if err != nil {
				t.Fatalf("the login failed: %v", err)
			}
			savedIn(t, f, got, !r.oauth)
			st, err := f.process().Load(ctx)
			if err != nil {
				t.Fatal(err)
			}
			p, ok := st.PendingLogout(old.RefreshJwt)
			switch {
			case !ok || len(st.PendingLogouts) != 1:
				t.Fatalf("the replaced session is not queued (%d pending logouts)", len(st.PendingLogouts))
			case p.Session.AccessJwt != old.AccessJwt || (old.OAuth == nil) != (p.Session.OAuth == nil):
				t.Fatal("the queued session is not the replaced one")
			case old.OAuth != nil && (p.Session.OAuth.DPoPKey != old.OAuth.DPoPKey || p.Session.OAuth.ClientID != old.OAuth.ClientID ||
				p.Session.OAuth.RevocationEndpoint != old.OAuth.RevocationEndpoint):
				t.Fatal("the queued OAuth session does not hold the key, client_id and endpoint it was made with")
			}
			notes := strings.Join(m.Warnings(), "\n")
			if !strings.Contains(notes, "skyswitch will retry") {
				t.Errorf("the notes do not say the revocation is retried:\n%s", notes)
			}
			noSecrets(t, notes, old, got)
			f.srv.ClearFaults()
			f.clk.Advance(accounts.PendingBackoff(1))
			if n, left, err := f.process().RetryPendingLogouts(ctx); n != 1 || left != 0 || err != nil {
				t.Fatalf("retry: %d revoked, %d left, %v", n, left, err)
			}
			if oldLives(f, old) {
				t.Fatal("the replaced session still lives on the server")
			}
		})
	}
}

// A login that replaces a session kept in a keyring that cannot be read at
// all: the login succeeds and its session is saved; the old session,
// whose tokens nobody can read, is named in a note saying it was not
// revoked (no secret in it), and nothing is sent with the half of it the
// file holds. It used to go without a word.
func TestReplacedSessionUnreadableIsNamed(t *testing.T) {
	for _, r := range replacements {
		t.Run(r.name, func(t *testing.T) {
			f := setup(t, fakepds.Options{})
			old := r.first(t, f)
			m, _ := staleTagProcessAllowing(t, f, 0)
			revocations := f.srv.Calls(pathRevoke) + f.srv.Calls(pathDeleteSession)
			got, err := r.replace(t, f, m, old.DID)
			if err != nil {
				t.Fatalf("the login failed: %v", err)
			}
			savedIn(t, f, got, !r.oauth)
			notes := strings.Join(m.Warnings(), "\n")
			for _, want := range []string{"the session @alice.test had before this login", "was not revoked", accounts.HostOf(old.Endpoint())} {
				if !strings.Contains(notes, want) {
					t.Errorf("the notes do not say %q:\n%s", want, notes)
				}
			}
			noSecrets(t, notes, old, got)
			if n := f.srv.Calls(pathRevoke) + f.srv.Calls(pathDeleteSession); n != revocations {
				t.Errorf("%d revocations sent without the session's tokens", n-revocations)
			}
			if !oldLives(f, old) {
				t.Fatal("the fake revoked the old session: the test shows nothing")
			}
			if st, err := f.process().Load(ctx); err != nil || len(st.PendingLogouts) != 0 {
				t.Fatalf("pending logouts %v (%v)", st.PendingLogouts, err)
			}
		})
	}
}

// A replaced session read under its refresh lock is not queued when the
// write finds another stored in its place (a process holding no lock, an
// older skyswitch, wrote other tokens meanwhile, with another fingerprint)
// and cannot read it: what was read may be spent, and the revocation would
// act on a session that is not the replaced one. The note names the
// account instead.
func TestReplacedSessionReadIsNotTakenForAnother(t *testing.T) {
	f := setup(t, fakepds.Options{})
	old := f.oauthLogin(t, "alice.test")
	m, k := staleTagProcessAllowing(t, f, 1)
	k.read = func(n int) {
		if n != 1 {
			return
		}
		b, err := os.ReadFile(f.m.Store.Path())
		if err != nil {
			t.Error(err)
			return
		}
		b = bytes.Replace(b, []byte(`"secretsTag": "0000000000000000"`), []byte(`"secretsTag": "1111111111111111"`), 1)
		if err := os.WriteFile(f.m.Store.Path(), b, 0o600); err != nil {
			t.Error(err)
		}
	}
	f.srv.Inject(pathRevoke, fakepds.Fault{Kind: fakepds.FaultStatus, Status: 503})
	got, err := m.Login(ctx, auth.LoginInput{Service: f.srv.URL(), Identifier: "alice.test", Password: password})
	if err != nil {
		t.Fatalf("the login failed: %v", err)
	}
	savedIn(t, f, got, false)
	if st, err := f.process().Load(ctx); err != nil || len(st.PendingLogouts) != 0 || f.srv.Calls(pathRevoke) != 0 {
		t.Fatalf("the session read before was queued or revoked for the one the write found (%v)", err)
	}
	notes := strings.Join(m.Warnings(), "\n")
	if !strings.Contains(notes, "the session @alice.test had before this login was not revoked") {
		t.Errorf("the notes do not name the account:\n%s", notes)
	}
	noSecrets(t, notes, old, got)
}

// noSecrets fails when text holds a token or key of either session.
func noSecrets(t *testing.T, text string, ss ...storage.Account) {
	t.Helper()
	for _, s := range ss {
		secrets := []string{s.AccessJwt, s.RefreshJwt}
		if s.OAuth != nil {
			secrets = append(secrets, s.OAuth.DPoPKey)
		}
		for _, v := range secrets {
			if v != "" && strings.Contains(text, v) {
				t.Fatal("a note quotes a secret")
			}
		}
	}
}
