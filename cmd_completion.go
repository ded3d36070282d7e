package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// completionSpec is what a command's completion offers: its flags (as its
// --help lists them) and its one positional argument, saved handles and/or
// fixed words. Every command takes at most one positional argument.
type completionSpec struct {
	flags   []string
	handles bool
	words   []string
}

var completions = map[string]completionSpec{
	"login":      {flags: []string{"--service", "--identifier", "--password-stdin", "--auth-factor-token"}},
	"list":       {flags: []string{"--json", "--handles"}},
	"switch":     {handles: true, words: []string{"-"}},
	"status":     {flags: []string{"--json", "--account"}, handles: true},
	"token":      {flags: []string{"--account"}, handles: true},
	"refresh":    {flags: []string{"--all", "--account"}, handles: true},
	"logout":     {flags: []string{"--all"}, handles: true},
	"env":        {flags: []string{"--shell", "--unset", "--account"}, handles: true},
	"completion": {words: shells},
	"move-aside": {},
	"secrets":    {words: []string{"file", "keyring"}},
}

// Flags that take a value, and what completes it: handles for --account,
// the shells for --shell, nothing for the others (free text).
var valueFlags = []string{"--account", "--shell", "--service", "--identifier", "--auth-factor-token"}

// globalFlags' names, offered before the command.
var topFlags = []string{"--account", "--demo", "--help", "--version"}

var shells = []string{"bash", "zsh", "fish"}

// completionOrder is the commands in the usage's order (a test holds it to
// commands, which cannot be read here: it refers to this file's code).
var completionOrder = []string{"login", "list", "switch", "status", "token", "refresh", "logout", "env", "completion", "move-aside", "secrets"}

// topWords are the commands, then the aliases that take no flags.
func topWords() []string {
	return append(slices.Clone(completionOrder), "help", "version")
}

func (c *cli) completion(_ context.Context, args []string) error {
	fs := newFlags("completion", "bash|zsh|fish")
	rest, err := c.flags(fs, args, 1)
	if err != nil {
		return err
	}
	var script string
	switch first(rest) {
	case "bash":
		script = bashCompletion()
	case "zsh":
		script = zshCompletion()
	case "fish":
		script = fishCompletion()
	default:
		return usageErr("completion: name the shell: bash, zsh or fish")
	}
	_, err = fmt.Fprint(c.stdout, script)
	return err
}

// sortedCommands are the commands, in the usage's order.
func sortedCommands() []string { return completionOrder }

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
// ignore its errors: a completion never prints anything of its own.

// caseScript fills the slots of a bash or zsh script: the value flags, the
// shells, and the case arms that complete, per command, its flags
// (@DASHCASES@) and its argument (@WORDCASES@). add is how the shell offers
// words: "_skyswitch_add" or "compadd --".
func caseScript(script, add string) string {
	offer := func(words []string) string { return add + " " + strings.Join(words, " ") }
	var dashCases, wordCases strings.Builder
	fmt.Fprintf(&dashCases, "\t\t'') %s ;;\n", offer(topFlags))
	fmt.Fprintf(&wordCases, "\t'') %s ;;\n", offer(topWords()))
	for _, name := range sortedCommands() {
		spec := completions[name]
		dash, other := split(spec.words)
		var flagActs []string
		if len(spec.flags) > 0 {
			flagActs = append(flagActs, offer(spec.flags))
		}
		if len(dash) > 0 {
			flagActs = append(flagActs, "((args == 0)) && "+offer(dash))
		}
		if len(flagActs) > 0 {
			fmt.Fprintf(&dashCases, "\t\t%s) %s ;;\n", name, strings.Join(flagActs, "; "))
		}
		var acts []string
		if spec.handles {
			acts = append(acts, "_skyswitch_handles")
		}
		if len(other) > 0 {
			acts = append(acts, offer(other))
		}
		if len(acts) > 0 {
			fmt.Fprintf(&wordCases, "\t%s) %s ;;\n", name, strings.Join(acts, "; "))
		}
	}
	return strings.NewReplacer(
		"@VALUEFLAGS@", strings.Join(slices.Concat(valueFlags, []string{"-account"}), "|"),
		"@SHELLS@", strings.Join(shells, " "),
		"@DASHCASES@", dashCases.String(),
		"@WORDCASES@", wordCases.String(),
	).Replace(script)
}

func bashCompletion() string { return caseScript(bashScript, "_skyswitch_add") }

const bashScript = `# bash completion for skyswitch: commands, flags and saved handles.
# Load it with   source <(skyswitch completion bash)   in ~/.bashrc, or save
# it as ~/.local/share/bash-completion/completions/skyswitch.

# _skyswitch_add offers the words that start with what is typed.
_skyswitch_add() {
	local w
	for w in "$@"; do
		[[ $w == "$cur"* ]] && COMPREPLY+=("$w")
	done
}

# _skyswitch_handles offers the saved handles, with @ when it is typed.
_skyswitch_handles() {
	local h prefix= bin=${COMP_WORDS[0]/#\~/$HOME}
	[[ $cur == @* ]] && prefix=@
	while IFS= read -r h; do
		[[ $prefix$h == "$cur"* ]] && COMPREPLY+=("$prefix$h")
	done < <("$bin" list --handles 2>/dev/null)
}

_skyswitch() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local cmd= args=0 i
	COMPREPLY=()
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		@VALUEFLAGS@|=) ((i++)) ;;
		-*) ;;
		*) if [[ -z $cmd ]]; then cmd=${COMP_WORDS[i]}; else ((args++)); fi ;;
		esac
	done
	case $prev in
	--account|-account) _skyswitch_handles; return 0 ;;
	--shell) _skyswitch_add @SHELLS@; return 0 ;;
	--service|--identifier|--auth-factor-token) return 0 ;;
	esac
	if [[ $cur == -* ]]; then
		case $cmd in
@DASHCASES@		esac
		return 0
	fi
	((args > 0)) && return 0
	case $cmd in
@WORDCASES@	esac
	return 0
}

complete -F _skyswitch skyswitch
`

func zshCompletion() string { return caseScript(zshScript, "compadd --") }

const zshScript = `#compdef skyswitch
# zsh completion for skyswitch: commands, flags and saved handles.
# Load it with   source <(skyswitch completion zsh)   in ~/.zshrc after
# compinit, or save it as _skyswitch in a directory of $fpath.

# _skyswitch_handles offers the saved handles, with @ when it is typed.
_skyswitch_handles() {
	local -a handles
	handles=(${(f)"$(${~words[1]} list --handles 2>/dev/null)"})
	[[ $PREFIX == @* ]] && handles=(${handles/#/@})
	(( $#handles )) && compadd -- $handles
}

_skyswitch() {
	local cmd= args=0 i
	for ((i = 2; i < CURRENT; i++)); do
		case ${words[i]} in
		@VALUEFLAGS@) ((i++)) ;;
		-*) ;;
		*) if [[ -z $cmd ]]; then cmd=${words[i]}; else ((args++)); fi ;;
		esac
	done
	case ${words[CURRENT-1]} in
	--account|-account) _skyswitch_handles; return ;;
	--shell) compadd -- @SHELLS@; return ;;
	--service|--identifier|--auth-factor-token) return ;;
	esac
	if [[ $PREFIX == -* ]]; then
		case $cmd in
@DASHCASES@		esac
		return
	fi
	((args > 0)) && return
	case $cmd in
@WORDCASES@	esac
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
	_skyswitch "$@"
else
	compdef _skyswitch skyswitch
fi
`

func fishCompletion() string {
	var b strings.Builder
	b.WriteString(fishScript)
	fmt.Fprintf(&b, "complete -c skyswitch -n 'not __skyswitch_cmd' -f -a '%s'\n", strings.Join(topWords(), " "))
	for _, f := range topFlags {
		line := fmt.Sprintf("complete -c skyswitch -n 'not __skyswitch_cmd' -l %s", strings.TrimPrefix(f, "--"))
		if f == "--account" {
			line += " -x -a '(__skyswitch_handles)'"
		}
		b.WriteString(line + "\n")
	}
	for _, name := range sortedCommands() {
		spec := completions[name]
		cond := "__skyswitch_using " + name
		for _, f := range spec.flags {
			line := fmt.Sprintf("complete -c skyswitch -n '%s' -l %s", cond, strings.TrimPrefix(f, "--"))
			switch {
			case f == "--account":
				line += " -x -a '(__skyswitch_handles)'"
			case f == "--shell":
				line += " -x -a '" + strings.Join(shells, " ") + "'"
			case slices.Contains(valueFlags, f):
				line += " -x"
			}
			b.WriteString(line + "\n")
		}
		if spec.handles {
			fmt.Fprintf(&b, "complete -c skyswitch -n '%s; and __skyswitch_no_arg' -f -a '(__skyswitch_handles)'\n", cond)
		}
		if len(spec.words) > 0 {
			fmt.Fprintf(&b, "complete -c skyswitch -n '%s; and __skyswitch_no_arg' -f -a '%s'\n", cond, strings.Join(spec.words, " "))
		}
	}
	return b.String()
}

const fishScript = `# fish completion for skyswitch: commands, flags and saved handles.
# Load it with   skyswitch completion fish | source   or save it as
# ~/.config/fish/completions/skyswitch.fish.

# __skyswitch_words prints the words typed before the cursor, less the
# program and the flags with their values.
function __skyswitch_words
    set -l words (commandline -opc)
    set -e words[1]
    while set -q words[1]
        switch $words[1]
            case --account -account --shell --service --identifier --auth-factor-token
                set -e words[1]
            case '-*'
            case '*'
                echo -- $words[1]
        end
        set -e words[1]
    end
end

# __skyswitch_cmd prints the command typed, if any.
function __skyswitch_cmd
    set -l words (__skyswitch_words)
    set -q words[1]; or return 1
    echo -- $words[1]
end

function __skyswitch_using
    contains -- (__skyswitch_cmd) $argv
end

# __skyswitch_no_arg: the command has no argument yet.
function __skyswitch_no_arg
    set -l words (__skyswitch_words)
    test (count $words) -le 1
end

function __skyswitch_handles
    set -l bin (commandline -opc)[1]
    test -n "$bin"; or set bin skyswitch
    command $bin list --handles 2>/dev/null
end

complete -c skyswitch -f
`
