//go:build windows

package storage

import "os"

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
