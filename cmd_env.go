package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/skyswitch/skyswitch/auth"
)

// env prints the shell command that pins the current shell to an account,
// for eval "$(skyswitch env @work.example)". The variable holds the DID,
// which stays the same when the handle changes; a comment names the handle
// for people reading the output.
func (c *cli) env(ctx context.Context, args []string) error {
	fs := newFlags("env", "[<account>] [--shell bash|zsh|fish] [--unset]")
	shell := fs.String("shell", "bash", "the shell whose syntax to print: bash, zsh, sh or fish")
	unset := fs.Bool("unset", false, "print the command that removes the pin instead")
	c.accountFlag(fs)
	rest, err := c.flags(fs, args, 1)
	if err != nil {
		return err
	}
	fish := false
	switch *shell {
	case "bash", "zsh", "sh":
	case "fish":
		fish = true
	default:
		return usageErr("env: --shell is bash, zsh, sh or fish, not %q", *shell)
	}
	if *unset {
		if len(rest) > 0 || c.account != "" {
			return usageErr("env: give an account or --unset, not both")
		}
		_, err := fmt.Fprintln(c.stdout, unsetLine(fish))
		return err
	}
	st, err := c.mgr.Load(ctx)
	if err != nil {
		return err
	}
	c.warnings()
	ident, source := c.choose(first(rest))
	a, err := pick(st, ident, source)
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(c.stdout, envLines(a.Handle, a.DID, fish))
	return err
}

// envLines is what env prints for an account: one line, the export and a
// comment naming the handle. One line, so that an unquoted
// eval $(skyswitch env …), which joins lines, still runs the export. The
// comment is left out when the handle is not a valid one, so that nothing
// from the file can end it.
func envLines(handle, did string, fish bool) string {
	var line string
	if fish {
		line = fmt.Sprintf("set -gx %s %s", envAccount, fishQuote(did))
	} else {
		line = fmt.Sprintf("export %s=%s", envAccount, shQuote(did))
	}
	if auth.ValidHandle(handle) {
		line += "  # @" + handle
	}
	return line + "\n"
}

func unsetLine(fish bool) string {
	if fish {
		return "set -e " + envAccount
	}
	return "unset " + envAccount
}

// shQuote quotes s for bash, zsh and sh: inside single quotes nothing is
// special but the single quote, which is written by closing the quotes,
// adding an escaped quote and opening them again.
func shQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// fishQuote quotes s for fish: inside single quotes only \ and ' are
// special, and both are escaped with a backslash.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
