package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/skyswitch/skyswitch/auth"
)

func envCommand() command {
	opts := envOptions{shell: "bash"}
	return command{
		name: "env", args: "[<account>] [--shell bash|zsh|fish|powershell] [--unset]",
		summary: "print the shell command that pins this shell to an account",
		flags: []flagSpec{
			stringFlag(&opts.shell, "", "shell", "the shell whose syntax to print: bash, zsh, sh, fish or powershell").completing(shells()...),
			boolFlag(&opts.unset, "", "unset", "print the command that removes the pin instead"),
		},
		maxArgs: 1, handles: true, override: true,
		run: func(ctx context.Context, e *invocation, args []string) error {
			opts.account = arg(args)
			switch opts.shell {
			case "bash", "zsh", "sh", "fish", "powershell":
			default:
				return usageErr("env: --shell is bash, zsh, sh, fish or powershell, not %q", opts.shell)
			}
			return runEnv(ctx, opts, e)
		},
	}
}

// envOptions: the account named as argument, if any; the shell whose
// syntax to print; --unset.
type envOptions struct {
	account, shell string
	unset          bool
}

// runEnv prints the shell command that pins the current shell to an
// account, for eval "$(skyswitch env @work.example)". The variable holds
// the DID, which stays the same when the handle changes; a comment names
// the handle for people reading the output. A DID from the file that is
// not one is refused, never printed.
func runEnv(ctx context.Context, opts envOptions, e *invocation) error {
	if err := e.refuseClosedStdout("env", "the shell command"); err != nil {
		return err
	}
	if opts.unset {
		if opts.account != "" || e.account != "" {
			return usageErr("env: give an account or --unset, not both")
		}
		_, err := fmt.Fprintln(e.stdout, unsetLine(opts.shell))
		return err
	}
	_, a, _, err := e.loadChosen(ctx, opts.account)
	if err != nil {
		return err
	}
	if !auth.ValidDID(a.DID) {
		// As the switcher's s: the shell would run what the file holds
		// (PowerShell's Invoke-Expression takes each line on its own, so
		// a newline ends the quotes).
		return fmt.Errorf("env: the DID saved for @%s is malformed: nothing printed", a.Handle)
	}
	_, err = fmt.Fprint(e.stdout, envLines(a.Handle, a.DID, opts.shell))
	return err
}

// envLines is what env prints for an account: one line, the export and a
// comment naming the handle (PowerShell's # starts one too). One line, so
// that an unquoted eval $(skyswitch env …), which joins lines, still runs
// the export. The comment is left out when the handle is not a valid one,
// so that nothing from the file can end it.
func envLines(handle, did, shell string) string {
	var line string
	switch shell {
	case "fish":
		line = fmt.Sprintf("set -gx %s %s", envAccount, fishQuote(did))
	case "powershell":
		line = fmt.Sprintf("$env:%s = %s", envAccount, psQuote(did))
	default:
		line = fmt.Sprintf("export %s=%s", envAccount, shQuote(did))
	}
	if auth.ValidHandle(handle) {
		line += "  # @" + handle
	}
	return line + "\n"
}

func unsetLine(shell string) string {
	switch shell {
	case "fish":
		return "set -e " + envAccount
	case "powershell":
		return "$env:" + envAccount + " = $null"
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
