package cli

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/internal/sanitize"
	"github.com/skyswitch/skyswitch/storage"
)

func promptCommand() command {
	opts, noColor := promptOptions{shell: "plain"}, false
	return command{
		name: "prompt", args: "[--shell bash|zsh|plain] [--no-color]",
		helpArgs: "[--account <account>] [--shell bash|zsh|plain] [--no-color]",
		summary:  "print @handle for a shell prompt, coloured by the time left (nothing when none is active)",
		flags: []flagSpec{
			stringFlag(&opts.shell, "", "shell", "wrap the colours for this shell's PS1: bash, zsh, or plain (fish, starship)").
				completing("bash", "zsh", "plain"),
			boolFlag(&noColor, "", "no-color", "print no colours (also when NO_COLOR is set)"),
		},
		override: true,
		run: func(ctx context.Context, e *invocation, _ []string) error {
			opts.color = !noColor && e.getenv("NO_COLOR") == ""
			switch opts.shell {
			case "bash", "zsh", "plain":
			default:
				return usageErr("prompt: --shell is bash, zsh or plain, not %q", opts.shell)
			}
			return runPrompt(ctx, opts, e)
		},
	}
}

// promptOptions: the shell whose PS1 the segment goes in, and whether to
// colour it.
type promptOptions struct {
	shell string
	color bool
}

// runPrompt prints the chosen account's handle for a prompt: the account
// that --account, SKYSWITCH_ACCOUNT or the saved active one chooses, as
// token would use it. It reads the accounts file only: it never refreshes
// and never looks anything up (a prompt runs before every command line).
// No account prints nothing; an override that names no saved account says
// so in red, since token would fail there.
func runPrompt(ctx context.Context, opts promptOptions, e *invocation) error {
	ident, source := e.choose("")
	a, others, ok, err := e.mgr.Store.LoadAccountClaims(ctx, ident)
	var text string
	var u accounts.Urgency
	switch {
	case errors.As(err, new(*storage.HandleError)):
		text, u = strings.TrimPrefix(ident, "@")+" (chooses none: use its DID)", accounts.Alarm
	case err != nil:
		return err
	case !ok && source == sourceSaved:
		return nil // nothing is active: print nothing
	case !ok:
		text, u = strings.TrimPrefix(ident, "@")+" (not saved)", accounts.Alarm
	default:
		text, u = promptText(a, len(others) > 0, e.clock())
		if a.SecretsErr() == nil {
			// A file that was open to others and is now tightened is
			// said once, by whichever command read it first. A keyring
			// that fails is said by the segment, not at every prompt.
			e.warnings()
		}
	}
	_, err = io.WriteString(e.app.Stdout, segment(sanitize.Line(text), u, opts))
	return err
}

// promptText is the account's segment and its urgency: the access token's
// time left graded as the switcher colours it (an OAuth session's by the
// nearer of its access token's expiry and its own end, which no refresh
// moves), and what stops the account from being used, in a word. shared:
// another saved account claims its handle.
func promptText(a *storage.Account, shared bool, now time.Time) (string, accounts.Urgency) {
	text := "@" + a.Handle
	if status, _ := a.HandleStatus(); shared || status == storage.HandleUnverified {
		text += "⚠" // as the switcher marks it: the handle chooses nothing
	}
	s := accounts.Summarize(*a, false, now)
	switch s.State {
	case accounts.StateEnded:
		return text + " (ended)", accounts.Alarm
	case accounts.StateKeyringUnreadable:
		return text + " (keyring)", accounts.Warning
	}
	exp := a.AccessExpiry() // zero when undecodable: expired, red
	if end := a.RefreshExpiry(); a.OAuth != nil && end.Before(exp) {
		exp = end
	}
	return text, accounts.UrgencyOf(exp.Sub(now))
}

// promptColors are the urgencies' colours: the terminal's own green,
// yellow (amber) and bold red, which every terminal and theme has.
var promptColors = map[accounts.Urgency]string{accounts.Calm: "32", accounts.Warning: "33", accounts.Alarm: "1;31"}

// segment colours text for the shell: its escapes are wrapped so that
// bash (\001 \002, what \[ \] become) or zsh (%{ %}) does not count them
// in the prompt's width; zsh's own % is doubled.
func segment(text string, u accounts.Urgency, opts promptOptions) string {
	open, shut := "", ""
	switch opts.shell {
	case "bash":
		open, shut = "\x01", "\x02"
	case "zsh":
		open, shut = "%{", "%}"
		text = strings.ReplaceAll(text, "%", "%%")
	}
	if !opts.color {
		return text + "\n"
	}
	return open + "\x1b[" + promptColors[u] + "m" + shut + text + open + "\x1b[0m" + shut + "\n"
}
