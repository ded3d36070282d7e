//go:build windows

package storage

import (
	"io/fs"
	"os"
)

// openFlags: Windows opens neither symlinks-as-links nor pipes here.
const openFlags = 0

// syncDir does nothing: Windows cannot sync a folder, and MoveFileEx
// (os.Rename) replaces the file in one step.
func syncDir(string) error { return nil }

// mapFile reads f: Windows keeps a mapped file from being replaced, which
// would block writers.
func mapFile(f *os.File, size int64) ([]byte, func(), error) {
	return readFile(f, size)
}

// fileOwner is not known on Windows, whose folders are guarded by ACLs
// rather than an owner and mode bits.
func fileOwner(fs.FileInfo) (uid int, ok bool) { return 0, false }
