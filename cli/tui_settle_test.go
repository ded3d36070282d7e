package cli

// The switcher quits while a refresh it sent is held by the server: the
// process waits for the answer and saves it before it ends.

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

func TestTUIQuitWaitsForARefreshInFlight(t *testing.T) {
	t.Parallel()
	srv, alice, p := newAliceProc(t, fakepds.Options{Grace: fakepds.NoGrace})
	old := savedRefreshToken(t, p.path(), alice.DID)
	tt := startTUI(t, p)
	tt.waitText("@alice.test")
	srv.Inject(nsidRefresh, fakepds.Fault{Kind: fakepds.FaultRotateThenDelay, Delay: time.Second, Times: 1})
	tt.keys("r")
	for deadline := time.Now().Add(20 * time.Second); srv.RefreshTokenValid(old); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("r sent no refresh; the screen:\n%s", tt.screen(false))
		}
	}
	tt.keys("q")
	deadline := time.Now().Add(20 * time.Second)
	for !tt.paneDead() {
		if time.Now().After(deadline) {
			t.Fatalf("q did not end the program:\n%s", tt.screen(false))
		}
		time.Sleep(20 * time.Millisecond)
	}
	now := savedRefreshToken(t, p.path(), alice.DID)
	if now == old || !srv.RefreshTokenValid(now) {
		t.Fatal("the rotated tokens were not saved")
	}
	wantCode(t, p.run(nil, "refresh"), exitOK)
}

// The wait is said once it lasts (here at once), and ends when the answer
// is saved.
func TestSettleSaysItWaits(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{Grace: fakepds.NoGrace})
	alice := e.addAccount("alice.test")
	e.login("alice.test")
	mgr := &accounts.Manager{Store: storage.Open(e.path), Client: e.client, Now: e.clock.Now}
	old := savedRefreshToken(t, e.path, alice.DID)
	e.srv.Inject(nsidRefresh, fakepds.Fault{Kind: fakepds.FaultRotateThenDelay, Delay: 300 * time.Millisecond, Times: 1})
	go mgr.Refresh(context.Background(), alice.DID)
	for deadline := time.Now().Add(10 * time.Second); e.srv.RefreshTokenValid(old); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the refresh never reached the server")
		}
	}
	var stderr bytes.Buffer
	settleSaying(context.Background(), mgr, &stderr, time.Millisecond)
	if want := "skyswitch: waiting for the server to answer a refresh, so that its new tokens are saved…\n"; stderr.String() != want {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}
	if now := savedRefreshToken(t, e.path, alice.DID); now == old || !e.srv.RefreshTokenValid(now) {
		t.Error("settle returned before the rotated tokens were saved")
	}
}

// savedRefreshToken is the refresh token the accounts file holds for did.
func savedRefreshToken(t *testing.T, path, did string) string {
	t.Helper()
	st, err := storage.Open(path).Load()
	if err != nil {
		t.Fatal(err)
	}
	a, ok := st.Account(did)
	if !ok {
		t.Fatal("the account is not saved")
	}
	return a.RefreshJwt
}
