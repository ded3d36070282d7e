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
// at most MaxFileSize. No file gives a nil *os.File and no error. The
// caller has checked the folder (checkDir) and holds the lock.
func (s *Store) open() (*os.File, int64, error) {
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

// checkDir checks the accounts folder before anything in it is read or
// written, going by the real folder when dir is (or passes through) a
// symlink: it must belong to the user running skyswitch and is tightened
// to 0700, with a note, when others may read or write it. A folder of
// another user, or one others may write that cannot be tightened, is
// refused with an error saying what to do. A folder the user shares with
// other programs (home, the config home, a root, the temp folder) is left
// alone: a --config path there must not change its permissions. A missing
// folder is no error.
func (s *Store) checkDir(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("storage: %w", err)
	case !fi.IsDir():
		return fmt.Errorf("storage: %s is not a folder", dir)
	}
	target := realPath(dir)
	if shared(dir) || shared(target) {
		return nil
	}
	name := dir
	if abs, err := filepath.Abs(dir); err != nil || abs != target {
		name = fmt.Sprintf("%s (a link to %s)", dir, target)
	}
	return s.checkFolder(target, name, fi)
}

// makeLocksDir creates the folder of the account locks and checks it as
// checkDir does. A symlink in its place is refused: the locks would be
// taken wherever it points, perhaps where other users can reach them.
func (s *Store) makeLocksDir() error {
	dir := s.locksDir()
	if err := os.MkdirAll(filepath.Dir(dir), dirMode); err != nil {
		return fmt.Errorf("storage: create folder: %w", err)
	}
	if err := s.checkDir(filepath.Dir(dir)); err != nil {
		return err
	}
	if err := os.Mkdir(dir, dirMode); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("storage: create lock folder: %w", err)
	}
	fi, err := os.Lstat(dir)
	switch {
	case err != nil:
		return fmt.Errorf("storage: lock folder: %w", err)
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("storage: the lock folder %s is a symbolic link, and skyswitch keeps its locks only in a real folder; remove the link and skyswitch makes the folder", dir)
	case !fi.IsDir():
		return fmt.Errorf("storage: the lock folder %s is not a folder; remove it and skyswitch makes the folder", dir)
	}
	return s.checkFolder(dir, dir, fi)
}

// checkFolder refuses a folder of another user and tightens one open to
// others (path is the real folder, name how to call it).
func (s *Store) checkFolder(path, name string, fi fs.FileInfo) error {
	if uid, ok := fileOwner(fi); ok && uid != os.Geteuid() {
		return fmt.Errorf("storage: the folder %s belongs to another user (uid %d), who could read or replace the tokens kept there; skyswitch keeps them only in a folder of your own: remove it (or the link) and skyswitch makes a new one", name, uid)
	}
	mode := fi.Mode().Perm()
	if runtime.GOOS == "windows" || mode&0o077 == 0 {
		return nil
	}
	err := os.Chmod(path, dirMode)
	switch {
	case err == nil:
		s.warn("%s was %s by others (mode %04o); tightened to %04o", name, openTo(mode), mode, dirMode)
	case mode&0o022 != 0:
		return fmt.Errorf("storage: the folder %s is writable by others (mode %04o), who could replace the tokens kept there, and could not be tightened to %04o: %w; tighten it (chmod 700) or remove it", name, mode, dirMode, err)
	default:
		s.warn("%s is readable by others (mode %04o) and could not be tightened to %04o: %v", name, mode, dirMode, err)
	}
	return nil
}

func openTo(mode fs.FileMode) string {
	if mode&0o022 != 0 {
		return "writable"
	}
	return "readable"
}

// realPath is dir with every symlink resolved, or dir (made absolute) if
// that fails.
func realPath(dir string) string {
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		if abs, err := filepath.Abs(real); err == nil {
			return abs
		}
	}
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return filepath.Clean(dir)
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
// crash at any point leaves the old file or the new one, never a mix. Each
// step runs through step, which tells testHookWrite its name.
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
		chunk := rest[:min(len(rest), 64<<10)]
		rest = rest[len(chunk):]
		if err = step(stepWrite, func() error { _, err := f.Write(chunk); return err }); err != nil {
			return err
		}
	}
	if err = step(stepSync, f.Sync); err != nil {
		return err
	}
	if err = step(stepClose, f.Close); err != nil {
		return err
	}
	if err = step(stepRename, func() error { return os.Rename(tmp, path) }); err != nil {
		return err
	}
	return step(stepSyncDir, func() error { return syncDir(dir) })
}

// The steps of writeAtomic, in their order.
const (
	stepWrite   = "write"       // a chunk of the temporary file
	stepSync    = "sync file"   // the temporary file reaches the disk
	stepClose   = "close"       // and is closed
	stepRename  = "rename"      // over the accounts file
	stepSyncDir = "sync folder" // the rename reaches the disk
)

// step runs one step of writeAtomic and then testHookWrite, if set, with
// its name.
func step(name string, do func() error) error {
	if err := do(); err != nil {
		return err
	}
	if testHookWrite != nil {
		testHookWrite(name)
	}
	return nil
}

// testHookWrite, set only by tests, runs after each step of writeAtomic
// with its name: the durability test records the order, and the SIGKILL
// test stretches the moments a kill could corrupt a file.
var testHookWrite func(step string)

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
