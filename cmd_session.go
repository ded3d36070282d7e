package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
)

func (c *cli) token(ctx context.Context, args []string) error {
	fs := newFlags("token", "[--account <account>] [<account>]")
	c.accountFlag(fs)
	rest, err := c.flags(fs, args, 1)
	if err != nil {
		return err
	}
	ident, source := c.choose(first(rest))
	a, err := c.mgr.Token(ctx, ident, accounts.TokenMinLeft)
	if err != nil {
		err = fromOverride(err, source)
		if errors.Is(err, accounts.ErrNoAccount) || errors.Is(err, accounts.ErrSessionEnded) {
			return &exitError{exitNoSession, err}
		}
		return err
	}
	c.warnings()
	_, err = fmt.Fprintln(c.stdout, a.AccessJwt)
	return err
}

func (c *cli) refresh(ctx context.Context, args []string) error {
	return c.eachAccount(ctx, "refresh", args, true, func(ident string) error {
		a, err := c.mgr.Refresh(ctx, ident)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stderr, "Refreshed @%s: access token valid for %s.\n", a.Handle, left(a.AccessExpiry(), c.clock()))
		return nil
	})
}

func (c *cli) logout(ctx context.Context, args []string) error {
	return c.eachAccount(ctx, "logout", args, false, func(ident string) error {
		res, err := c.mgr.Logout(ctx, ident)
		if err != nil {
			return err
		}
		a := res.Account
		if res.Queued {
			fmt.Fprintf(c.stderr, "Removed @%s here, but its server could not be reached to revoke the session (%v); skyswitch will retry.\n", a.Handle, res.Err)
		} else {
			fmt.Fprintf(c.stderr, "Logged out @%s: the session is revoked on its server.\n", a.Handle)
		}
		if exp := res.AccessValidUntil; c.clock().Before(exp) {
			fmt.Fprintf(c.stderr, "Its current access token stays valid until %s (access tokens cannot be revoked).\n", exp.Local().Format(time.Kitchen))
		}
		if res.Queued {
			return &exitError{exitFailure, fmt.Errorf("revocation of @%s is pending", a.Handle)}
		}
		return nil
	})
}

// eachAccount runs fn for the named account, the active one, or --all,
// after retrying the logouts still owed to a server (refresh and logout
// talk to servers anyway). With override, --account and SKYSWITCH_ACCOUNT
// choose the account when none is named; without, a command that would
// otherwise act on the saved active account while SKYSWITCH_ACCOUNT pins
// the shell to another asks for the account's name instead of guessing.
func (c *cli) eachAccount(ctx context.Context, name string, args []string, override bool, fn func(ident string) error) error {
	usage := "[<account> | --all]"
	if override {
		usage = "[--account <account>] " + usage
	}
	fs := newFlags(name, usage)
	all := fs.Bool("all", false, "every saved account")
	if override {
		c.accountFlag(fs)
	}
	rest, err := c.flags(fs, args, 1)
	if err != nil {
		return err
	}
	if *all && (len(rest) > 0 || c.account != "") {
		return usageErr("%s: give an account or --all, not both", name)
	}
	ident, source := first(rest), sourceArgument
	switch {
	case *all:
	case override:
		ident, source = c.choose(ident)
	case ident == "" && c.pinned() != "":
		return usageErr("%s: %s is set (to %s), so name the account: skyswitch %s <account>", name, envAccount, c.pinned(), name)
	}
	c.retryPending(ctx)
	if !*all {
		err := fromOverride(fn(ident), source)
		c.warnings()
		return err
	}
	st, err := c.mgr.Load(ctx)
	if err != nil {
		return err
	}
	var failed []error
	for _, a := range st.Accounts {
		if err := fn(a.DID); err != nil {
			fmt.Fprintf(c.stderr, "skyswitch: @%s: %s\n", a.Handle, sentence(err, c.clock()))
			failed = append(failed, err)
		}
	}
	c.warnings()
	if len(failed) > 0 {
		return &exitError{exitFailure, fmt.Errorf("%s failed for %d of %d accounts", name, len(failed), len(st.Accounts))}
	}
	return nil
}

// retryPending tries owed revocations again; failures stay queued quietly.
func (c *cli) retryPending(ctx context.Context) {
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if n, _, err := c.mgr.RetryPendingLogouts(rctx); err == nil && n > 0 {
		fmt.Fprintf(c.stderr, "Revoked %d session(s) whose logout was pending.\n", n)
	}
}

func first(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}
