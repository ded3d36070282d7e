package storage

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/adrg/xdg"
)

func TestMissingFileIsAnEmptyStore(t *testing.T) {
	s := newStore(t)
	st, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(st, NewState()) {
		t.Errorf("Load of a missing file = %+v", st)
	}
	if _, err := os.Stat(filepath.Dir(s.Path())); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load created the folder: %v", err)
	}
}

func TestFirstUpdateCreatesFolderAndFileStrictly(t *testing.T) {
	s := newStore(t)
	mustUpdate(t, s, replaceWith(stateWith(2)))
	if runtime.GOOS == "windows" {
		return
	}
	for path, want := range map[string]fs.FileMode{filepath.Dir(s.Path()): 0o700, s.Path(): 0o600, s.lockPath(): 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: mode %04o, want %04o", path, got, want)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	s := newStore(t)
	want := stateWith(3)
	want.Previous = want.Accounts[1].DID
	want.QueueLogout(session(9, t0), t0)
	want.PendingLogouts[0].Attempts, want.PendingLogouts[0].LastError = 2, "network down"
	want.PendingLogouts[0].LastAttemptAt = t0.Add(time.Minute)
	want.Accounts[2].SessionEnded = true
	mustUpdate(t, s, replaceWith(want))
	got, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("loaded state differs from the saved one\n got %+v\nwant %+v", got, want)
	}
	data, _ := os.ReadFile(s.Path())
	if strings.Contains(strings.ToLower(string(data)), "password") {
		t.Error("the file mentions a password")
	}
}

func TestUpdateErrorWritesNothing(t *testing.T) {
	s := newStore(t)
	mustUpdate(t, s, replaceWith(stateWith(2)))
	before := snapshot(t, s)
	boom := errors.New("boom")
	if err := s.Update(func(st *State) error { st.Accounts = nil; return boom }); err != boom {
		t.Errorf("Update returned %v, want fn's error as is", err)
	}
	invalid := []func(*State) error{
		func(st *State) error { st.Accounts[1].DID = st.Accounts[0].DID; return nil },
		func(st *State) error { st.Active = "did:plc:nobody"; return nil },
		func(st *State) error { st.Accounts[0].DIDDoc = []byte("{not json"); return nil },
	}
	for i, fn := range invalid {
		if err := s.Update(fn); !errors.Is(err, ErrInvalidState) {
			t.Errorf("invalid change %d: err = %v, want ErrInvalidState", i, err)
		}
	}
	before.check(t, s)
}

func TestUnchangedStateIsNotRewritten(t *testing.T) {
	s := newStore(t)
	mustUpdate(t, s, replaceWith(stateWith(2)))
	fi1, _ := os.Stat(s.Path())
	mustUpdate(t, s, func(st *State) error { return st.SetActive(st.Active) })
	fi2, _ := os.Stat(s.Path())
	if !os.SameFile(fi1, fi2) {
		t.Error("a no-op Update replaced the file")
	}
}

func TestLockTimeout(t *testing.T) {
	s := newStore(t)
	mustUpdate(t, s, replaceWith(stateWith(1)))
	held, err := acquire(context.Background(), s.fileLock(), true)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = s.UpdateContext(ctx, func(*State) error { t.Error("fn ran without the lock"); return nil })
	if !errors.Is(err, ErrLockTimeout) || !strings.Contains(err.Error(), s.lockPath()) {
		t.Errorf("err = %v, want ErrLockTimeout naming the lock file", err)
	}
	if _, err := s.LoadContext(ctx); !errors.Is(err, ErrLockTimeout) {
		t.Errorf("Load under an exclusive lock: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("gave up after %v", d)
	}
	held.release()
	mustUpdate(t, s, func(*State) error { return nil })
}

func TestSharedLocksDoNotExcludeEachOther(t *testing.T) {
	s := newStore(t)
	mustUpdate(t, s, replaceWith(stateWith(1)))
	held, err := acquire(context.Background(), s.fileLock(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer held.release()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := s.LoadContext(ctx); err != nil {
		t.Errorf("Load beside another reader: %v", err)
	}
}

func TestMoveAside(t *testing.T) {
	s := newStore(t)
	s.now = func() time.Time { return t0 }
	if _, err := s.MoveAside(); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("MoveAside with no file: %v", err)
	}
	os.MkdirAll(filepath.Dir(s.Path()), 0o700)
	var moved []string
	for i, content := range []string{"{broken", "{also broken"} {
		os.WriteFile(s.Path(), []byte(content), 0o600)
		dest, err := s.MoveAside()
		if err != nil {
			t.Fatal(err)
		}
		want := s.Path() + ".corrupt-20250601T120000Z"
		if i == 1 {
			want += "-2"
		}
		if dest != want {
			t.Errorf("moved to %s, want %s", dest, want)
		}
		if data, _ := os.ReadFile(dest); string(data) != content {
			t.Errorf("%s holds %q, want %q", dest, data, content)
		}
		moved = append(moved, dest)
	}
	st, err := s.Load()
	if err != nil || len(st.Accounts) != 0 {
		t.Errorf("after MoveAside: %v, %v", st, err)
	}
	mustUpdate(t, s, replaceWith(stateWith(1)))
	for _, m := range moved {
		if _, err := os.Stat(m); err != nil {
			t.Errorf("a moved-aside file is gone: %v", err)
		}
	}
}

func TestStaleTempFilesAreRemoved(t *testing.T) {
	s := newStore(t)
	mustUpdate(t, s, replaceWith(stateWith(1)))
	stale := filepath.Join(filepath.Dir(s.Path()), tempPrefix(s.Path())+"12345")
	other := filepath.Join(filepath.Dir(s.Path()), "notes.txt")
	os.WriteFile(stale, []byte("half a fi"), 0o600)
	os.WriteFile(other, []byte("mine"), 0o600)
	mustUpdate(t, s, func(st *State) error { return st.SetActive("") })
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Error("stale temporary file kept")
	}
	if _, err := os.Stat(other); err != nil {
		t.Error("an unrelated file was removed")
	}
}

// Without XDG_CONFIG_HOME (or with a relative one, which the XDG spec
// says to ignore), the file is in the system's own config folder, as the
// README's "Where data lives" says.
func TestDefaultPathPerSystem(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Cleanup(xdg.Reload)
	var want string
	switch runtime.GOOS {
	case "darwin":
		want = filepath.Join(home, "Library", "Application Support", "skyswitch", "accounts.json")
	case "windows":
		// The Known Folder API answers first; it agrees with the variable.
		want = filepath.Join(os.Getenv("LOCALAPPDATA"), "skyswitch", "accounts.json")
	default:
		want = filepath.Join(home, ".config", "skyswitch", "accounts.json")
	}
	for _, v := range []string{"", "relative/config"} {
		t.Setenv("XDG_CONFIG_HOME", v)
		xdg.Reload()
		if got, err := DefaultPath(); err != nil || got != want {
			t.Errorf("XDG_CONFIG_HOME=%q: DefaultPath() = %s, %v; want %s", v, got, err, want)
		}
	}
}

func TestDefaultPath(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	xdg.Reload()
	t.Cleanup(xdg.Reload)
	got, err := DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "skyswitch", "accounts.json"); got != want {
		t.Errorf("DefaultPath() = %s, want %s", got, want)
	}
	if _, err := os.Stat(filepath.Dir(got)); !errors.Is(err, fs.ErrNotExist) {
		t.Error("DefaultPath created the folder")
	}
	if Open(got).Path() != got {
		t.Error("Path() differs from Open's path")
	}
}

// fileSnapshot is the bytes and identity of a store's file and the names
// in its folder, to prove nothing was written.
type fileSnapshot struct {
	data  []byte
	info  fs.FileInfo
	names []string
}

func snapshot(t *testing.T, s *Store) fileSnapshot {
	t.Helper()
	var snap fileSnapshot
	snap.info, _ = os.Lstat(s.Path())
	snap.data = readRegular(s.Path())
	snap.names = dirNames(filepath.Dir(s.Path()))
	return snap
}

func (snap fileSnapshot) check(t *testing.T, s *Store) {
	t.Helper()
	info, _ := os.Lstat(s.Path())
	data := readRegular(s.Path())
	if string(data) != string(snap.data) {
		t.Error("the file's bytes changed")
	}
	if snap.info != nil && (info == nil || !os.SameFile(info, snap.info) || !info.ModTime().Equal(snap.info.ModTime())) {
		t.Error("the file was replaced or rewritten")
	}
	if names := dirNames(filepath.Dir(s.Path())); !reflect.DeepEqual(names, snap.names) {
		t.Errorf("folder holds %v, was %v", names, snap.names)
	}
}

// readRegular reads path if it is a regular file (reading a pipe would hang).
func readRegular(path string) []byte {
	if fi, err := os.Lstat(path); err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	data, _ := os.ReadFile(path)
	return data
}

func dirNames(dir string) []string {
	var names []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".lock") {
			names = append(names, e.Name())
		}
	}
	return names
}

func TestLockAccountExcludesOnlyThatAccount(t *testing.T) {
	s := newStore(t)
	release, err := s.LockAccount(context.Background(), "did:plc:aaa")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := s.LockAccount(ctx, "did:plc:aaa"); !errors.Is(err, ErrLockTimeout) {
		t.Fatalf("second holder of the same account: %v", err)
	}
	other, err := s.LockAccount(context.Background(), "did:plc:bbb")
	if err != nil {
		t.Fatalf("another account must not wait: %v", err)
	}
	other()
	// Neither blocks the accounts file itself.
	mustUpdate(t, s, replaceWith(stateWith(1)))
	release()
	again, err := s.LockAccount(context.Background(), "did:plc:aaa")
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	again()
	fi, err := os.Stat(filepath.Join(filepath.Dir(s.Path()), "locks"))
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("locks folder: %v %v", fi.Mode(), err)
	}
}
