package storage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

const mib = 1 << 20

// writeBigFile makes path a size-byte accounts file: a real accounts
// document (tokens and DPoP keys included) padded with white space to fill the first MiB,
// a sparse middle, and a last MiB of white space ending in "}". Only the
// two ends take disk space.
func writeBigFile(t *testing.T, path string, size int64) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	st := oauthState() // tokens and DPoP keys, for the sweep of the error
	st.Version = st.formatVersion()
	doc, err := encode(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	doc = bytes.TrimSuffix(bytes.TrimSpace(doc), []byte("}"))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	head := append(doc, bytes.Repeat([]byte(" "), mib-len(doc))...)
	tail := append(bytes.Repeat([]byte("\n"), mib-1), '}')
	if _, err := f.Write(head); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(tail, size-mib); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// bigFileState is what is checked of a file too large to compare whole:
// its identity, size, mode and time, and a hash of each end.
type bigFileState struct {
	info  os.FileInfo
	ends  [2][sha256.Size]byte // of the first and the last MiB
	names []string
}

func statBig(t *testing.T, path string) bigFileState {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bigFileState{names: dirNames(filepath.Dir(path))}
	if s.info, err = f.Stat(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, mib)
	for i, at := range []int64{0, s.info.Size() - mib} {
		if _, err := f.ReadAt(buf, at); err != nil && !errors.Is(err, io.EOF) {
			t.Fatal(err)
		}
		s.ends[i] = sha256.Sum256(buf)
	}
	return s
}

func (s bigFileState) same(t *testing.T, path string) {
	t.Helper()
	now := statBig(t, path)
	switch {
	case !os.SameFile(s.info, now.info):
		t.Error("the file was replaced")
	case now.info.Size() != s.info.Size():
		t.Errorf("size %d, was %d", now.info.Size(), s.info.Size())
	case !now.info.ModTime().Equal(s.info.ModTime()):
		t.Error("the file was written to")
	case now.info.Mode() != s.info.Mode():
		t.Errorf("mode %v, was %v", now.info.Mode(), s.info.Mode())
	case now.ends != s.ends:
		t.Error("the file's first or last MiB changed")
	case strings.Join(now.names, " ") != strings.Join(s.names, " "):
		t.Errorf("the folder holds %v, held %v", now.names, s.names)
	}
}

// A 100 MB accounts file is refused by Load, LoadAccount and Update with a one-line
// error naming it, without reading it (the refusal allocates a sliver of
// its size), and is left as it was.
func TestHundredMegabyteFileIsRefusedUnreadAndUntouched(t *testing.T) {
	const size = 100 * 1000 * 1000
	s := newStore(t)
	writeBigFile(t, s.Path(), size)
	// The mtime must be able to show a write: make it an old one.
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes(s.Path(), old, old); err != nil {
		t.Fatal(err)
	}
	before := statBig(t, s.Path())

	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	allocBefore := ms.TotalAlloc
	start := time.Now()
	_, loadErr := s.Load()
	_, _, oneErr := s.LoadAccount(context.Background(), "")
	called := false
	updErr := s.Update(func(st *State) error { called = true; *st = *stateWith(1); return nil })
	took := time.Since(start)
	runtime.ReadMemStats(&ms)
	if alloc := ms.TotalAlloc - allocBefore; alloc > 4*mib {
		t.Errorf("refusing the file allocated %d bytes: it was read", alloc)
	}
	if took > 5*time.Second {
		t.Errorf("refusing the file took %v", took)
	}
	if called {
		t.Error("Update ran its function on a file it cannot read")
	}
	for name, err := range map[string]error{"Load": loadErr, "LoadAccount": oneErr, "Update": updErr} {
		var fe *FileError
		if !errors.As(err, &fe) || !errors.Is(err, ErrTooLarge) {
			t.Fatalf("%s: %v, want a *FileError wrapping ErrTooLarge", name, err)
		}
		msg := err.Error()
		for _, want := range []string{s.Path(), "100000000 bytes", "more than the 67108864", "left untouched"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: %q does not say %q", name, msg, want)
			}
		}
		if strings.Contains(msg, "\n") || strings.Contains(msg, "eyJ") || strings.Contains(msg, keyStart) || strings.Contains(msg, "did:plc") {
			t.Errorf("%s: the error is not one line, or quotes the file: %q", name, msg)
		}
	}
	before.same(t, s.Path())
	// Moving it aside still works, and keeps it whole.
	dest, err := s.MoveAside()
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dest); err != nil || fi.Size() != size {
		t.Fatalf("moved aside: %v, %v", fi, err)
	}
	if st, err := s.Load(); err != nil || len(st.Accounts) != 0 {
		t.Fatalf("after moving aside: %v", err)
	}
}
