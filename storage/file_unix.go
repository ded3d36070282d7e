//go:build unix

package storage

import (
	"fmt"
	"os"
	"syscall"
)

// openFlags keep a read from following a symlink or blocking on a pipe.
const openFlags = syscall.O_NOFOLLOW | syscall.O_NONBLOCK

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync folder: %w", err)
	}
	return nil
}
