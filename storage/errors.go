package storage

import (
	"errors"
	"fmt"
)

// Sentinel errors. A *FileError wraps exactly one of the first four, so
// callers can tell what is wrong with errors.Is.
var (
	// ErrCorrupt: the file is not a valid accounts document (bad JSON, a
	// field of the wrong type, an unknown field, broken invariants).
	ErrCorrupt = errors.New("corrupt accounts file")
	// ErrTooNew: the file was written by a newer skyswitch, whose format
	// this build does not understand.
	ErrTooNew = errors.New("accounts file written by a newer skyswitch")
	// ErrNotRegular: the path is a directory, symlink, device or pipe.
	ErrNotRegular = errors.New("accounts path is not a regular file")
	// ErrTooLarge: the file is larger than MaxFileSize.
	ErrTooLarge = errors.New("accounts file too large")

	// ErrLockTimeout: another process held a lock for longer than the
	// caller was willing to wait.
	ErrLockTimeout = errors.New("timed out waiting for a lock")
	// ErrInvalidState: an Update produced a state that breaks an invariant
	// (duplicate DIDs, an active identity that is not saved, ...). Nothing
	// was written.
	ErrInvalidState = errors.New("invalid accounts state")
)

// FileError reports an accounts file that skyswitch will not read or
// overwrite. The file is left byte-for-byte untouched; Store.MoveAside moves
// it out of the way to start afresh. The message never quotes file content,
// so it cannot leak a token.
type FileError struct {
	Path   string // the file
	Reason string // what is wrong, e.g. "accounts[2].handle: want a string, got a number (at byte 812)"
	Kind   error  // ErrCorrupt, ErrTooNew, ErrNotRegular or ErrTooLarge
}

// Error names the file and what is wrong with it.
func (e *FileError) Error() string {
	return fmt.Sprintf("accounts file %s: %s (left untouched; move it aside to start afresh)", e.Path, e.Reason)
}

// Unwrap returns the sentinel Kind.
func (e *FileError) Unwrap() error { return e.Kind }

func fileErr(path string, kind error, format string, args ...any) *FileError {
	return &FileError{Path: path, Reason: fmt.Sprintf(format, args...), Kind: kind}
}
