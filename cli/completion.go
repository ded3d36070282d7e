package cli

import (
	"context"
	_ "embed" // the scripts in completion/
	"fmt"
	"slices"
	"strings"
)

func completionCommand() command {
	return command{
		name: "completion", args: "bash|zsh|fish|powershell",
		summary: "print the shell completion script",
		maxArgs: 1, words: shells(), noStore: true,
		run: func(_ context.Context, e *invocation, args []string) error {
			return runCompletion(completionOptions{shell: arg(args)}, e)
		},
	}
}

// completionOptions: the shell whose script to print.
type completionOptions struct{ shell string }

// runCompletion prints the completion script of a shell.
func runCompletion(opts completionOptions, e *invocation) error {
	var script string
	switch opts.shell {
	case "bash":
		script = bashCompletion()
	case "zsh":
		script = zshCompletion()
	case "fish":
		script = fishCompletion()
	case "powershell":
		script = powershellCompletion()
	default:
		return usageErr("completion: name the shell: bash, zsh, fish or powershell")
	}
	_, err := fmt.Fprint(e.stdout, script)
	return err
}

// shells are the shells completion and env --shell name.
func shells() []string { return []string{"bash", "zsh", "fish", "powershell"} }

// topFlags are globalFlags' flag and the top-level words with dashes,
// offered before the command; --account completes with the handles.
func topFlags() []flagSpec {
	return []flagSpec{accountFlag(new(string)), {long: "demo"}, {long: "help", short: "h"}, {long: "version", short: "v"}}
}

// topWords are the commands, then the aliases that take no flags.
func topWords() []string {
	var words []string
	for _, cmd := range table() {
		words = append(words, cmd.name)
	}
	return append(words, "help", "version")
}

// cmdFlags are the command's flags: its own, then -a, --account (writing
// cmd.account) for the override commands, as --help lists them.
func (cmd *command) cmdFlags() []flagSpec {
	if cmd.override {
		return append(slices.Clone(cmd.flags), accountFlag(&cmd.account))
	}
	return cmd.flags
}

// valueFlags are the flags that take a value, each once: first those whose
// value completes (handles for --account, the shells for --shell), then
// the free-text ones, in the table's order.
func valueFlags() []flagSpec {
	var all []flagSpec
	seen := map[string]bool{}
	for _, f := range slices.Concat(topFlags(), allCmdFlags()) {
		if f.kind() != "" && !seen[f.long] {
			seen[f.long] = true
			all = append(all, f)
		}
	}
	slices.SortStableFunc(all, func(a, b flagSpec) int {
		return cmpBool(!a.completes(), !b.completes())
	})
	return all
}

func allCmdFlags() []flagSpec {
	var all []flagSpec
	for _, cmd := range table() {
		all = append(all, cmd.cmdFlags()...)
	}
	return all
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// shortBools are the one-letter flags that take no value (-i, -h, -v), as
// one word: the scripts drop them from the front of a bundle, so that -iq
// is read as -q (whose value is the next word) and -iq.x as -q.x (none). A
// letter that takes a value for any command is left out.
func shortBools() string {
	var bools []string
	values := map[string]bool{}
	for _, f := range valueFlags() {
		values[f.short] = true
	}
	for _, f := range slices.Concat(topFlags(), allCmdFlags()) {
		if f.short != "" && !values[f.short] && !slices.Contains(bools, f.short) {
			bools = append(bools, f.short)
		}
	}
	return strings.Join(bools, "")
}

// completes says whether a value flag's value completes with something.
func (f flagSpec) completes() bool { return f.from != "" || len(f.complete) > 0 }

// dashedAll are the spellings of the flags: -X, --method, --paginate, ….
func dashedAll(fs []flagSpec) []string {
	var names []string
	for _, f := range fs {
		names = append(names, f.names()...)
	}
	return names
}

// split separates words that start with a dash from the others.
func split(words []string) (dash, other []string) {
	for _, w := range words {
		if strings.HasPrefix(w, "-") {
			dash = append(dash, w)
		} else {
			other = append(other, w)
		}
	}
	return dash, other
}

// The scripts ask `skyswitch list --handles` for the handles each time, as
// the person typed the command (so ./skyswitch completes from itself), and
// `skyswitch __complete` for api's NSIDs and their parameters
// (completelexicon.go); they ignore its errors: a completion never prints
// anything of its own.

// caseScript fills the slots of a bash or zsh script: the value flags
// (@VALUEFLAGS@ to skip, @VALUECASES@ to complete), the one-letter bools
// (@SHORTBOOLS@, read off the front of a bundle), and the case arms that
// complete, per command, its flags (@DASHCASES@) and its argument
// (@WORDCASES@); each slot of a case arm is a comment line of its own
// (#@DASHCASES@), so that the file is a script shellcheck reads. add is
// how the shell offers words: "_skyswitch_add" or "compadd --"; ret is how a completion function returns.
func caseScript(script, add, ret string) string {
	offer := func(words []string) string { return add + " " + strings.Join(words, " ") }
	dashCases, wordCases := commandArms(offer)
	skip, valueCases := valueArms(offer, ret)
	return strings.NewReplacer(
		"@VALUEFLAGS@", strings.Join(skip, "|"),
		"@SHORTBOOLS@", shortBools(),
		"#@VALUECASES@\n", valueCases,
		"#@DASHCASES@\n", dashCases,
		"#@WORDCASES@\n", wordCases,
	).Replace(script)
}

// commandArms are the case arms that complete, per command (and before
// any), its flags and its argument.
func commandArms(offer func([]string) string) (dashCases, wordCases string) {
	var dash, word strings.Builder
	fmt.Fprintf(&dash, "\t\t'') %s ;;\n", offer(dashedAll(topFlags())))
	fmt.Fprintf(&word, "\t'') %s ;;\n", offer(topWords()))
	for _, cmd := range table() {
		dashWords, other := split(cmd.words)
		var flagActs []string
		if flags := cmd.cmdFlags(); len(flags) > 0 {
			flagActs = append(flagActs, offer(dashedAll(flags)))
		}
		if len(dashWords) > 0 {
			flagActs = append(flagActs, "((args == 0)) && "+offer(dashWords))
		}
		if len(flagActs) > 0 {
			fmt.Fprintf(&dash, "\t\t%s) %s ;;\n", cmd.name, strings.Join(flagActs, "; "))
		}
		var acts []string
		if cmd.handles {
			acts = append(acts, "_skyswitch_handles")
		}
		if cmd.nsids {
			acts = append(acts, "_skyswitch_nsids")
		}
		if len(other) > 0 {
			acts = append(acts, offer(other))
		}
		if len(acts) > 0 {
			fmt.Fprintf(&word, "\t%s) %s ;;\n", cmd.name, strings.Join(acts, "; "))
		}
	}
	return dash.String(), word.String()
}

// valueArms are the words that give a flag taking a value (-X, --method,
// …), which the scripts skip with their value, and the case arms that
// complete each value.
func valueArms(offer func([]string) string, ret string) (skip []string, cases string) {
	var b strings.Builder
	var free []string
	for _, f := range valueFlags() {
		skip = append(skip, f.names()...)
		switch {
		case f.from == "handles":
			fmt.Fprintf(&b, "\t%s) _skyswitch_handles; %s ;;\n", strings.Join(f.names(), "|"), ret)
		case f.from == "fields":
			fmt.Fprintf(&b, "\t%s) _skyswitch_fields; %s ;;\n", strings.Join(f.names(), "|"), ret)
		case len(f.complete) > 0:
			fmt.Fprintf(&b, "\t%s) %s; %s ;;\n", strings.Join(f.names(), "|"), offer(f.complete), ret)
		default:
			free = append(free, f.names()...)
		}
	}
	if len(free) > 0 {
		fmt.Fprintf(&b, "\t%s) %s ;;\n", strings.Join(free, "|"), ret)
	}
	return skip, b.String()
}

// The scripts, files that shellcheck reads as they are
// (shellcheck cli/completion/skyswitch.bash); caseScript and
// fishCompletion fill their @SLOTS@.
var (
	//go:embed completion/skyswitch.bash
	bashScript string
	//go:embed completion/skyswitch.zsh
	zshScript string
	//go:embed completion/skyswitch.fish
	fishScript string
)

func bashCompletion() string { return caseScript(bashScript, "_skyswitch_add", "return 0") }

func zshCompletion() string { return caseScript(zshScript, "compadd --", "return") }

func fishCompletion() string {
	var b strings.Builder
	var values []string
	for _, f := range valueFlags() {
		values = append(values, f.names()...)
	}
	b.WriteString(strings.NewReplacer("@VALUEFLAGS@", strings.Join(values, " "), "@SHORTBOOLS@", shortBools()).Replace(fishScript))
	fmt.Fprintf(&b, "complete -c skyswitch -n 'not __skyswitch_cmd' -f -a '%s'\n", strings.Join(topWords(), " "))
	for _, f := range topFlags() {
		b.WriteString(fishFlag("not __skyswitch_cmd", f))
	}
	for _, cmd := range table() {
		cond := "__skyswitch_using " + cmd.name
		for _, f := range cmd.cmdFlags() {
			b.WriteString(fishFlag(cond, f))
		}
		if cmd.handles {
			fmt.Fprintf(&b, "complete -c skyswitch -n '%s; and __skyswitch_no_arg' -f -a '(__skyswitch_handles)'\n", cond)
		}
		if cmd.nsids {
			fmt.Fprintf(&b, "complete -c skyswitch -n '%s; and __skyswitch_no_arg' -f -a '(__skyswitch_lexicon nsids)'\n", cond)
		}
		if len(cmd.words) > 0 {
			fmt.Fprintf(&b, "complete -c skyswitch -n '%s; and __skyswitch_no_arg' -f -a '%s'\n", cond, strings.Join(cmd.words, " "))
		}
	}
	return b.String()
}

// fishFlag is the fish completion of a flag under a condition: what its
// value completes with, if it takes one.
func fishFlag(cond string, f flagSpec) string {
	line := fmt.Sprintf("complete -c skyswitch -n '%s'", cond)
	if f.short != "" {
		line += " -s " + f.short
	}
	line += " -l " + f.long
	switch {
	case f.from == "handles":
		line += " -x -a '(__skyswitch_handles)'"
	case f.from == "fields":
		line += " -x -a '(__skyswitch_lexicon fields)'"
	case len(f.complete) > 0:
		line += " -x -a '" + strings.Join(f.complete, " ") + "'"
	case f.kind() != "":
		line += " -x"
	}
	return line + "\n"
}
