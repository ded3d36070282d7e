package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/skyswitch/skyswitch/accounts"
)

func tokenCommand() command {
	return command{
		name: "token", args: "[<account>]", helpArgs: "[--account <account>] [<account>]",
		summary: "print a valid access token (refreshed if under 60 s left); not for OAuth sessions",
		maxArgs: 1, handles: true, override: true,
		run: func(ctx context.Context, e *invocation, args []string) error {
			return runToken(ctx, tokenOptions{account: arg(args)}, e)
		},
	}
}

// tokenOptions: the account named as argument, if any.
type tokenOptions struct{ account string }

// runToken prints the chosen account's access token, refreshed first when
// under accounts.TokenMinLeft is left. An OAuth session's token is bound
// to its DPoP key and useless elsewhere: it is refused (exit 1, nothing on
// stdout), with api and exec named.
func runToken(ctx context.Context, opts tokenOptions, e *invocation) error {
	if err := e.refuseClosedStdout("token", "the token"); err != nil {
		return err
	}
	ident, source := e.choose(opts.account)
	a, err := e.mgr.HandOut(ctx, ident, accounts.TokenMinLeft)
	if err != nil {
		err = fromOverride(err, source)
		if errors.Is(err, accounts.ErrNoAccount) || errors.Is(err, accounts.ErrSessionEnded) {
			return &exitError{exitNoSession, err}
		}
		return err
	}
	e.warnings()
	_, err = fmt.Fprintln(e.stdout, a.AccessJwt)
	return err
}
