package cli

// What the completion scripts ask of the lexicon table (internal/lexicon):
// `skyswitch __complete nsids PREFIX` prints the NSIDs that start with
// PREFIX, `skyswitch __complete fields NSID` the method's parameters as
// name=, one a line. The word is no command of the table: the usage, help,
// man page and completion do not list it, as cobra hides its __complete.

import (
	"fmt"
	"strings"

	"github.com/skyswitch/skyswitch/internal/lexicon"
)

// completeWord is the hidden word the scripts call.
const completeWord = "__complete"

// completeLexicon prints what a script asked for; nothing for an NSID the
// table does not hold.
func (e *invocation) completeLexicon(args []string) error {
	if len(args) != 2 {
		return usageErr("%s nsids PREFIX | fields NSID", completeWord)
	}
	var words []string
	switch args[0] {
	case "nsids":
		words = lexicon.NSIDs(args[1])
	case "fields":
		words = fieldWords(args[1])
	default:
		return usageErr("%s nsids PREFIX | fields NSID", completeWord)
	}
	if len(words) == 0 {
		return nil
	}
	_, err := fmt.Fprintln(e.stdout, strings.Join(words, "\n"))
	return err
}

// fieldWords are the parameters -f and -F can give the method: its query
// parameters, then its JSON input's properties, each once, as name=.
func fieldWords(nsid string) []string {
	m, ok := lexicon.Lookup(nsid)
	if !ok {
		return nil
	}
	var words []string
	seen := map[string]bool{}
	for _, p := range append(append([]lexicon.Param(nil), m.Params...), m.Body...) {
		if !seen[p.Name] {
			seen[p.Name] = true
			words = append(words, p.Name+"=")
		}
	}
	return words
}
