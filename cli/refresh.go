package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/skyswitch/skyswitch/accounts"
)

func refreshCommand() command {
	opts := eachOptions{name: "refresh", override: true}
	return command{
		name: "refresh", args: "[<account> | --all]", helpArgs: "[--account <account>] [<account> | --all]",
		summary: "refresh tokens now",
		flags:   []flagSpec{allFlag(&opts.all)},
		maxArgs: 1, handles: true, override: true,
		run: func(ctx context.Context, e *invocation, args []string) error {
			opts.account = arg(args)
			return runRefresh(ctx, opts, e)
		},
	}
}

// runRefresh refreshes the tokens of one account, or of every one, and
// checks their handles both ways (a failed lookup fails nothing).
func runRefresh(ctx context.Context, opts eachOptions, e *invocation) error {
	return e.eachAccount(ctx, opts, func(w io.Writer, ident string) error {
		a, err := e.mgr.Refresh(ctx, ident)
		if err != nil {
			return err
		}
		// And its handle, both ways: refresh is the command that asks.
		vctx, cancel := context.WithTimeout(ctx, accounts.HandleLookupTimeout)
		defer cancel()
		_, _ = e.mgr.VerifyHandles(vctx, true, a.DID)
		fmt.Fprintf(w, "Refreshed @%s: access token valid for %s.\n", a.Handle, left(a.AccessExpiry(), e.clock()))
		return nil
	})
}
