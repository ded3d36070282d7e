package storage

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/sanitize"
)

// holder starts a child process that takes a lock (see helperHold) and
// returns once it holds it; the child is killed when the test ends.
func holder(t *testing.T, s *Store, mode, did string) *exec.Cmd {
	t.Helper()
	cmd := child(t, mode, s.Path(), did)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "held\n" {
		t.Fatalf("holder said %q", line)
	}
	return cmd
}

// within runs f, failing the test if it has not returned after 10 s: a
// lock wait must end by itself.
func within(t *testing.T, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("still waiting for the lock after 10 s")
		return nil
	}
}

// checkLockError checks that err is a lock timeout, no network error, whose
// sentence names the lock, its file and want (the holder).
func checkLockError(t *testing.T, err error, lock lockFile, want ...string) {
	t.Helper()
	var le *LockError
	switch {
	case err == nil:
		t.Fatal("got the lock another process holds")
	case !errors.As(err, &le) || !errors.Is(err, ErrLockTimeout):
		t.Fatalf("err = %v, want a *LockError", err)
	case errors.Is(err, context.DeadlineExceeded) || auth.IsTransient(err):
		t.Errorf("a lock timeout reads as a network error: %v", err)
	}
	msg := err.Error()
	for _, w := range append([]string{lock.what, lock.path}, want...) {
		if !strings.Contains(msg, w) {
			t.Errorf("%q does not say %q", msg, w)
		}
	}
}

func TestHeldAccountLockGivesUpNamingTheHolder(t *testing.T) {
	s := newStore(t)
	mustUpdate(t, s, replaceWith(stateWith(1)))
	did := account(0).DID
	cmd := holder(t, s, "hold-account", did)
	s.SetLockWaits(0, 300*time.Millisecond)
	start := time.Now()
	// No deadline on the context, as in the CLI: the store's own bound ends the wait.
	err := within(t, func() error {
		release, err := s.LockAccount(context.Background(), did)
		if err == nil {
			release()
		}
		return err
	})
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("gave up after %v, before the bound", d)
	}
	checkLockError(t, err, s.accountLock(did), fmt.Sprintf("locked by pid %d: storage.test", cmd.Process.Pid), did)

	// The holder dies: its lock goes with it, and the next holder names itself.
	cmd.Process.Kill()
	cmd.Wait()
	release, err := s.LockAccount(context.Background(), did)
	if err != nil {
		t.Fatalf("lock of a dead holder: %v", err)
	}
	path := s.accountLock(did).path
	if got, _ := os.ReadFile(path); string(got) != fmt.Sprintf("pid %d: storage.test\n", os.Getpid()) {
		t.Errorf("lock file says %q while held", got)
	}
	release()
	if got, err := os.ReadFile(path); err != nil || len(got) != 0 {
		t.Errorf("after release the lock file holds %q (%v); want it empty, and kept", got, err)
	}
}

// TestHeldFileLockGivesUpNamingTheHolder: the accounts file's lock had a
// bound already; now its sentence names the holder too.
func TestHeldFileLockGivesUpNamingTheHolder(t *testing.T) {
	s := newStore(t)
	mustUpdate(t, s, replaceWith(stateWith(1)))
	cmd := holder(t, s, "hold-file", "")
	s.SetLockWaits(200*time.Millisecond, 0)
	want := fmt.Sprintf("locked by pid %d: storage.test", cmd.Process.Pid)
	err := within(t, func() error { return s.Update(func(*State) error { return errors.New("ran without the lock") }) })
	checkLockError(t, err, s.fileLock(), want)
	err = within(t, func() error { _, err := s.Load(); return err })
	checkLockError(t, err, s.fileLock(), want)
	// A caller's deadline that comes first gives the same sentence.
	s.SetLockWaits(time.Hour, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err = within(t, func() error { _, err := s.LoadContext(ctx); return err })
	checkLockError(t, err, s.fileLock(), want)
	// A caller who gives up is told so, not that the lock timed out.
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	err = within(t, func() error { _, err := s.LoadContext(ctx); return err })
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrLockTimeout) {
		t.Errorf("cancelled wait: %v", err)
	}
}

// TestHostileHolderLineIsCutAndMadeSafe: whatever a lock file holds, the
// sentence quotes one line of it, short and with no terminal control.
func TestHostileHolderLineIsCutAndMadeSafe(t *testing.T) {
	s := newStore(t)
	mustUpdate(t, s, replaceWith(stateWith(1)))
	did := account(0).DID
	holder(t, s, "hold-hostile", did)
	s.SetLockWaits(0, 100*time.Millisecond)
	err := within(t, func() error { _, err := s.LockAccount(context.Background(), did); return err })
	checkLockError(t, err, s.accountLock(did), "locked by pid 1: ")
	msg := err.Error()
	if sanitize.Line(msg) != msg {
		t.Errorf("the sentence carries terminal controls: %q", msg)
	}
	if strings.Contains(msg, "second line") || len(msg) > 1000 {
		t.Errorf("the sentence quotes more than the holder's first line, cut short (%d bytes)", len(msg))
	}
}

func TestCommandKeepsOnlyPlainWords(t *testing.T) {
	for args, want := range map[string]string{
		"/usr/bin/skyswitch refresh":                                   "skyswitch refresh",
		"skyswitch --account alice.test refresh --all":                 "skyswitch refresh",
		"skyswitch login --auth-factor-token ABCDE-12345":              "skyswitch login",
		"skyswitch login --identifier me@example.com --password-stdin": "skyswitch login",
		"skyswitch":           "skyswitch",
		"skyswitch a b c d e": "skyswitch a b c",
	} {
		if got := command(strings.Fields(args)); got != want {
			t.Errorf("command(%q) = %q, want %q", args, got, want)
		}
	}
}

// A lock belongs to an open handle, not to a process: two handles of one
// process exclude each other as two processes do (flock on Unix, LockFileEx
// on Windows), shared locks go together, and an exclusive one goes alone.
func TestLockExcludesOtherHandles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "test.lock")
	open := func() *os.File {
		f, err := openLock(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	lock := func(f *os.File, exclusive bool) bool {
		ok, err := tryLock(f, exclusive)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	a, b := open(), open()
	if !lock(a, false) || !lock(b, false) {
		t.Fatal("two shared locks exclude each other")
	}
	unlock(b)
	if lock(b, true) {
		t.Fatal("an exclusive lock was taken beside a shared one")
	}
	unlock(a)
	if !lock(b, true) {
		t.Fatal("an exclusive lock was refused on a free file")
	}
	if lock(a, false) || lock(a, true) {
		t.Fatal("a lock was taken beside an exclusive one")
	}
	unlock(b)
	if !lock(a, true) {
		t.Fatal("an unlocked file stays locked")
	}
	unlock(a)
}

// While an exclusive lock is held, another handle reads the holder's line:
// the waiter that gives up names the holder with it. On Windows, whose
// locks forbid other handles to read the locked bytes, this holds because
// the lock is on lockedByte, past anything a holder writes.
func TestHolderLineReadableWhileLocked(t *testing.T) {
	if lockedByte < maxHolder || lockedByte < int64(len(hostileHolder)) {
		t.Fatalf("lockedByte %d lies within what a holder writes and a waiter reads", lockedByte)
	}
	l := lockFile{path: filepath.Join(t.TempDir(), "test.lock"), what: "a test lock", wait: time.Second}
	held, err := acquire(context.Background(), l, true)
	if err != nil {
		t.Fatal(err)
	}
	defer held.release()
	f, err := os.Open(l.path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := readHolder(f), strings.TrimSpace(holderLine()); got != want {
		t.Errorf("a waiter reads the holder as %q, want %q", got, want)
	}
	if _, err := acquire(context.Background(), lockFile{path: l.path, what: l.what, wait: 50 * time.Millisecond}, false); !errors.Is(err, ErrLockTimeout) {
		t.Errorf("a second handle got a lock beside an exclusive one: %v", err)
	}
}
