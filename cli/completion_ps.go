package cli

import (
	_ "embed" // completion/skyswitch.ps1
	"fmt"
	"strings"
)

// psScript is the PowerShell script; powershellCompletion fills its
// #@DATA@ line with the table.
//
//go:embed completion/skyswitch.ps1
var psScript string

// powershellCompletion is the PowerShell script: like the others it
// completes commands, their flags and arguments, the values of flags, and
// the saved handles, which it asks `skyswitch list --handles` for, and
// api's NSIDs and parameters, which it asks `skyswitch __complete` for.
func powershellCompletion() string {
	return strings.Replace(psScript, "\t#@DATA@\n", psData(), 1)
}

// psData is the table as PowerShell variables, one statement a line.
// bundled matches a bundle of one-letter flags led by those that take no
// value (-iq), which the script reads as its last letters (-q).
// valueFlags is an ordinal dictionary, not a hashtable literal, whose keys
// ignore case: -f and -F are two flags.
func psData() string {
	var b strings.Builder
	line := func(format string, a ...any) { fmt.Fprintf(&b, "\t"+format+"\n", a...) }
	line("$topWords = %s", psList(topWords()))
	line("$topFlags = %s", psList(dashedAll(topFlags())))
	line("$cmdFlags = @{}; $cmdDashWords = @{}; $cmdWords = @{}; $handleCommands = @(); $nsidCommands = @()")
	for _, cmd := range table() {
		dash, other := split(cmd.words)
		name := psQuote(cmd.name)
		line("$cmdFlags[%s] = %s; $cmdDashWords[%s] = %s; $cmdWords[%s] = %s",
			name, psList(dashedAll(cmd.cmdFlags())), name, psList(dash), name, psList(other))
		if cmd.handles {
			line("$handleCommands += %s", name)
		}
		if cmd.nsids {
			line("$nsidCommands += %s", name)
		}
	}
	line("$bundled = %s", psQuote("^-["+shortBools()+"]+(.+)$"))
	line("$valueFlags = [System.Collections.Generic.Dictionary[string, object]]::new([System.StringComparer]::Ordinal)")
	for _, f := range valueFlags() {
		value := psList(f.complete)
		if f.from != "" {
			value = psQuote("@" + f.from)
		}
		for _, p := range f.names() {
			line("$valueFlags[%s] = %s", psQuote(p), value)
		}
	}
	return b.String()
}

// psList is a PowerShell array of the words.
func psList(words []string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = psQuote(w)
	}
	return "@(" + strings.Join(quoted, ", ") + ")"
}

// psQuote is a single-quoted PowerShell string: nothing in it expands, and
// a quote is doubled (PowerShell takes the typographic quotes as quotes too).
func psQuote(s string) string {
	return "'" + strings.NewReplacer("'", "''", "‘", "‘‘", "’", "’’", "‚", "‚‚", "‛", "‛‛").Replace(s) + "'"
}
