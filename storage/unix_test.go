//go:build unix

package storage

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestNamedPipeIsRefusedWithoutBlocking(t *testing.T) {
	s := newStore(t)
	os.MkdirAll(filepath.Dir(s.Path()), 0o700)
	if err := syscall.Mkfifo(s.Path(), 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		checkRefused(t, s, ErrNotRegular, "named pipe")
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("reading a named pipe hung")
	}
}

func TestLoosePermissionsAreTightenedAndToldOnce(t *testing.T) {
	s := newStore(t)
	mustUpdate(t, s, replaceWith(stateWith(1)))
	s.Warnings() // none expected, drained anyway
	dir := filepath.Dir(s.Path())
	if err := os.Chmod(s.Path(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(s.Path())
	if _, err := s.Load(); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{s.Path(): 0o600, dir: 0o700} {
		fi, _ := os.Stat(path)
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: mode %04o after Load, want %04o", path, got, want)
		}
	}
	w := s.Warnings()
	if len(w) != 2 || !strings.Contains(strings.Join(w, "\n"), "0644") || !strings.Contains(strings.Join(w, "\n"), "0755") {
		t.Errorf("warnings = %q, want one for the file (0644) and one for the folder (0755)", w)
	}
	if _, err := s.Load(); err != nil {
		t.Fatal(err)
	}
	if w := s.Warnings(); len(w) != 0 {
		t.Errorf("told again: %q", w)
	}
	if after, _ := os.ReadFile(s.Path()); string(after) != string(before) {
		t.Error("tightening changed the content")
	}
}

// Any permission for the group or for others is too much: each bit alone
// is tightened away, with a note naming the mode it had, and a file or
// folder with none of them is left as it is, with no note. (0644 alone
// would not notice a check of the others' bits only.)
func TestEachGroupOrOtherBitIsTightened(t *testing.T) {
	for _, tc := range []struct {
		file, dir fs.FileMode // set before Load
		wantFile  fs.FileMode // after
		wantDir   fs.FileMode
		notes     int
	}{
		{0o640, 0o700, 0o600, 0o700, 1},
		{0o604, 0o700, 0o600, 0o700, 1},
		{0o620, 0o700, 0o600, 0o700, 1},
		{0o602, 0o700, 0o600, 0o700, 1},
		{0o610, 0o700, 0o600, 0o700, 1},
		{0o600, 0o750, 0o600, 0o700, 1},
		{0o600, 0o705, 0o600, 0o700, 1},
		{0o600, 0o730, 0o600, 0o700, 1},
		{0o600, 0o710, 0o600, 0o700, 1},
		{0o600, 0o701, 0o600, 0o700, 1},
		{0o600, 0o700, 0o600, 0o700, 0},
		{0o400, 0o700, 0o400, 0o700, 0}, // read-only for its owner: fine as it is
	} {
		t.Run(fmt.Sprintf("file %04o folder %04o", tc.file, tc.dir), func(t *testing.T) {
			s := newStore(t)
			mustUpdate(t, s, replaceWith(stateWith(1)))
			s.Warnings()
			dir := filepath.Dir(s.Path())
			if err := os.Chmod(s.Path(), tc.file); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, tc.dir); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Load(); err != nil {
				t.Fatal(err)
			}
			for path, want := range map[string]fs.FileMode{s.Path(): tc.wantFile, dir: tc.wantDir} {
				fi, err := os.Stat(path)
				if err != nil {
					t.Fatal(err)
				}
				if got := fi.Mode().Perm(); got != want {
					t.Errorf("%s: mode %04o after Load, want %04o", filepath.Base(path), got, want)
				}
			}
			w := s.Warnings()
			if len(w) != tc.notes {
				t.Fatalf("notes %q, want %d", w, tc.notes)
			}
			changed := tc.file
			if tc.file == tc.wantFile {
				changed = tc.dir
			}
			if tc.notes > 0 && !strings.Contains(w[0], fmt.Sprintf("%04o", changed)) {
				t.Errorf("the note does not name mode %04o: %q", changed, w[0])
			}
		})
	}
}

func TestSharedFoldersAreNotTightened(t *testing.T) {
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skip(err)
	}
	for _, dir := range []string{home, os.TempDir(), "/"} {
		if !shared(dir) {
			t.Errorf("shared(%s) = false: a --config file there would chmod it", dir)
		}
	}
	if shared(filepath.Join(t.TempDir(), "skyswitch")) {
		t.Error("a dedicated folder counts as shared")
	}
}

// TestLoadSurvivesTheFileCutShortWhileMapped: another program truncating
// the file in place while Load or LoadAccount has it mapped makes the mapped
// pages fault; that must be an error, not a crash.
func TestLoadSurvivesTheFileCutShortWhileMapped(t *testing.T) {
	loads := map[string]func(s *Store) error{
		"Load": func(s *Store) error { _, err := s.Load(); return err },
		"LoadAccount": func(s *Store) error {
			_, _, err := s.LoadAccount(context.Background(), "user199.bsky.social")
			return err
		},
	}
	for name, load := range loads {
		t.Run(name, func(t *testing.T) {
			s := newStore(t)
			mustUpdate(t, s, replaceWith(stateWith(200))) // ~340 KB: many pages
			defer func(old func()) { testHookMapped = old }(testHookMapped)
			// Cut at a page boundary, so the next byte read is on a page
			// with no file behind it. (Cut mid-page, the rest of that page
			// reads as zeros and the reader stops there with a syntax
			// error.)
			cut := int64(2 * os.Getpagesize())
			testHookMapped = func() {
				if err := os.Truncate(s.Path(), cut); err != nil {
					t.Error(err)
				}
			}
			err := load(s)
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "cut short while being read") {
				t.Fatalf("got %v; want an ErrCorrupt error saying the file was cut short", err)
			}
		})
	}
}
