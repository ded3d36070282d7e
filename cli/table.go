package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// command is one row of the table: what dispatch runs, what the usage and
// --help say, and what completion offers.
type command struct {
	name string
	// args is the usage's synopsis; helpArgs, when set, is --help's (it
	// names --account too).
	args, helpArgs string
	summary        string
	// flags write into the options the command's constructor made, which
	// run reads.
	flags []flagSpec
	// maxArgs is how many positional arguments it takes (0 or 1).
	maxArgs int
	// rest: every word from its first argument on (or after "--") is an
	// argument, dashes and all: exec's command line.
	rest bool
	// What completes its argument: saved handles, the lexicon's NSIDs,
	// fixed words, or some of them.
	handles, nsids bool
	words          []string
	// override: --account and SKYSWITCH_ACCOUNT choose the account it acts
	// on when none is named; it takes -a, --account among its flags too,
	// which writes account.
	override bool
	account  string
	// noStore: it never opens the accounts file.
	noStore bool
	// run runs it with its positional arguments, once its flags are set.
	run func(ctx context.Context, e *invocation, args []string) error
}

// table is the commands, in the usage's order. It is a function, not a
// variable: completion reads it, and it names completion; and each call
// makes each command's options afresh.
func table() []command {
	return []command{
		loginCommand(), listCommand(), switchCommand(), statusCommand(), tokenCommand(),
		refreshCommand(), logoutCommand(), envCommand(), apiCommand(), execCommand(),
		promptCommand(), completionCommand(), moveAsideCommand(), secretsCommand(), manCommand(),
	}
}

// arg is the first positional argument, or "".
func arg(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}

// parse sets the command's flags from its command line, flags and
// arguments interleaved ("status @a --json"), and returns its arguments.
// --help is errHelp; a bad flag is one line and a hint, printed by Run.
func (cmd *command) parse(args []string) ([]string, error) {
	words, err := flagParser{cmd.name, cmd.cmdFlags()}.parse(args, cmd.rest)
	if err != nil {
		return nil, err
	}
	if len(words) > cmd.maxArgs && !cmd.rest {
		return nil, withHint(cmd.name+": too many arguments", "", nil, cmd.name)
	}
	return words, nil
}

// dispatch runs one command line: the global flags, then the switcher, the
// top-level words, or the command the table names.
func (e *invocation) dispatch(ctx context.Context, args []string) error {
	args, err := e.globalFlags(args)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		return e.tui(ctx)
	}
	switch args[0] {
	case "-h", "--help", "help":
		return e.help(args[1:])
	case "--demo":
		if e.account != "" {
			return usageErr("--account does not apply to --demo (its accounts are made up)")
		}
		return e.demo(ctx)
	case "-v", "--version", "version":
		_, err := fmt.Fprintf(e.stdout, "skyswitch %s\n", e.app.Version)
		return err
	case completeWord:
		return e.completeLexicon(args[1:])
	}
	for _, cmd := range table() {
		if cmd.name == args[0] {
			return e.runCommand(ctx, &cmd, args[1:])
		}
	}
	return unknownCommand(args[0])
}

// runCommand checks the command may run as asked, parses its flags (its
// --help printed here), opens the accounts file unless it needs none, and
// runs it.
func (e *invocation) runCommand(ctx context.Context, cmd *command, args []string) error {
	if e.account != "" && !cmd.override {
		return usageErr("--account applies to token, status, refresh, env, api, exec, prompt and the switcher, not to %s", cmd.name)
	}
	words, err := cmd.parse(args)
	if errors.Is(err, errHelp) {
		cmd.help(e.stdout)
	}
	if err != nil {
		return err
	}
	if cmd.handles && len(words) > 0 && strings.TrimSpace(words[0]) == "" {
		// "$acct" unset in a script: no account, not the active one.
		return usageErr("%s: the account named is empty: give a handle or DID", cmd.name)
	}
	if !cmd.noStore {
		if err := e.open(); err != nil {
			return err
		}
	}
	if cmd.account != "" {
		e.account = cmd.account
	}
	return cmd.run(ctx, e, words)
}

func (e *invocation) usage(w io.Writer) {
	fmt.Fprintf(w, "skyswitch %s: switch between AT Protocol (Bluesky) accounts\n\nUsage:\n", e.app.Version)
	fmt.Fprintf(w, "  %-18s %s\n", "skyswitch", "open the account switcher")
	fmt.Fprintf(w, "  %s\n      %s\n", "skyswitch -a, --account <account> [<command>]", "use an account for this command only (see below)")
	fmt.Fprintf(w, "  %-18s %s\n", "skyswitch --demo", "try it on sandbox servers (nothing real is touched)")
	for _, cmd := range table() {
		fmt.Fprintf(w, "  %s\n      %s\n", strings.TrimSpace("skyswitch "+cmd.name+" "+cmd.args), cmd.summary)
	}
	fmt.Fprint(w, usageNotes)
}

const usageNotes = `
An <account> is a handle or DID, with or without a leading @; the default
is the active account. Run "skyswitch <command> --help" for its flags.

Which account token, status, refresh, env, api, exec, prompt and the switcher
use: the one named as argument, else --account, else $SKYSWITCH_ACCOUNT,
else the saved active account; an override never changes the saved one.
To pin a shell:
  eval "$(skyswitch env @work.example)"               (bash, zsh)
  skyswitch env --shell fish @work.example | source   (fish)
  skyswitch env --shell powershell @work.example | Invoke-Expression
Completion: source <(skyswitch completion bash) in ~/.bashrc (or zsh);
  skyswitch completion fish | source   in fish;
  skyswitch completion powershell | Out-String | Invoke-Expression
  in PowerShell's $PROFILE.
A rate-limited request (429) says when to try again; skyswitch never logs
in again by itself.
Tokens are kept in the accounts file unless "skyswitch secrets keyring"
moves them to the OS keyring; if it fails, they stay in the file and a
note says so.

Exit codes: 0 ok, 1 failure, 2 usage, 3 sign-in code required,
4 no usable session, 128+n interrupted by signal n (130 ctrl-c).
Accounts file: $XDG_CONFIG_HOME/skyswitch/accounts.json (~/.config on Linux
when it is unset); "skyswitch secrets" prints the one in use.
`
