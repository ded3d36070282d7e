package storage

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/auth"
)

// rotated is what an OAuth token endpoint's refresh of d gives, as the
// auth package may pass it on: new tokens (the refresh token opaque and
// single-use), the new access token's expiry and the PDS's latest nonce,
// and nothing of what the sign-in fixed (client_id, endpoints, key, scope,
// the session's end), which ApplyRefresh keeps.
func rotated(d auth.SessionData, n int) auth.SessionData {
	iat := t0.Add(time.Duration(n) * time.Hour)
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s rotated %d", d.DID, n)))
	return auth.SessionData{
		AccessJwt:  jwt("at+jwt", "atproto transition:generic", d.DID, fmt.Sprintf("at-r%d", n), iat, time.Hour),
		RefreshJwt: fmt.Sprintf("ref-%x", sum),
		DID:        d.DID, Handle: d.Handle, Active: true,
		OAuth: &auth.OAuthData{AccessExpiresAt: iat.Add(time.Hour), PDSNonce: fmt.Sprintf("pds-nonce-r%d", n)},
	}
}

// TestApplyRefreshOAuth: an OAuth session's refresh replaces both tokens
// over the one used, keeps what the sign-in fixed (the exact client_id,
// the endpoints, the DPoP key, the scope, the session's end), takes the
// new access expiry and nonce, and never lets an opaque token that is not
// the stored one (a spent one, another process's) write over it.
func TestApplyRefreshOAuth(t *testing.T) {
	stored := oauthSession(7, t0)
	st := NewState()
	st.Upsert(Account{SessionData: stored, LastRefreshError: "old failure", SessionEnded: true})
	fresh := rotated(stored, 1)
	if !st.ApplyRefresh(stored.RefreshJwt, fresh) {
		t.Fatal("not applied")
	}
	a, _ := st.Account(stored.DID)
	o, was := a.OAuth, stored.OAuth
	if a.AccessJwt != fresh.AccessJwt || a.RefreshJwt != fresh.RefreshJwt || a.LastRefreshError != "" || a.SessionEnded {
		t.Fatalf("after the refresh: %+v", a)
	}
	if o.ClientID != was.ClientID || o.Issuer != was.Issuer || o.TokenEndpoint != was.TokenEndpoint ||
		o.RevocationEndpoint != was.RevocationEndpoint || o.DPoPKey != was.DPoPKey || o.Scope != was.Scope ||
		!o.SessionEndsAt.Equal(was.SessionEndsAt) || o.AuthServerNonce != was.AuthServerNonce {
		t.Errorf("what the sign-in fixed was lost: %+v", o)
	}
	if !o.AccessExpiresAt.Equal(fresh.OAuth.AccessExpiresAt) || o.PDSNonce != fresh.OAuth.PDSNonce {
		t.Errorf("the refresh's expiry or nonce not taken: %+v", o)
	}
	if a.Service != stored.Service || a.PDSURL != stored.PDSURL {
		t.Errorf("service or PDS lost: %+v", a.SessionData)
	}
	st.Version = st.formatVersion()
	if err := st.validate(); err != nil {
		t.Fatalf("the refreshed state cannot be written: %v", err)
	}

	// The spent token, used again by a slow process with another result,
	// writes nothing; the same result twice changes nothing.
	if st.ApplyRefresh(stored.RefreshJwt, rotated(stored, 2)) {
		t.Error("a refresh with the spent token was applied")
	}
	if !st.ApplyRefresh(stored.RefreshJwt, fresh) {
		t.Error("the same result twice was refused")
	}
	if a, _ := st.Account(stored.DID); a.RefreshJwt != fresh.RefreshJwt || a.OAuth.DPoPKey != was.DPoPKey {
		t.Fatal("the live token or key was replaced")
	}
	if st.RecordRefreshError(stored.DID, stored.RefreshJwt, "invalid_grant", t0) || st.MarkEnded(stored.DID, stored.RefreshJwt, "invalid_grant", t0) {
		t.Error("a failure of the spent token marked the live session")
	}

	// A refresh result without OAuth data keeps the session's, but not
	// the spent access token's expiry.
	next := rotated(stored, 3)
	next.OAuth = nil
	if !st.ApplyRefresh(fresh.RefreshJwt, next) {
		t.Fatal("not applied")
	}
	if a, _ := st.Account(stored.DID); a.OAuth == nil || a.OAuth.DPoPKey != was.DPoPKey || !a.OAuth.AccessExpiresAt.IsZero() {
		t.Errorf("a result without OAuth data: %+v", a.OAuth)
	}
	// A whole OAuth result is taken as it is.
	whole := oauthSession(7, t0.Add(5*time.Hour))
	if !st.ApplyRefresh(next.RefreshJwt, whole) {
		t.Fatal("not applied")
	}
	if a, _ := st.Account(stored.DID); *a.OAuth != *whole.OAuth {
		t.Errorf("a whole result: %+v, want %+v", a.OAuth, whole.OAuth)
	}
}

// TestMarkEndedKeepsTheOAuthSession: an ended OAuth session keeps its
// kind and data, so "log in again" can use the kind it had.
func TestMarkEndedKeepsTheOAuthSession(t *testing.T) {
	stored := oauthSession(7, t0)
	st := NewState()
	st.Upsert(Account{SessionData: stored})
	if !st.MarkEnded(stored.DID, stored.RefreshJwt, "invalid_grant: session revoked", t0) {
		t.Fatal("not marked")
	}
	a, _ := st.Account(stored.DID)
	if !a.SessionEnded || a.Kind() != auth.KindOAuth || a.OAuth.ClientID != stored.OAuth.ClientID || a.OAuth.DPoPKey != stored.OAuth.DPoPKey {
		t.Fatalf("ended: %+v", a)
	}
	st.Version = st.formatVersion()
	if err := st.validate(); err != nil {
		t.Fatal(err)
	}
}

// TestApplyRefreshOAuthQueuedLogout: a session removed during its
// refresh is queued for revocation with the live token, and with all a
// revocation needs later: the client_id, the endpoints, the key.
func TestApplyRefreshOAuthQueuedLogout(t *testing.T) {
	stored := oauthSession(7, t0)
	st := NewState()
	st.Upsert(Account{SessionData: stored})
	removed, _ := st.Remove(stored.DID)
	st.QueueLogout(removed.SessionData, t0)
	fresh := rotated(stored, 1)
	if st.ApplyRefresh(stored.RefreshJwt, fresh) {
		t.Fatal("a removed account was brought back")
	}
	p, ok := st.PendingLogout(fresh.RefreshJwt)
	if !ok || p.Session.AccessJwt != fresh.AccessJwt {
		t.Fatalf("queued logout kept the rotated-out token: %+v", st.PendingLogouts)
	}
	o := p.Session.OAuth
	if o == nil || o.ClientID != stored.OAuth.ClientID || o.RevocationEndpoint != stored.OAuth.RevocationEndpoint ||
		o.TokenEndpoint != stored.OAuth.TokenEndpoint || o.DPoPKey != stored.OAuth.DPoPKey {
		t.Fatalf("the queued session cannot be revoked later: %+v", o)
	}
	st.Version = st.formatVersion()
	data, err := encode(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	back, err := decode("t", data)
	if err != nil || !sameState(back, st) {
		t.Fatalf("the queued OAuth session read back as %+v (%v)", back, err)
	}
}

// TestKeyringOAuthRefresh: with the keyring, a refresh replaces the item
// with the new tokens and the session's key; the file holds neither, and
// a refresh with a spent token leaves the item alone.
func TestKeyringOAuthRefresh(t *testing.T) {
	f := newFake(t)
	s := oauthKeyringStore(t, f)
	mustUpdate(t, s, func(st *State) error { return st.UseSecrets(SecretsKeyring) })
	old := oauthAccount(0)
	fresh := rotated(old.SessionData, 1)
	mustUpdate(t, s, func(st *State) error {
		if !st.ApplyRefresh(old.RefreshJwt, fresh) {
			t.Error("refresh not applied")
		}
		return nil
	})
	v, _ := f.item(t, s, old.DID)
	if !strings.Contains(v, fresh.RefreshJwt) || !strings.Contains(v, fresh.AccessJwt) || !strings.Contains(v, old.OAuth.DPoPKey) {
		t.Fatal("the item does not hold the rotated tokens and the key")
	}
	text := fileText(t, s)
	noTokens(t, "the file", text, 3)
	if strings.Contains(text, fresh.RefreshJwt) || !strings.Contains(text, fresh.OAuth.PDSNonce) {
		t.Fatal("the rotated token is in the file, or the new nonce is not")
	}
	mustUpdate(t, reopen(s, f), func(st *State) error {
		if st.ApplyRefresh(old.RefreshJwt, rotated(old.SessionData, 2)) {
			t.Error("a refresh with the spent token was applied")
		}
		return nil
	})
	st, err := reopen(s, f).Load()
	if a := st.Accounts[0]; err != nil || a.RefreshJwt != fresh.RefreshJwt || a.OAuth.DPoPKey != old.OAuth.DPoPKey {
		t.Fatalf("read back: %v", err)
	}
}

// TestKeyringUnreadableRefreshIsSaved: a refresh made under the account's
// lock is saved even when, by the time its answer comes, the keyring no
// longer gives the stored tokens (locked meanwhile): the stored tokens are
// unknown, and the fresh ones are the only live ones, the refresh token
// used having been spent. They go to the file (the keyring being down),
// key included, for an OAuth session (opaque tokens) as for a password
// session (JWTs, which issuedLater dates).
func TestKeyringUnreadableRefreshIsSaved(t *testing.T) {
	for _, tc := range []struct {
		name string
		i    int
	}{{"oauth", 0}, {"password", 1}} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			s := oauthKeyringStore(t, f)
			mustUpdate(t, s, func(st *State) error { return st.UseSecrets(SecretsKeyring) })
			old := oauthAccount(tc.i)
			if tc.i == 1 {
				old = account(1)
			}
			fresh := rotated(old.SessionData, 1)
			if old.OAuth != nil {
				fresh.OAuth.DPoPKey = old.OAuth.DPoPKey // auth's answer keeps the session's key
			} else {
				fresh.OAuth, fresh.RefreshJwt = nil, jwt("refresh+jwt", "com.atproto.refresh", old.DID, "r-r1", t0.Add(time.Hour), 90*24*time.Hour)
			}
			f.set(errLocked)
			s = reopen(s, f) // the keyring locked while the answer was awaited
			mustUpdate(t, s, func(st *State) error {
				if !st.ApplyRefresh(old.RefreshJwt, fresh) {
					t.Error("the refresh was not applied over tokens that could not be read")
				}
				return nil
			})
			if w := strings.Join(s.Warnings(), "\n"); !strings.Contains(w, "kept in the accounts file") {
				t.Errorf("no word that the tokens fell back to the file: %q", w)
			}
			f.set(nil)
			st, err := reopen(s, f).Load()
			if err != nil {
				t.Fatal(err)
			}
			a, _ := st.Account(old.DID)
			if a.RefreshJwt != fresh.RefreshJwt || a.SecretsErr() != nil || (old.OAuth != nil && a.OAuth.DPoPKey != old.OAuth.DPoPKey) {
				t.Fatalf("the fresh tokens were lost (SecretsErr %v)", a.SecretsErr())
			}
		})
	}
}
