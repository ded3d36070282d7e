//go:build unix

package cli

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

// TestStoppedRefreshHoldingTheLock: a `skyswitch refresh` stopped (kill
// -STOP) in the middle of its network call holds the account's refresh
// lock. token (when its token needs a refresh), refresh and logout give up
// after the store's bound, exit 1, and say which lock and who holds it;
// the built binary does the same with its default bound (under CI), and
// no command reaches the server.
func TestStoppedRefreshHoldingTheLock(t *testing.T) {
	t.Parallel()
	srv, alice, p := newAliceProc(t, fakepds.Options{})

	// The holder: a refresh whose answer never comes, stopped on the wire.
	srv.Inject(nsidRefresh, fakepds.Fault{Kind: fakepds.FaultDelay, Delay: 10 * time.Minute, Times: 1})
	holder := exec.Command(p.bin, "refresh")
	holder.Env = p.environ()
	holder.Dir = p.config
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		holder.Process.Signal(syscall.SIGCONT)
		holder.Process.Kill()
		holder.Wait()
	})
	for deadline := time.Now().Add(30 * time.Second); srv.Calls(nsidRefresh) == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the holder's refresh never reached the server")
		}
	}
	if err := holder.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	before := srv.Calls(nsidRefresh) + srv.Calls(nsidDelete)
	want := []string{
		fmt.Sprintf("locked by pid %d: skyswitch refresh;", holder.Process.Pid),
		"the refresh lock of " + alice.DID,
		p.config, // the lock file's path
		"if that process is stuck, end it and try again",
	}

	later := func() time.Time { return time.Now().Add(3 * time.Hour) } // the access token has expired
	for _, args := range [][]string{{"token"}, {"refresh"}, {"logout"}} {
		r := runWithLockWait(t, p, later, 200*time.Millisecond, args...)
		wantError(t, r, exitFailure, want...)
		if strings.Contains(r.stderr, "cannot reach") || strings.Contains(r.stderr, "deadline") {
			t.Errorf("a held lock reads as a network failure:\n%s", r)
		}
	}

	// The binary, with no deadline of its own but the store's default bound
	// (35 s of waiting: under CI only, see soak).
	if !soak() {
		t.Logf("the built binary's own %v wait is left out: it runs under CI without -short (soak)", storage.DefaultAccountLockTimeout)
	} else {
		start := time.Now()
		r := p.run(nil, "refresh")
		wantError(t, r, exitFailure, want...)
		if d := time.Since(start); d < storage.DefaultAccountLockTimeout {
			t.Errorf("the binary gave up after %v, before its bound", d)
		}
	}
	if n := srv.Calls(nsidRefresh) + srv.Calls(nsidDelete); n != before {
		t.Errorf("%d requests reached the server without the lock", n-before)
	}
	if st, err := storage.Open(p.path()).Load(); err != nil || len(st.Accounts) != 1 {
		t.Errorf("after the failed logout the file holds %v (%v), want alice still saved", st, err)
	}
}

// runWithLockWait runs one command line in this process, as the binary
// would, on p's accounts file with the store's refresh-lock wait set to
// wait and the clock now.
func runWithLockWait(t *testing.T, p *procEnv, now func() time.Time, wait time.Duration, args ...string) result {
	t.Helper()
	store := storage.Open(p.path())
	store.SetLockWaits(0, wait)
	var stdout, stderr bytes.Buffer
	c := &App{
		Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(k string) string {
			if k == "XDG_CONFIG_HOME" {
				return p.config
			}
			return ""
		},
		Now:     now,
		Manager: &accounts.Manager{Store: store, Client: &auth.Client{Now: now, Timeout: 5 * time.Second}, Now: now},
	}
	done := make(chan int, 1)
	go func() { done <- c.Run(context.Background(), args) }()
	select {
	case code := <-done:
		return result{args: args, code: code, stdout: stdout.String(), stderr: stderr.String()}
	case <-time.After(20 * time.Second):
		t.Fatalf("skyswitch %s still waiting after 20 s", strings.Join(args, " "))
		return result{}
	}
}
