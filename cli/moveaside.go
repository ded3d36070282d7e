package cli

import (
	"context"
	"fmt"
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
	e.warnings() // a file open to others, tightened first
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "Moved %s to %s. skyswitch starts with no accounts; the old file is kept.\n", e.mgr.Store.Path(), dest)
	return nil
}
