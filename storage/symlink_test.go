//go:build unix

package storage

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSymlinkedFolderIsCheckedThroughTheLink: a config folder that is a
// link to a folder open to everyone gets that folder tightened, with a note
// naming both, before any token is written into it.
func TestSymlinkedFolderIsCheckedThroughTheLink(t *testing.T) {
	base := t.TempDir()
	real := filepath.Join(base, "elsewhere")
	if err := os.Mkdir(real, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(real, 0o777); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(base, "skyswitch")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	s := Open(filepath.Join(link, "accounts.json"))
	mustUpdate(t, s, replaceWith(stateWith(1)))
	if fi, _ := os.Stat(real); fi.Mode().Perm() != 0o700 {
		t.Errorf("the linked folder is mode %04o after a write, want 0700", fi.Mode().Perm())
	}
	w := strings.Join(s.Warnings(), "\n")
	if !strings.Contains(w, link) || !strings.Contains(w, real) || !strings.Contains(w, "0777") {
		t.Errorf("warnings = %q, want one naming the link, its folder and mode 0777", w)
	}
}

// TestFolderOfAnotherUserIsRefused: tokens are never written into (or read
// from) a folder another user owns, linked or not.
func TestFolderOfAnotherUserIsRefused(t *testing.T) {
	base := t.TempDir()
	foreign := filepath.Join(base, "theirs")
	if os.Geteuid() == 0 {
		if err := os.Mkdir(foreign, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(foreign, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	} else {
		foreign = "/usr" // root's, and not one skyswitch leaves alone
	}
	link := filepath.Join(base, "skyswitch")
	if err := os.Symlink(foreign, link); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{filepath.Join(link, "accounts.json"), filepath.Join(foreign, "accounts.json")} {
		s := Open(path)
		err := s.Update(replaceWith(stateWith(1)))
		if err == nil || !strings.Contains(err.Error(), "belongs to another user") {
			t.Errorf("%s: Update gave %v, want a refusal saying the folder belongs to another user", path, err)
		}
		if _, err := s.Load(); err == nil || !strings.Contains(err.Error(), "belongs to another user") {
			t.Errorf("%s: Load gave %v, want the same refusal", path, err)
		}
		if _, err := s.LockAccount(context.Background(), "did:plc:aaa"); err == nil {
			t.Errorf("%s: LockAccount made its locks there", path)
		}
	}
	if entries, _ := os.ReadDir(foreign); os.Geteuid() == 0 && len(entries) != 0 {
		t.Errorf("files were made in the other user's folder: %v", entries)
	}
}

// TestDanglingLockSymlinkCreatesNothing: a lock file is never opened
// through a link, so a dangling one cannot make skyswitch create its
// target, and a lock elsewhere is not taken in its stead.
func TestDanglingLockSymlinkCreatesNothing(t *testing.T) {
	s := newStore(t)
	mustUpdate(t, s, replaceWith(stateWith(1)))
	did := account(0).DID
	if _, err := s.LockAccount(context.Background(), did); err != nil { // makes locks/
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "planted")
	for _, lock := range []string{s.lockPath(), s.accountLock(did).path} {
		if err := os.Remove(lock); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, lock); err != nil {
			t.Fatal(err)
		}
	}
	checkLinkRefused := func(what string, err error) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), "symbolic link") {
			t.Errorf("%s through a linked lock file: %v, want a refusal naming the link", what, err)
		}
	}
	_, err := s.Load()
	checkLinkRefused("Load", err)
	checkLinkRefused("Update", s.Update(func(*State) error { return nil }))
	_, err = s.LockAccount(context.Background(), did)
	checkLinkRefused("LockAccount", err)
	if _, err := os.Lstat(target); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the link's target was created: %v", err)
	}
}

// TestSymlinkedLocksFolderIsRefused: the account locks are taken only in a
// real folder; a link in its place is refused, and nothing is made where
// it points.
func TestSymlinkedLocksFolderIsRefused(t *testing.T) {
	s := newStore(t)
	mustUpdate(t, s, replaceWith(stateWith(1)))
	elsewhere := t.TempDir()
	if err := os.Symlink(elsewhere, s.locksDir()); err != nil {
		t.Fatal(err)
	}
	_, err := s.LockAccount(context.Background(), account(0).DID)
	if err == nil || !strings.Contains(err.Error(), "lock folder") || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("LockAccount through a linked locks folder: %v, want a refusal naming it", err)
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		t.Errorf("lock files made where the link points: %v", entries)
	}
}
