package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
)

func logoutCommand() command {
	return command{
		name: "logout", args: "[<account> | --all]",
		summary: "revoke the session on the server and remove the account",
		flags:   []flagSpec{allSpec()},
		maxArgs: 1, handles: true,
		run: func(ctx context.Context, e *env, p *parsed) error {
			return runLogout(ctx, eachOptions{name: "logout", account: p.arg(), all: p.on("all")}, e)
		},
	}
}

// runLogout revokes the session of one account, or of every one, and
// removes it; a revocation the server could not take is queued.
func runLogout(ctx context.Context, opts eachOptions, e *env) error {
	return e.eachAccount(ctx, opts, func(w io.Writer, ident string) error {
		res, err := e.mgr.Logout(ctx, ident)
		if err != nil {
			return err
		}
		sayLoggedOut(w, res, opts.all, e.clock())
		if res.Queued {
			return &exitError{exitFailure, fmt.Errorf("revocation of @%s is pending", res.Account.Handle)}
		}
		return nil
	})
}

// sayLoggedOut says what a logout did: revoked or queued, until when the
// access token stays valid, and who is active now if it was the active
// account.
func sayLoggedOut(w io.Writer, res accounts.LogoutResult, all bool, now time.Time) {
	a := res.Account
	if res.Queued {
		fmt.Fprintf(w, "Removed @%s here, but its server could not be reached to revoke the session (%v); skyswitch will retry.\n", a.Handle, res.Err)
	} else {
		fmt.Fprintf(w, "Logged out @%s: the session is revoked on its server.\n", a.Handle)
	}
	if exp := res.AccessValidUntil; now.Before(exp) {
		fmt.Fprintf(w, "Its current access token stays valid until %s (access tokens cannot be revoked).\n", accounts.ClockText(exp, now))
	}
	if res.WasActive {
		fmt.Fprintln(w, activeAfterLogout(res, all))
	}
}

// activeAfterLogout says who is active after logging out the active
// account: nobody (see storage.State.Remove), so commands that use the
// active account fail with exit 4 until one is chosen; and how to choose.
// With --all the others go too, so "switch -" is not offered.
func activeAfterLogout(res accounts.LogoutResult, all bool) string {
	switch {
	case res.Active != "":
		return fmt.Sprintf("@%s is the active account now.", res.ActiveHandle)
	case res.PreviousHandle != "" && !all:
		return fmt.Sprintf("No account is active now: skyswitch switch - makes @%s active again, skyswitch switch <account> picks another.", res.PreviousHandle)
	}
	return "No account is active now: skyswitch switch <account> picks one."
}
