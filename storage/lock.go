package storage

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/skyswitch/skyswitch/internal/sanitize"
)

// fileLock is a held advisory lock on a lock file: flock on Unix,
// LockFileEx on Windows. It is released by release, or by the system when
// the process dies, so a killed peer never leaves the store locked.
type fileLock struct {
	f         *os.File
	exclusive bool
}

// lockFile names a lock: its file, what it guards (for the sentence a
// timed-out waiter gives) and how long a waiter waits for it.
type lockFile struct {
	path string
	what string        // e.g. "the accounts file"
	wait time.Duration // at most this long, whatever the context says
}

// LockError is a wait for a lock that gave up: another process held it for
// longer than the wait's bound (or the caller's deadline). Its text is a
// whole sentence naming the lock, its file and, when the holder wrote it,
// the process that holds it. It wraps ErrLockTimeout, and not
// context.DeadlineExceeded: no request was sent, so it is no network error.
type LockError struct {
	What   string        // what the lock guards, e.g. "the refresh lock of did:plc:…"
	Path   string        // the lock file
	Holder string        // "pid 1234: skyswitch refresh", or "" when not known
	Waited time.Duration // how long the wait lasted
}

// Error names the holder, then the lock, and says what to do. The holder
// comes first: the switcher shows the sentence on one line cut to the
// window.
func (e *LockError) Error() string {
	who := "another skyswitch process"
	if e.Holder != "" {
		who = e.Holder
	}
	return fmt.Sprintf("locked by %s; gave up after %s waiting for %s (lock file %s); if that process is stuck, end it and try again",
		who, roundWait(e.Waited), e.What, e.Path)
}

// Unwrap returns ErrLockTimeout.
func (e *LockError) Unwrap() error { return ErrLockTimeout }

func roundWait(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(time.Second)
	}
	return d.Round(time.Millisecond)
}

// acquire opens (creating, 0600, never through a symlink) the lock file and
// takes a shared or an exclusive lock, polling until it is free, for at
// most l.wait or until ctx is done. An exclusive holder writes who it is
// into the file, for the sentence of a waiter that gives up.
func acquire(ctx context.Context, l lockFile, exclusive bool) (*fileLock, error) {
	f, err := openLock(l.path)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	bound := time.NewTimer(l.wait)
	defer bound.Stop()
	delay := 500 * time.Microsecond
	for {
		ok, err := tryLock(f, exclusive)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("storage: lock %s: %w", l.path, err)
		}
		if ok {
			held := &fileLock{f: f, exclusive: exclusive}
			held.writeHolder()
			return held, nil
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			if errors.Is(ctx.Err(), context.Canceled) {
				f.Close()
				return nil, fmt.Errorf("storage: stopped waiting for %s (%s): %w", l.what, l.path, ctx.Err())
			}
			return nil, gaveUp(f, l, start)
		case <-bound.C:
			t.Stop()
			return nil, gaveUp(f, l, start)
		case <-t.C:
		}
		delay = min(delay*2, 20*time.Millisecond)
	}
}

// gaveUp closes the lock file and says who holds it.
func gaveUp(f *os.File, l lockFile, start time.Time) error {
	holder := readHolder(f)
	f.Close()
	return &LockError{What: l.what, Path: l.path, Holder: holder, Waited: time.Since(start)}
}

// openLock opens a lock file, creating it 0600. A symlink in its place is
// refused (O_NOFOLLOW on Unix, checked beforehand everywhere): a lock opened
// through a link would create or lock a file elsewhere.
func openLock(path string) (*os.File, error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return nil, symlinkedLock(path)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|lockOpenFlags, fileMode)
	if err != nil {
		if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return nil, symlinkedLock(path)
		}
		return nil, fmt.Errorf("storage: open lock: %w", err)
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("storage: lock file %s is not a regular file; remove it and skyswitch makes a new one", path)
	}
	return f, nil
}

func symlinkedLock(path string) error {
	return fmt.Errorf("storage: lock file %s is a symbolic link, and skyswitch never opens a lock through a link (it could create or lock a file elsewhere); remove the link and skyswitch makes a real lock file", path)
}

// maxHolder bounds what a waiter reads of a lock file: its content is
// written by whoever can write the file, so it is treated as untrusted.
const maxHolder = 256

// lockedByte is the offset of the one byte Windows locks (lock_windows.go),
// 4 GiB in: past any holder line, whose bytes must stay readable by a
// waiter while the lock is held. flock on Unix locks the whole file and
// ignores it.
const lockedByte int64 = 1 << 32

// holderLine is what a holder writes into its lock file: its PID and its
// command, e.g. "pid 1234: skyswitch refresh".
func holderLine() string {
	return fmt.Sprintf("pid %d: %s\n", os.Getpid(), command(os.Args))
}

// command is the program's name and the plain words of its command line
// (lower-case letters and dashes, at most three): enough to recognise
// "skyswitch refresh", never a handle, a path or a sign-in code.
func command(args []string) string {
	if len(args) == 0 {
		return "?"
	}
	words := []string{filepath.Base(args[0])}
	for _, a := range args[1:] {
		if len(words) == 4 {
			break
		}
		if commandWord(a) {
			words = append(words, a)
		}
	}
	return strings.Join(words, " ")
}

func commandWord(s string) bool {
	if s == "" || s[0] == '-' || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '-' {
			return false
		}
	}
	return true
}

// writeHolder puts holderLine into the file of an exclusive lock. A shared
// lock has many holders at once, so they write nothing. Errors are
// ignored: the name of the holder is a courtesy.
func (l *fileLock) writeHolder() {
	if !l.exclusive {
		return
	}
	if l.f.Truncate(0) == nil {
		_, _ = l.f.WriteAt([]byte(holderLine()), 0)
	}
}

// readHolder reads who holds the lock of f, as its holder wrote it: the
// first line of at most maxHolder bytes, made safe for a terminal. It is ""
// when the file names nobody.
func readHolder(f *os.File) string {
	buf := make([]byte, maxHolder)
	n, _ := f.ReadAt(buf, 0)
	line, _, _ := strings.Cut(string(buf[:n]), "\n")
	line = strings.TrimSpace(strings.ToValidUTF8(line, "\uFFFD"))
	if utf8.RuneCountInString(line) > 120 {
		line = string([]rune(line)[:120]) + "…"
	}
	return sanitize.Line(line)
}

// release unlocks and closes the lock file, emptying it first if it was
// exclusive (the holder line goes with the holder). The lock file stays:
// deleting it would let two processes lock two different files.
func (l *fileLock) release() {
	if l.exclusive {
		_ = l.f.Truncate(0)
	}
	unlock(l.f)
	l.f.Close()
}
