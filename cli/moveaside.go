package cli

import (
	"context"
	"fmt"
	"os"
	"runtime"
)

func moveAsideCommand() command {
	return command{
		name:    "move-aside",
		summary: "start afresh: rename an unreadable accounts file (never deletes it)",
		run: func(_ context.Context, e *invocation, _ []string) error {
			return runMoveAside(e)
		},
	}
}

// runMoveAside renames the accounts file out of the way, for a fresh start
// after skyswitch refused a file it cannot read. Nothing is deleted.
func runMoveAside(e *invocation) error {
	dest, err := e.mgr.Store.MoveAside()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "Moved %s to %s. skyswitch starts with no accounts; the old file is kept.\n", e.mgr.Store.Path(), dest)
	return keepPrivate(e, dest)
}

// keepPrivate tightens the file set aside to 0600: it may hold tokens, and
// no command reads (and so tightens) it again. A file open to others that
// nothing had read before move-aside was renamed as it was. (Windows has
// no such modes: its ACLs stay as they were.)
func keepPrivate(e *invocation, path string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return fmt.Errorf("move-aside: %s is readable by others (mode %04o) and could not be tightened to 0600: %w", path, fi.Mode().Perm(), err)
	}
	fmt.Fprintf(e.stderr, "%s was readable by others (mode %04o); tightened to 0600.\n", path, fi.Mode().Perm())
	return nil
}
