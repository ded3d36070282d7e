package storage

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/adrg/xdg"
)

// Modes of the accounts file and its folder.
const (
	fileMode fs.FileMode = 0o600
	dirMode  fs.FileMode = 0o700
)

// read reads and decodes the accounts file: the state and the raw bytes,
// in a buffer the caller hands back with giveBuf; an empty state and nil
// bytes when there is no file. The caller holds the lock.
func (s *Store) read() (*State, []byte, error) {
	f, size, err := s.open()
	if err != nil {
		return nil, nil, err
	}
	if f == nil {
		return NewState(), nil, nil
	}
	defer f.Close()
	data, err := readAll(f, s.takeBuf(), size)
	if err != nil {
		s.giveBuf(data)
		return nil, nil, s.readErr(err)
	}
	st, err := decode(s.path, data)
	if err != nil {
		s.giveBuf(data)
		return nil, nil, err
	}
	return st, data, nil
}

// open opens the accounts file for reading and returns its size, after
// tightening loose permissions and refusing anything but a regular file of
// at most MaxFileSize. No file gives a nil *os.File and no error.
func (s *Store) open() (*os.File, int64, error) {
	s.tightenDir(filepath.Dir(s.path))
	fi, err := os.Lstat(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("storage: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, 0, fileErr(s.path, ErrNotRegular, "is a %s, not a regular file", kindOf(fi.Mode()))
	}
	s.tighten(s.path, fi.Mode(), fileMode)
	// O_NOFOLLOW and O_NONBLOCK: a symlink or pipe swapped in after the
	// Lstat fails or is caught below instead of hanging the read.
	f, err := os.OpenFile(s.path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, 0, fmt.Errorf("storage: %w", err)
	}
	fi, err = f.Stat()
	switch {
	case err != nil:
		err = fmt.Errorf("storage: %w", err)
	case !fi.Mode().IsRegular():
		err = fileErr(s.path, ErrNotRegular, "is a %s, not a regular file", kindOf(fi.Mode()))
	case fi.Size() > MaxFileSize:
		err = fileErr(s.path, ErrTooLarge, "%d bytes, more than the %d an accounts file may have", fi.Size(), MaxFileSize)
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, fi.Size(), nil
}

// takeBuf and giveBuf recycle the store's buffers, for reading and for
// encoding: a fresh multi-megabyte buffer per call costs more (page faults,
// zeroing) than decoding it. A sync.Pool would lose them at every garbage
// collection. The store keeps at most two, each the size of the file.
func (s *Store) takeBuf() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := len(s.bufs); n > 0 {
		b := s.bufs[n-1]
		s.bufs = s.bufs[:n-1]
		return b[:0]
	}
	return nil
}

func (s *Store) giveBuf(b []byte) {
	if cap(b) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.bufs) < 2 {
		s.bufs = append(s.bufs, b[:0])
	}
}

// readErr words a failure of readAll.
func (s *Store) readErr(err error) error {
	if errors.Is(err, ErrTooLarge) {
		return fileErr(s.path, ErrTooLarge, "more than the %d bytes an accounts file may have", MaxFileSize)
	}
	return fmt.Errorf("storage: read %s: %w", s.path, err)
}

// readFile reads f into a new buffer, for mapFile where mapping fails.
func readFile(f *os.File, size int64) ([]byte, func(), error) {
	data, err := readAll(f, nil, size)
	return data, func() {}, err
}

// readAll reads f into buf, growing it from the size hint, up to
// MaxFileSize.
func readAll(f *os.File, buf []byte, hint int64) ([]byte, error) {
	if int64(cap(buf)) < hint+1 {
		buf = make([]byte, 0, hint+512)
	}
	for {
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
		if len(buf) > MaxFileSize {
			return buf, ErrTooLarge
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
	}
}

func kindOf(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeSymlink != 0:
		return "symbolic link (it would be replaced, not followed; point skyswitch at its target)"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}

// tighten removes group and other permissions from path, noting it once.
func (s *Store) tighten(path string, mode, want fs.FileMode) {
	if runtime.GOOS == "windows" || mode.Perm()&0o077 == 0 {
		return
	}
	if err := os.Chmod(path, want); err != nil {
		s.warn("%s is readable by others (mode %04o) and could not be tightened to %04o: %v", path, mode.Perm(), want, err)
		return
	}
	s.warn("%s was readable by others (mode %04o); tightened to %04o", path, mode.Perm(), want)
}

// tightenDir tightens the accounts folder, unless it is a folder the user
// shares with other programs (home, the config home, a root): a --config
// path there must not change their permissions.
func (s *Store) tightenDir(dir string) {
	if shared(dir) {
		return
	}
	fi, err := os.Lstat(dir)
	if err != nil || !fi.IsDir() {
		return
	}
	s.tighten(dir, fi.Mode(), dirMode)
}

func shared(dir string) bool {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return true
	}
	if filepath.Dir(abs) == abs { // a root
		return true
	}
	home, _ := os.UserHomeDir()
	for _, d := range []string{home, xdg.ConfigHome, os.TempDir()} {
		if d != "" && filepath.Clean(d) == abs {
			return true
		}
	}
	return false
}

// tempPrefix starts the names of the temporary files writeAtomic makes.
func tempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp-" }

// writeAtomic replaces path with data: a temporary file in the same folder
// is written, synced and renamed over path, then the folder is synced. A
// crash at any point leaves the old file or the new one, never a mix.
func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, tempPrefix(path)+"*") // mode 0600
	if err != nil {
		return fmt.Errorf("storage: write %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
			err = fmt.Errorf("storage: write %s: %w", path, err)
		}
	}()
	for rest := data; len(rest) > 0; {
		n := min(len(rest), 64<<10)
		if _, err = f.Write(rest[:n]); err != nil {
			return err
		}
		rest = rest[n:]
		hookWrite()
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	hookWrite()
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	hookWrite()
	return syncDir(dir)
}

// testHookWrite, set only by tests, runs between the steps of writeAtomic,
// so the SIGKILL test can stretch the moments a kill could corrupt a file.
var testHookWrite func()

func hookWrite() {
	if testHookWrite != nil {
		testHookWrite()
	}
}

// removeStaleTemps deletes temporary files left by writers that died
// mid-write. The caller holds the exclusive lock, so no live writer owns
// one.
func removeStaleTemps(path string) {
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		return
	}
	prefix := tempPrefix(path)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) && e.Type().IsRegular() {
			os.Remove(filepath.Join(filepath.Dir(path), e.Name()))
		}
	}
}
