package cli

import (
	"context"
	"fmt"
	"io"
)

func refreshCommand() command {
	return command{
		name: "refresh", args: "[<account> | --all]", helpArgs: "[--account <account>] [<account> | --all]",
		summary: "refresh tokens now",
		flags:   []flagSpec{allSpec()},
		maxArgs: 1, handles: true, override: true,
		run: func(ctx context.Context, e *env, p *parsed) error {
			return runRefresh(ctx, eachOptions{name: "refresh", account: p.arg(), all: p.on("all"), override: true}, e)
		},
	}
}

// runRefresh refreshes the tokens of one account, or of every one.
func runRefresh(ctx context.Context, opts eachOptions, e *env) error {
	return e.eachAccount(ctx, opts, func(w io.Writer, ident string) error {
		a, err := e.mgr.Refresh(ctx, ident)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "Refreshed @%s: access token valid for %s.\n", a.Handle, left(a.AccessExpiry(), e.clock()))
		return nil
	})
}
