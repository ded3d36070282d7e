package storage

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/adrg/xdg"

	"github.com/skyswitch/skyswitch/auth"
)

// DefaultLockTimeout is how long Load, Update and MoveAside (and their
// Context forms, whatever the context) wait for another process to release
// the accounts file's lock before failing with a *LockError.
const DefaultLockTimeout = 10 * time.Second

// DefaultAccountLockTimeout is how long LockAccount waits for an account's
// refresh lock: a few seconds past the network timeout, by which a live
// holder's call has ended. A holder that is stopped or stuck is named in
// the *LockError instead of being waited for without end.
const DefaultAccountLockTimeout = auth.DefaultTimeout + 5*time.Second

// Store is one accounts file and its sibling lock file (the same name plus
// ".lock", created 0600 and never deleted). It is safe for use by several
// goroutines and several processes at once.
type Store struct {
	path string
	now  func() time.Time // for MoveAside's timestamp; a test seam

	mu       sync.Mutex
	warnings []string
	told     map[string]bool // warnings already given, for warnOnce
	bufs     [][]byte        // reused buffers; see takeBuf

	secrets        Secrets               // the OS keyring, or nil; see UseSecrets
	keyringDown    error                 // why the keyring is not asked now
	keyringDownAt  time.Time             // since when; see KeyringRetryAfter
	keyringTimeout time.Duration         // 0: KeyringTimeout; a test seam
	fileWait       time.Duration         // 0: DefaultLockTimeout; see SetLockWaits
	accountWait    time.Duration         // 0: DefaultAccountLockTimeout
	seen           map[string]secretItem // keyring items by user, as last read or written
}

// Open returns the store for the accounts file at path. It touches nothing:
// a missing file is an empty store, and its folder is created (0700) by the
// first Update.
func Open(path string) *Store {
	return &Store{path: filepath.Clean(path), now: time.Now}
}

// DefaultPath is $XDG_CONFIG_HOME/skyswitch/accounts.json when
// XDG_CONFIG_HOME holds an absolute path, on every system; otherwise the
// system's config folder, as adrg/xdg finds it: ~/.config on Linux and the
// BSDs, ~/Library/Application Support on macOS, %LOCALAPPDATA% on Windows.
// It reads the environment as it was when the program started, and creates
// nothing.
func DefaultPath() (string, error) {
	if xdg.ConfigHome == "" {
		return "", errors.New("storage: cannot find the config folder: set XDG_CONFIG_HOME or HOME")
	}
	return filepath.Join(xdg.ConfigHome, "skyswitch", "accounts.json"), nil
}

// Path is the accounts file.
func (s *Store) Path() string { return s.path }

func (s *Store) lockPath() string { return s.path + ".lock" }

// SetLockWaits sets how long the store waits for the accounts file's lock
// and for an account's refresh lock before giving up; zero keeps the
// default (DefaultLockTimeout, DefaultAccountLockTimeout). Tests shorten
// them. Call it before the store is used.
func (s *Store) SetLockWaits(file, account time.Duration) {
	s.fileWait, s.accountWait = file, account
}

// fileLock is the accounts file's lock.
func (s *Store) fileLock() lockFile {
	return lockFile{path: s.lockPath(), what: "the lock of the accounts file", wait: cmp.Or(s.fileWait, DefaultLockTimeout)}
}

// accountLock is the refresh lock of the account did: a file in the
// "locks" folder named by a hash of the DID.
func (s *Store) accountLock(did string) lockFile {
	sum := sha256.Sum256([]byte(did))
	return lockFile{
		path: filepath.Join(s.locksDir(), hex.EncodeToString(sum[:12])+".lock"),
		what: "the refresh lock of " + did,
		wait: cmp.Or(s.accountWait, DefaultAccountLockTimeout),
	}
}

func (s *Store) locksDir() string { return filepath.Join(filepath.Dir(s.path), "locks") }

// Warnings returns the notices gathered since the last call, and forgets
// them, so the caller shows each once. Today these say that a file or
// folder readable by others was tightened to 0600 or 0700. The store itself
// never writes to the terminal.
func (s *Store) Warnings() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.warnings
	s.warnings = nil
	return w
}

func (s *Store) warn(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.warnings = append(s.warnings, fmt.Sprintf(format, args...))
}

// warnOnce is warn, but a notice already given by this store is not given
// again: several reads in one command meet the same dead keyring.
func (s *Store) warnOnce(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.told[msg] {
		return
	}
	if s.told == nil {
		s.told = make(map[string]bool)
	}
	s.told[msg] = true
	s.warnings = append(s.warnings, msg)
}

// Load returns a snapshot of the accounts, read under a shared lock, waiting
// at most DefaultLockTimeout for it. A missing file is an empty State. A file
// that cannot be understood gives a *FileError and is left untouched.
func (s *Store) Load() (*State, error) {
	return s.LoadContext(context.Background())
}

// LoadContext is Load, giving up early when ctx is done.
func (s *Store) LoadContext(ctx context.Context) (*State, error) {
	release, err := s.readLock(ctx)
	if err != nil {
		return nil, err
	}
	if release == nil {
		return NewState(), nil
	}
	defer release()
	var st *State
	err = s.mapped(func(data []byte) (err error) {
		st, err = decode(s.path, data)
		return err
	})
	switch {
	case err != nil:
		return nil, err
	case st == nil: // no file
		return NewState(), nil
	}
	s.fetchAll(ctx, st)
	return st, nil
}

// readLock checks the folder and takes the shared lock for a read. It
// returns a nil release and no error when there is nothing to read (no
// folder), and a release that does nothing when the folder is read-only:
// the file is still only ever replaced by rename, so an unlocked read sees
// a whole file.
func (s *Store) readLock(ctx context.Context) (release func(), err error) {
	if _, err := os.Stat(filepath.Dir(s.path)); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err := s.checkDir(filepath.Dir(s.path)); err != nil {
		return nil, err
	}
	l, err := acquire(ctx, s.fileLock(), false)
	switch {
	case errors.Is(err, fs.ErrPermission):
		return func() {}, nil
	case err != nil:
		return nil, err
	}
	return l.release, nil
}

// Update applies fn to the current accounts as one transaction across
// processes: it takes the exclusive lock (waiting at most
// DefaultLockTimeout), re-reads the file, calls fn, checks the result and
// replaces the file atomically. If fn returns an error, that error is
// returned as is and nothing is written; an invalid result gives
// ErrInvalidState and nothing is written. fn runs under the lock: it must be
// quick and must not do network I/O.
func (s *Store) Update(fn func(*State) error) error {
	return s.UpdateContext(context.Background(), fn)
}

// UpdateContext is Update, giving up early when ctx is done.
func (s *Store) UpdateContext(ctx context.Context, fn func(*State) error) error {
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return fmt.Errorf("storage: create folder: %w", err)
	}
	if err := s.checkDir(filepath.Dir(s.path)); err != nil {
		return err
	}
	l, err := acquire(ctx, s.fileLock(), true)
	if err != nil {
		return err
	}
	defer l.release()
	st, old, err := s.read()
	defer s.giveBuf(old)
	if err != nil {
		return err
	}
	s.fetchAll(ctx, st)
	was := snapshotSecrets(st)
	if err := fn(st); err != nil {
		return err
	}
	var stale []string
	if was != nil || st.Secrets != "" || st.moveSecrets {
		// Checked before any token goes to the keyring for a file
		// that will not be written.
		st.Version = CurrentVersion
		if err := st.validate(); err != nil {
			return fmt.Errorf("storage: refusing to write %s: %w: %v", s.path, ErrInvalidState, err)
		}
	}
	stale = s.placeSecrets(ctx, st, was)
	st.Version = st.formatVersion()
	data, err := encode(st, s.takeBuf())
	defer s.giveBuf(data)
	if err != nil {
		return fmt.Errorf("storage: refusing to write %s: %w", s.path, err)
	}
	if old != nil && bytes.Equal(data, old) {
		return nil
	}
	removeStaleTemps(s.path)
	if err := writeAtomic(s.path, data); err != nil {
		return err
	}
	s.deleteSecrets(ctx, stale)
	return nil
}

// MoveAside starts afresh: it renames the accounts file, whatever it holds,
// to "<file>.corrupt-<UTC timestamp>" in the same folder, tightened to 0600
// first when others may read it (with a note), and returns the new path. Nothing is ever deleted; the next Load sees an empty store. It fails
// with an error wrapping fs.ErrNotExist when there is no file.
func (s *Store) MoveAside() (string, error) {
	fi, err := os.Lstat(s.path)
	if err != nil {
		return "", fmt.Errorf("storage: nothing to move aside: %w", err)
	}
	if err := s.checkDir(filepath.Dir(s.path)); err != nil {
		return "", err
	}
	l, err := acquire(context.Background(), s.fileLock(), true)
	if err != nil {
		return "", err
	}
	defer l.release()
	// It may hold tokens, and nothing reads it (and so tightens it) again:
	// a file open to others that nothing had read is tightened first.
	if fi.Mode().IsRegular() {
		s.tighten(s.path, fi.Mode(), fileMode)
	}
	base := s.path + ".corrupt-" + s.now().UTC().Format("20060102T150405Z")
	dest := base
	for i := 2; ; i++ {
		if _, err := os.Lstat(dest); errors.Is(err, fs.ErrNotExist) {
			break
		}
		dest = fmt.Sprintf("%s-%d", base, i)
	}
	if err := os.Rename(s.path, dest); err != nil {
		return "", fmt.Errorf("storage: move aside: %w", err)
	}
	if err := syncDir(filepath.Dir(s.path)); err != nil {
		return dest, fmt.Errorf("storage: move aside: %w", err)
	}
	return dest, nil
}

// LockAccount takes the refresh lock of one account, waiting at most
// DefaultAccountLockTimeout (see SetLockWaits) or until ctx is done, and
// returns its release. A refresh holds it across its network call, so two
// processes never spend the same rotating refresh token: the second
// re-reads the file after the first one's release and finds the new tokens.
// It is separate from the file's own lock, which is never held across
// network I/O, and each account has its own, so a slow server delays no
// other account. The lock files live in a "locks" folder beside the
// accounts file and are never deleted. A wait that gives up is a
// *LockError naming the holder; a "locks" that is a symlink is refused.
func (s *Store) LockAccount(ctx context.Context, did string) (release func(), err error) {
	if err := s.makeLocksDir(); err != nil {
		return nil, err
	}
	l, err := acquire(ctx, s.accountLock(did), true)
	if err != nil {
		return nil, err
	}
	return l.release, nil
}

// Stamp names the file's current version without reading it: it changes
// whenever the file is replaced. It is "" when there is no file. A TUI
// polls it to notice changes made by other processes.
func (s *Store) Stamp() string {
	fi, err := os.Stat(s.path)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%d:%d", fi.Size(), fi.ModTime().UnixNano())
}
