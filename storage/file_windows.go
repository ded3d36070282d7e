//go:build windows

package storage

// openFlags: Windows opens neither symlinks-as-links nor pipes here.
const openFlags = 0

// syncDir does nothing: Windows cannot sync a folder, and MoveFileEx
// (os.Rename) replaces the file in one step.
func syncDir(string) error { return nil }
