package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// hinted is a usage error with what to do next, printed after it on
// stderr: a suggestion and where the usage is, each on its own line.
type hinted struct {
	err  error
	hint string
}

func (h *hinted) Error() string { return h.err.Error() }
func (h *hinted) Unwrap() error { return h.err }

// withHint makes a usage error of msg, with a "Did you mean this?" for
// the closest of suggest (if any is close) and where help is.
func withHint(msg string, typed string, suggest []string, helpCmd string) error {
	hint := ""
	if s := closest(typed, suggest); s != "" {
		hint = "Did you mean this? " + s + "\n"
	}
	hint += fmt.Sprintf("Run '%s --help' for usage.", strings.TrimSpace("skyswitch "+helpCmd))
	return &hinted{&exitError{exitUsage, errors.New(msg)}, hint}
}

// unknownCommand is dispatch's error for a word that names no command.
func unknownCommand(word string) error {
	words := topWords()
	return withHint(fmt.Sprintf("unknown command %q", word), word, words, "")
}

// closest is the candidate nearest typed, as cobra suggests: within two
// edits, or one typed is the start of; "" when none is.
func closest(typed string, candidates []string) string {
	best, bestD := "", 3
	if typed == "" {
		return ""
	}
	for _, c := range candidates {
		d := levenshtein(strings.ToLower(typed), strings.ToLower(c))
		if strings.HasPrefix(c, typed) && d > 2 {
			d = 2
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// levenshtein is the edit distance between a and b.
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// help prints the command's --help: its synopsis, what it does, and its
// flags GNU style (-H, --header key:value), as gh lists them.
func (cmd *command) help(w io.Writer) {
	args := cmd.helpArgs
	if args == "" {
		args = cmd.args
	}
	fmt.Fprintf(w, "Usage: %s\n\n%s\n", strings.TrimSpace("skyswitch "+cmd.name+" "+args), cmd.summary)
	flags := cmd.cmdFlags()
	if len(flags) == 0 {
		return
	}
	fmt.Fprint(w, "\nFlags:\n")
	names := make([]string, len(flags))
	width := 0
	for i, f := range flags {
		names[i] = f.helpName()
		width = max(width, len(names[i]))
	}
	for i, f := range flags {
		fmt.Fprintf(w, "  %-*s   %s\n", width, names[i], f.helpUsage())
	}
}

// helpName is how --help names the flag: "-H, --header key:value",
// "    --paginate".
func (f flagSpec) helpName() string {
	name := "    --" + f.long
	if f.short != "" {
		name = "-" + f.short + ", --" + f.long
	}
	if v := f.valueName(); v != "" {
		name += " " + v
	}
	return name
}

// valueName names the flag's value: the usage's `quoted` word, else its kind.
func (f flagSpec) valueName() string {
	if f.kind() == "" {
		return ""
	}
	if v, _, ok := quoted(f.usage); ok {
		return v
	}
	return f.kind()
}

// helpUsage is the usage without its quotes, with a default if it has one.
func (f flagSpec) helpUsage() string {
	usage := f.usage
	if v, i, ok := quoted(usage); ok {
		usage = usage[:i] + v + usage[i+len(v)+2:]
	}
	if f.def != "" {
		usage += fmt.Sprintf(" (default %s)", f.def)
	}
	return usage
}

// quoted is the usage's first `quoted` word and where it starts, as Go's
// flag package reads it.
func quoted(usage string) (string, int, bool) {
	i := strings.IndexByte(usage, '`')
	if i < 0 {
		return "", 0, false
	}
	j := strings.IndexByte(usage[i+1:], '`')
	if j < 0 {
		return "", 0, false
	}
	return usage[i+1 : i+1+j], i, true
}

// help prints the usage, or with a command's name its help, on stdout.
func (e *invocation) help(args []string) error {
	if len(args) == 0 {
		e.usage(e.stdout)
		return nil
	}
	for _, cmd := range table() {
		if cmd.name == args[0] {
			cmd.help(e.stdout)
			return nil
		}
	}
	return unknownCommand(args[0])
}
