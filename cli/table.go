package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
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
	flags          []flagSpec
	// maxArgs is how many positional arguments it takes (0 or 1).
	maxArgs int
	// rest: every word from its first argument on (or after "--") is an
	// argument, dashes and all: exec's command line.
	rest bool
	// What completes its argument: saved handles, fixed words, or both.
	handles bool
	words   []string
	// override: --account and SKYSWITCH_ACCOUNT choose the account it acts
	// on when none is named; it takes --account among its flags too.
	override bool
	// noStore: it never opens the accounts file.
	noStore bool
	run     func(ctx context.Context, e *invocation, p *parsed) error
}

// flagSpec is one flag of a command: a bool when value is "", else one that
// takes a value, completed by complete. A one-letter name is spelled with
// one dash (-X), as gh's; Go's flag package takes either.
type flagSpec struct {
	name, usage string
	// value is "string" for free text, "list" for text given any number of
	// times, "int" for a number, "account" for --account.
	value    string
	def      string // a string flag's default
	complete []string
	// alias is another name of the flag, given, listed and completed as
	// the flag itself: header, for gh's -H and --header.
	alias string
}

// accountSpec is the account flag, which override commands take among
// their own, and which completes with the saved handles.
func accountSpec() flagSpec {
	return flagSpec{name: "account", value: "account", usage: "the account to use (a handle or DID) instead of the active one"}
}

// table is the commands, in the usage's order. It is a function, not a
// variable: completion reads it, and it names completion.
func table() []command {
	return []command{
		loginCommand(), listCommand(), switchCommand(), statusCommand(), tokenCommand(),
		refreshCommand(), logoutCommand(), envCommand(), apiCommand(), execCommand(),
		promptCommand(), completionCommand(), moveAsideCommand(), secretsCommand(), manCommand(),
	}
}

// flagSet is the command's flags, as its --help lists them.
func (cmd *command) flagSet(e *invocation, p *parsed) *flag.FlagSet {
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	fs.Usage = func() {} // help and errors are cmd.help's and cmd.flagErr's
	for _, f := range cmd.cmdFlags() {
		switch f.value {
		case "":
			p.bools[f.name] = fs.Bool(f.name, false, f.usage)
		case "account":
			fs.Func(f.name, f.usage, e.setAccount)
		case "list":
			list := new([]string)
			p.lists[f.name] = list
			fs.Func(f.name, f.usage, func(v string) error { *list = append(*list, v); return nil })
		case "int":
			def, _ := strconv.Atoi(f.def)
			p.ints[f.name] = fs.Int(f.name, def, f.usage)
		default:
			p.strings[f.name] = fs.String(f.name, f.def, f.usage)
		}
		if f.alias != "" {
			fs.Var(fs.Lookup(f.name).Value, f.alias, aliasUsage(fs.Lookup(f.name), f))
		}
	}
	return fs
}

// aliasUsage is what --help says of f's alias: the same as f, with the
// name of f's value.
func aliasUsage(fl *flag.Flag, f flagSpec) string {
	usage := "the same as " + f.dashed()
	if value, _ := flag.UnquoteUsage(fl); value != "" {
		usage += " `" + value + "`"
	}
	return usage
}

// parsed is a command line parsed by a command's flags.
type parsed struct {
	bools   map[string]*bool
	strings map[string]*string
	lists   map[string]*[]string
	ints    map[string]*int
	args    []string
}

func (p *parsed) on(name string) bool       { return *p.bools[name] }
func (p *parsed) str(name string) string    { return *p.strings[name] }
func (p *parsed) list(name string) []string { return *p.lists[name] }
func (p *parsed) number(name string) int    { return *p.ints[name] }

// arg is the first positional argument, or "".
func (p *parsed) arg() string {
	if len(p.args) == 0 {
		return ""
	}
	return p.args[0]
}

// parse parses interleaved flags and arguments ("status @a --json").
// --help prints the command's help on stdout; a bad flag is one line and
// a hint on stderr, printed by Run.
func (cmd *command) parse(e *invocation, args []string) (*parsed, error) {
	p := &parsed{bools: map[string]*bool{}, strings: map[string]*string{}, lists: map[string]*[]string{}, ints: map[string]*int{}}
	fs := cmd.flagSet(e, p)
	fs.SetOutput(io.Discard) // the flag package would print the error too
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				cmd.help(e.stdout)
				return nil, err
			}
			return nil, cmd.flagErr(err)
		}
		if fs.NArg() == 0 {
			break
		}
		if cmd.rest {
			p.args = fs.Args()
			break
		}
		p.args = append(p.args, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(p.args) > cmd.maxArgs && !cmd.rest {
		return nil, withHint(cmd.name+": too many arguments", "", nil, cmd.name)
	}
	return p, nil
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
	}
	for _, cmd := range table() {
		if cmd.name == args[0] {
			return e.runCommand(ctx, &cmd, args[1:])
		}
	}
	return unknownCommand(args[0])
}

// runCommand checks the command may run as asked, parses its flags, opens
// the accounts file unless it needs none, and runs it.
func (e *invocation) runCommand(ctx context.Context, cmd *command, args []string) error {
	if e.account != "" && !cmd.override {
		return usageErr("--account applies to token, status, refresh, env, api, exec, prompt and the switcher, not to %s", cmd.name)
	}
	if !cmd.noStore {
		if err := e.open(); err != nil {
			return err
		}
	}
	p, err := cmd.parse(e, args)
	if err != nil {
		return err
	}
	return cmd.run(ctx, e, p)
}

func (e *invocation) usage(w io.Writer) {
	fmt.Fprintf(w, "skyswitch %s: switch between AT Protocol (Bluesky) accounts\n\nUsage:\n", e.app.Version)
	fmt.Fprintf(w, "  %-18s %s\n", "skyswitch", "open the account switcher")
	fmt.Fprintf(w, "  %s\n      %s\n", "skyswitch --account <account> [<command>]", "use an account for this command only (see below)")
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
Completion: source <(skyswitch completion bash) in ~/.bashrc (or zsh);
  skyswitch completion fish | source   in fish.
A rate-limited request (429) says when to try again; skyswitch never logs
in again by itself.
Tokens are kept in the accounts file unless "skyswitch secrets keyring"
moves them to the OS keyring; if it fails, they stay in the file and a
note says so.

Exit codes: 0 ok, 1 failure, 2 usage, 3 sign-in code required,
4 no usable session, 128+n interrupted by signal n (130 ctrl-c).
Accounts file: $XDG_CONFIG_HOME/skyswitch/accounts.json (usually ~/.config).
`
