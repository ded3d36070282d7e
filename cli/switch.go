package cli

import (
	"context"
	"fmt"
)

func switchCommand() command {
	return command{
		name: "switch", args: "[<account> | -]",
		summary: "make an account the active identity (- goes back; none: pick one, in a terminal)",
		maxArgs: 1, handles: true, words: []string{"-"},
		run: func(ctx context.Context, e *invocation, args []string) error {
			if len(args) != 1 {
				if !e.app.Interactive || !e.app.StdoutTerminal {
					return usageErr("switch: name the account (handle or DID), or - for the previous one")
				}
				return runPick(ctx, e)
			}
			return runSwitch(ctx, switchOptions{account: args[0]}, e)
		},
	}
}

// switchOptions: the account to make active, or "-" for the previous one.
type switchOptions struct{ account string }

// runSwitch makes the account the saved active one.
func runSwitch(ctx context.Context, opts switchOptions, e *invocation) error {
	a, err := e.mgr.Switch(ctx, opts.account)
	if err != nil {
		return err
	}
	e.warnings()
	fmt.Fprintf(e.stderr, "Active account: @%s (%s)\n", a.Handle, a.DID)
	if v := e.pinned(); v != "" {
		fmt.Fprintf(e.stderr, "Note: %s=%s still chooses the account in this shell (unset %s to follow the active one).\n", envAccount, v, envAccount)
	}
	return nil
}
