package storage

import (
	"context"
	"fmt"
	"os"
	"time"
)

// fileLock is a held advisory lock on a lock file: flock on Unix,
// LockFileEx on Windows. It is released by release, or by the system when
// the process dies, so a killed peer never leaves the store locked.
type fileLock struct{ f *os.File }

// acquire opens (creating, 0600) the lock file and takes a shared or an
// exclusive lock, polling until it is free or ctx is done.
func acquire(ctx context.Context, path string, exclusive bool) (*fileLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		return nil, fmt.Errorf("storage: open lock: %w", err)
	}
	delay := 500 * time.Microsecond
	for {
		ok, err := tryLock(f, exclusive)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("storage: lock %s: %w", path, err)
		}
		if ok {
			return &fileLock{f: f}, nil
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			f.Close()
			return nil, fmt.Errorf("storage: %w %s (another skyswitch process holds it): %w", ErrLockTimeout, path, ctx.Err())
		case <-t.C:
		}
		delay = min(delay*2, 20*time.Millisecond)
	}
}

// release unlocks and closes the lock file. The lock file stays: deleting
// it would let two processes lock two different files.
func (l *fileLock) release() {
	unlock(l.f)
	l.f.Close()
}
