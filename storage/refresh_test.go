package storage

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/auth"
)

// tokens returns the session of account 7 with tokens issued at t0+minutes.
func tokensAt(minutes int) auth.SessionData {
	return session(7, t0.Add(time.Duration(minutes)*time.Minute))
}

func TestApplyRefresh(t *testing.T) {
	t0s, t5s, t9s := tokensAt(0), tokensAt(5), tokensAt(9)
	tests := []struct {
		name        string
		stored      auth.SessionData
		used        string
		fresh       auth.SessionData
		wantApplied bool
		wantRefresh string
	}{
		{"stored is the used one", t0s, t0s.RefreshJwt, t5s, true, t5s.RefreshJwt},
		{"stale: another process already rotated", t5s, t0s.RefreshJwt, tokensAt(3), false, t5s.RefreshJwt},
		{"same iat is not newer", t5s, t0s.RefreshJwt, withRefresh(t5s, jwt("refresh+jwt", auth.ScopeRefresh, t5s.DID, "other", t0.Add(5*time.Minute), time.Hour)), false, t5s.RefreshJwt},
		{"not the used one but newer (grace period)", t5s, t0s.RefreshJwt, t9s, true, t9s.RefreshJwt},
		{"the same result twice", t5s, t0s.RefreshJwt, t5s, true, t5s.RefreshJwt},
		{"undated fresh token never wins", t5s, "other", withRefresh(t9s, "opaque"), false, t5s.RefreshJwt},
		{"undated stored token: only the used one matches", withRefresh(t5s, "opaque"), "opaque", t9s, true, t9s.RefreshJwt},
		{"undated stored token, other used", withRefresh(t5s, "opaque"), t0s.RefreshJwt, t9s, false, "opaque"},
		{"empty fresh token", t0s, t0s.RefreshJwt, withRefresh(t5s, ""), false, t0s.RefreshJwt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := NewState()
			st.Upsert(Account{SessionData: tt.stored, AddedAt: t0, LastRefreshError: "old failure"})
			applied := st.ApplyRefresh(tt.used, tt.fresh)
			a, _ := st.Account(tt.stored.DID)
			if applied != tt.wantApplied || a.RefreshJwt != tt.wantRefresh {
				t.Errorf("applied=%v refresh=%s; want %v %s", applied, short(a.RefreshJwt), tt.wantApplied, short(tt.wantRefresh))
			}
			if applied && (a.LastRefreshError != "" || !a.AddedAt.Equal(t0) || a.AccessJwt != tt.fresh.AccessJwt) {
				t.Errorf("after apply: %+v", a)
			}
		})
	}
}

func withRefresh(d auth.SessionData, tok string) auth.SessionData { d.RefreshJwt = tok; return d }

func short(tok string) string {
	if c, err := auth.ParseClaims(tok); err == nil {
		return c.IssuedAt.Format("15:04")
	}
	return fmt.Sprintf("%.8q", tok)
}

func TestApplyRefreshKeepsWhatTheResponseOmits(t *testing.T) {
	st := NewState()
	old := tokensAt(0)
	st.Upsert(Account{SessionData: old})
	fresh := auth.SessionData{AccessJwt: "a2", RefreshJwt: tokensAt(5).RefreshJwt, DID: old.DID, Handle: "renamed.test", Active: true}
	if !st.ApplyRefresh(old.RefreshJwt, fresh) {
		t.Fatal("not applied")
	}
	a, _ := st.Account(old.DID)
	if a.Service != old.Service || a.PDSURL != old.PDSURL || string(a.DIDDoc) != string(old.DIDDoc) || !a.RefreshedAt.Equal(old.RefreshedAt) {
		t.Errorf("fields the response omits were lost: %+v", a.SessionData)
	}
	if a.Handle != "renamed.test" || a.AccessJwt != "a2" {
		t.Errorf("fields the response has were not taken: %+v", a.SessionData)
	}
}

func TestApplyRefreshNeverResurrects(t *testing.T) {
	st := NewState()
	old := tokensAt(0)
	st.Upsert(Account{SessionData: old})
	removed, _ := st.Remove(old.DID)
	st.QueueLogout(removed.SessionData, t0)
	fresh := tokensAt(5)
	if st.ApplyRefresh(old.RefreshJwt, fresh) {
		t.Fatal("a removed account was brought back")
	}
	if len(st.Accounts) != 0 {
		t.Fatal("account list changed")
	}
	// The revocation still owed now uses the live token.
	if p, ok := st.PendingLogout(fresh.RefreshJwt); !ok || p.Session.AccessJwt != fresh.AccessJwt {
		t.Errorf("queued logout kept the rotated-out token: %+v", st.PendingLogouts)
	}
}

func TestRecordRefreshError(t *testing.T) {
	st := NewState()
	cur := tokensAt(5)
	st.Upsert(Account{SessionData: cur})
	if st.RecordRefreshError(cur.DID, tokensAt(0).RefreshJwt, "ExpiredToken", t0) {
		t.Error("a late failure with an old token marked a refreshed account")
	}
	if !st.RecordRefreshError(cur.DID, cur.RefreshJwt, "ExpiredToken", t0) {
		t.Fatal("failure with the stored token not recorded")
	}
	if a, _ := st.Account(cur.DID); a.LastRefreshError != "ExpiredToken" || !a.LastRefreshErrorAt.Equal(t0) {
		t.Errorf("recorded: %+v", a)
	}
}

// TestSlowProcessCannotWriteBackStaleTokens: two stores on one file stand
// for two processes. The slow one read T0 before the fast one rotated to
// T5; its late write of an older result is refused.
func TestSlowProcessCannotWriteBackStaleTokens(t *testing.T) {
	path := newStore(t).Path()
	fast, slow := Open(path), Open(path)
	t0s := tokensAt(0)
	mustUpdate(t, fast, func(st *State) error { st.Upsert(Account{SessionData: t0s}); return nil })

	snap, _ := slow.Load() // slow process sees T0
	used := snap.Accounts[0].RefreshJwt

	mustUpdate(t, fast, func(st *State) error {
		if !st.ApplyRefresh(used, tokensAt(5)) {
			t.Error("fast refresh not applied")
		}
		return nil
	})
	mustUpdate(t, slow, func(st *State) error {
		if st.ApplyRefresh(used, tokensAt(3)) {
			t.Error("stale refresh applied")
		}
		return nil
	})
	st, _ := fast.Load()
	if got := st.Accounts[0].RefreshJwt; got != tokensAt(5).RefreshJwt {
		t.Fatalf("stored refresh token is %s, want the 12:05 one", short(got))
	}
}

// rotatingServer rotates refresh tokens with no grace period: only the
// latest token refreshes, as a strict server would (an OAuth server's
// refresh tokens are single-use).
type rotatingServer struct {
	mu      sync.Mutex
	current auth.SessionData
	minutes int
	next    func(minutes int) auth.SessionData // the session it gives at each refresh
	issued  map[string]int                     // when each refresh token was issued
}

// issuedAt is the minute the server issued refresh token tok.
func (s *rotatingServer) issuedAt(tok string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued[tok]
}

var errReused = errors.New("InvalidToken: refresh token reused")

func (s *rotatingServer) refresh(tok string) (auth.SessionData, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if tok != s.current.RefreshJwt {
		return auth.SessionData{}, errReused
	}
	s.minutes++
	s.current = s.next(s.minutes)
	s.current.DIDDoc = json.RawMessage(`{}`)
	s.issued[s.current.RefreshJwt] = s.minutes
	return s.current, nil
}

// TestConcurrentRefreshersNeverLoseTheLiveToken has several "processes"
// (separate Stores, so separate locks) refresh one account against a
// server without grace, while others replay stale results. At the end the
// stored token is the one the server accepts. Password sessions' refresh
// tokens are JWTs, dated; an OAuth server's are opaque, single-use, and
// the session's DPoP key must survive every rotation.
func TestConcurrentRefreshersNeverLoseTheLiveToken(t *testing.T) {
	t.Run("password", func(t *testing.T) {
		concurrentRefreshers(t, &rotatingServer{current: tokensAt(0), next: tokensAt, issued: map[string]int{}})
	})
	t.Run("oauth", func(t *testing.T) {
		first := oauthSession(7, t0)
		next := func(n int) auth.SessionData { return rotated(first, n) }
		concurrentRefreshers(t, &rotatingServer{current: first, next: next, issued: map[string]int{}})
	})
}

func concurrentRefreshers(t *testing.T, srv *rotatingServer) {
	path := newStore(t).Path()
	first := srv.current
	mustUpdate(t, Open(path), func(st *State) error { st.Upsert(Account{SessionData: srv.current}); return nil })
	did := srv.current.DID

	var wg sync.WaitGroup
	var stale sync.Map // results already written once, replayed later
	// Refreshing processes go on until each has won three times, so the
	// run always has rotations to lose. How many attempts that takes
	// depends on the scheduling, so the bound is time, not attempts.
	deadline := time.Now().Add(30 * time.Second)
	for p := range 6 {
		wg.Go(func() {
			s := Open(path)
			won := 0
			for i := 0; i < 25 || (p%3 != 2 && won < 3 && time.Now().Before(deadline)); i++ {
				st, err := s.Load()
				if err != nil {
					t.Error(err)
					return
				}
				a, _ := st.Account(did)
				used := a.RefreshJwt
				if p%3 == 2 { // a slow process writing back an old result
					if old, ok := stale.Load(i % 5); ok {
						r := old.([2]any)
						_ = s.Update(func(st *State) error {
							st.ApplyRefresh(r[0].(string), r[1].(auth.SessionData))
							return nil
						})
					}
					continue
				}
				fresh, err := srv.refresh(used) // network, outside the lock
				if err != nil {
					// The loser re-reads and adopts the winner's
					// tokens, after a pause as a real one waits on the
					// refresh lock: a loop of reads with no pause holds
					// shared locks back to back, and the winner's
					// Update could not get its exclusive one (seen:
					// 10 s lock timeouts on a loaded machine).
					time.Sleep(time.Millisecond)
					continue
				}
				won++
				stale.Store(i%5, [2]any{used, fresh})
				if err := s.Update(func(st *State) error {
					if !st.ApplyRefresh(used, fresh) {
						// Only because a replay stored this result
						// already and someone refreshed on from it.
						if a, _ := st.Account(did); srv.issuedAt(a.RefreshJwt) <= srv.issuedAt(fresh.RefreshJwt) {
							t.Errorf("fresh tokens refused over older ones")
						}
					}
					return nil
				}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	st, _ := Open(path).Load()
	a, _ := st.Account(did)
	if a.RefreshJwt != srv.current.RefreshJwt {
		t.Fatalf("stored token %s, server's live token %s: the session is lost", short(a.RefreshJwt), short(srv.current.RefreshJwt))
	}
	if first.OAuth != nil && (a.OAuth == nil || a.OAuth.DPoPKey != first.OAuth.DPoPKey || a.OAuth.ClientID != first.OAuth.ClientID) {
		t.Fatalf("the OAuth session's key or client_id did not survive: %+v", a.OAuth)
	}
	if srv.minutes < 12 { // four refreshing processes, three wins each
		t.Errorf("only %d refreshes happened", srv.minutes)
	}
}
