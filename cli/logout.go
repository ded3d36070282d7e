package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
)

func logoutCommand() command {
	opts := logoutOptions{eachOptions: eachOptions{name: "logout"}}
	return command{
		name: "logout", args: "[<account> | --all [--yes]]",
		summary: "revoke the session on the server and remove the account",
		flags: []flagSpec{
			allFlag(&opts.all),
			boolFlag(&opts.yes, "", "yes", "with --all: do not ask first (a terminal is asked; a script never is)"),
		},
		maxArgs: 1, handles: true,
		run: func(ctx context.Context, e *invocation, args []string) error {
			opts.account = arg(args)
			return runLogout(ctx, opts, e)
		},
	}
}

// logoutOptions: which accounts, and --yes.
type logoutOptions struct {
	eachOptions
	yes bool
}

// runLogout revokes the session of one account, or of every one, and
// removes it; a revocation the server could not take is queued. --all in
// a terminal asks first (confirmAll).
func runLogout(ctx context.Context, opts logoutOptions, e *invocation) error {
	only, err := e.confirmAll(ctx, opts)
	if err != nil {
		return err
	}
	opts.only = only
	return e.eachAccount(ctx, opts.eachOptions, func(w io.Writer, ident string) error {
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

// askNames is how many handles the question of logout --all names.
const askNames = 5

// errDeclined: the question was answered no (or not at all). Exit 2, as gh
// exits on a declined prompt (its exitCancel).
var errDeclined = &exitError{exitUsage, errors.New("logout --all: not confirmed; nothing was logged out")}

// confirmAll asks, for logout --all in a terminal without --yes, "Log out
// of N accounts (@a, @b, …)? [y/N]"; anything but y or yes declines. A
// script (no terminal) is never asked, and neither is a run that would
// fail anyway (--all with an account) or has nothing to log out. When it
// asked, it returns the DIDs of the accounts asked about: only they are
// logged out, not one logged in elsewhere while the question waited.
func (e *invocation) confirmAll(ctx context.Context, opts logoutOptions) ([]string, error) {
	if !opts.all || opts.yes || !e.app.Interactive || opts.account != "" || e.account != "" {
		return nil, nil
	}
	st, err := e.mgr.Load(ctx)
	if err != nil || len(st.Accounts) == 0 {
		return nil, err
	}
	var names []string
	for _, a := range st.Accounts[:min(len(st.Accounts), askNames)] {
		names = append(names, "@"+a.Handle)
	}
	if more := len(st.Accounts) - len(names); more > 0 {
		names = append(names, fmt.Sprintf("and %d more", more))
	}
	noun := "accounts"
	if len(st.Accounts) == 1 {
		noun = "account"
	}
	answer, err := e.prompt(fmt.Sprintf("Log out of %d %s (%s)? [y/N] ", len(st.Accounts), noun, strings.Join(names, ", ")))
	if a := strings.ToLower(answer); err != nil || a != "y" && a != "yes" {
		return nil, errDeclined
	}
	dids := make([]string, len(st.Accounts))
	for i, a := range st.Accounts {
		dids[i] = a.DID
	}
	return dids, nil
}
