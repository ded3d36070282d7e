//go:build windows

package storage

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// lockRegion is the byte LockFileEx locks: byte lockedByte, far past the
// end of every lock file (locking past the end is allowed). Windows locks
// are mandatory: while one handle holds a byte, no other handle may read or
// write it, so a lock on byte 0 would hide the holder's line (writeHolder)
// from the waiter that reads it (readHolder), and the waiter could not name
// who holds the lock.
func lockRegion() *windows.Overlapped {
	at := uint64(lockedByte)
	return &windows.Overlapped{Offset: uint32(at), OffsetHigh: uint32(at >> 32)}
}

// tryLock takes a LockFileEx lock on lockedByte without blocking; false
// means another handle holds it. Like flock, a lock belongs to a handle:
// two handles of one process exclude each other as two processes do.
func tryLock(f *os.File, exclusive bool) (bool, error) {
	flags := uint32(windows.LOCKFILE_FAIL_IMMEDIATELY)
	if exclusive {
		flags |= windows.LOCKFILE_EXCLUSIVE_LOCK
	}
	err := windows.LockFileEx(windows.Handle(f.Fd()), flags, 0, 1, 0, lockRegion())
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, windows.ERROR_LOCK_VIOLATION), errors.Is(err, windows.ERROR_IO_PENDING):
		return false, nil
	}
	return false, err
}

func unlock(f *os.File) {
	_ = windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, lockRegion())
}

// lockOpenFlags: Windows has no O_NOFOLLOW; openLock's Lstat refuses a
// symlink before the file is opened.
const lockOpenFlags = 0
