package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
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
	return c.eachAccount(ctx, "refresh", args, true, func(w io.Writer, ident string) error {
		a, err := c.mgr.Refresh(ctx, ident)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "Refreshed @%s: access token valid for %s.\n", a.Handle, left(a.AccessExpiry(), c.clock()))
		return nil
	})
}

func (c *cli) logout(ctx context.Context, args []string) error {
	return c.eachAccount(ctx, "logout", args, false, func(w io.Writer, ident string) error {
		res, err := c.mgr.Logout(ctx, ident)
		if err != nil {
			return err
		}
		a := res.Account
		if res.Queued {
			fmt.Fprintf(w, "Removed @%s here, but its server could not be reached to revoke the session (%v); skyswitch will retry.\n", a.Handle, res.Err)
		} else {
			fmt.Fprintf(w, "Logged out @%s: the session is revoked on its server.\n", a.Handle)
		}
		if exp := res.AccessValidUntil; c.clock().Before(exp) {
			fmt.Fprintf(w, "Its current access token stays valid until %s (access tokens cannot be revoked).\n", exp.Local().Format(time.Kitchen))
		}
		if res.Queued {
			return &exitError{exitFailure, fmt.Errorf("revocation of @%s is pending", a.Handle)}
		}
		return nil
	})
}

// eachAccount runs fn for the named account, the active one, or --all,
// after retrying the logouts still owed to a server (refresh and logout
// talk to servers anyway). fn writes what it has to say to w. With --all,
// up to allAtOnce accounts are handled at once, so servers that never
// answer cost about one timeout in all, not one each; what each says is
// printed in the saved order all the same. With override, --account and SKYSWITCH_ACCOUNT
// choose the account when none is named; without, a command that would
// otherwise act on the saved active account while SKYSWITCH_ACCOUNT pins
// the shell to another asks for the account's name instead of guessing.
func (c *cli) eachAccount(ctx context.Context, name string, args []string, override bool, fn func(w io.Writer, ident string) error) error {
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
		err := fromOverride(fn(c.stderr, ident), source)
		c.warnings()
		return err
	}
	st, err := c.mgr.Load(ctx)
	if err != nil {
		return err
	}
	failed := 0
	inOrder(len(st.Accounts), allAtOnce, func(i int, w io.Writer) error {
		return fn(w, st.Accounts[i].DID)
	}, func(i int, out []byte, err error) {
		c.stderr.Write(out)
		if err != nil {
			fmt.Fprintf(c.stderr, "skyswitch: @%s: %s\n", st.Accounts[i].Handle, sentence(err, c.clock()))
			failed++
		}
	})
	c.warnings()
	if failed > 0 {
		return &exitError{exitFailure, fmt.Errorf("%s failed for %d of %d accounts", name, failed, len(st.Accounts))}
	}
	return nil
}

// allAtOnce is how many accounts refresh --all and logout --all handle at
// once.
const allAtOnce = 8

// inOrder runs work(i) for i in [0, n), up to limit at once, and calls
// done for each in order of i as soon as it and all before it have ended,
// with what work wrote and its error.
func inOrder(n, limit int, work func(i int, w io.Writer) error, done func(i int, out []byte, err error)) {
	type result struct {
		out bytes.Buffer
		err error
		end chan struct{}
	}
	results := make([]result, n)
	slots := make(chan struct{}, limit)
	for i := range results {
		results[i].end = make(chan struct{})
		go func() {
			slots <- struct{}{}
			defer func() { <-slots; close(results[i].end) }()
			results[i].err = work(i, &results[i].out)
		}()
	}
	for i := range results {
		<-results[i].end
		done(i, results[i].out.Bytes(), results[i].err)
	}
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
