//go:build !unix

package storage

import "testing"

// TestUnixOnly says which tests this system does not build, and why, so
// that their absence is seen in go test -v rather than silent.
func TestUnixOnly(t *testing.T) {
	t.Skip("not built here: the tests of named pipes, of modes tightened to 0600 and 0700, of a file cut short while mapped " +
		"(unix_test.go) and of symlinks and folder owners (symlink_test.go) need Unix file modes, owners, mmap and mkfifo; " +
		"on Windows the profile folder's ACL guards the file instead, which skyswitch neither sets nor checks")
}
