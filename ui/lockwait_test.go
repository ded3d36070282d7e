package ui_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/ui"
)

// TestHeldRefreshLockNamesItsHolderAndIsRetried: while another process
// holds an account's refresh lock, the switcher gives up after the store's
// bound, says which lock and who holds it (not "cannot reach the server":
// no request was sent), and tries again with backoff; the holder may finish.
func TestHeldRefreshLockNamesItsHolderAndIsRetried(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	a := w.login(nil, "alice.test")
	w.mgr.Store.SetLockWaits(0, 50*time.Millisecond)
	other := storage.Open(w.path) // another process's store on the same file
	release, err := other.LockAccount(context.Background(), a.DID)
	if err != nil {
		t.Fatal(err)
	}
	d := w.start(ui.Options{})
	dueNow(d, w, "alice.test")
	d.has(fmt.Sprintf("@alice.test: refresh failed, locked by pid %d: ui.test; gave up", os.Getpid()),
		"retry in 0:01")
	d.hasNot("cannot reach the server")
	if n := w.srv.Calls(nsidRefresh); n != 0 {
		t.Fatalf("%d refreshes sent without the lock", n)
	}
	release()
	d.advance(time.Second, w.clk)
	if n := w.srv.Calls(nsidRefresh); n != 1 {
		t.Fatalf("%d refreshes after the lock was released, want 1", n)
	}
	d.hasNot("refresh failed", "retry")
}
