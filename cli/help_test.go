package cli

import (
	"fmt"
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// Help goes to stdout and succeeds, whichever way it is asked for, so
// "skyswitch api --help | grep paginate" finds it; "help api" is api's.
func TestHelpOnStdout(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	for _, args := range [][]string{{"api", "--help"}, {"api", "-h"}, {"api", "-help"}, {"help", "api"}} {
		r := e.run("", args...)
		wantCode(t, r, exitOK)
		if !strings.HasPrefix(r.stdout, "Usage: skyswitch api ") || !strings.Contains(r.stdout, "\n      --paginate ") || r.stderr != "" {
			t.Errorf("%v: %s", args, r)
		}
		if strings.Contains(r.stdout, "Exit codes:") {
			t.Errorf("%v printed the top-level usage: %s", args, r)
		}
	}
	// The usage's notes name PowerShell beside the other shells.
	usage := e.run("", "--help").stdout
	for _, want := range []string{"skyswitch env --shell powershell @work.example | Invoke-Expression", "skyswitch completion powershell | Out-String | Invoke-Expression"} {
		if !strings.Contains(usage, want) {
			t.Errorf("the usage does not say %q:\n%s", want, usage)
		}
	}
	// gh's spelling: a short form beside its long one, a value named.
	r := e.run("", "api", "--help")
	for _, want := range []string{"\n  -H, --header key:value ", "\n  -X, --method method ", "\n      --max-pages n ", "(default 1000)",
		"\n  -i, --include ", "\n  -f, --raw-field key=value ", "\n  -F, --field key=value ", "\n  -q, --jq expression ", "\n  -a, --account account "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("api --help does not say %q:\n%s", want, r.stdout)
		}
	}
	// The bounds: what --input and -F @file read (maxInputBytes), what
	// --jq takes (maxJQBytes).
	input, jq := fmt.Sprintf("up to %d MiB", maxInputBytes>>20), fmt.Sprintf("up to %d MiB", maxJQBytes>>20)
	if n := strings.Count(r.stdout, input); n != 2 || !strings.Contains(r.stdout, jq) {
		t.Errorf("api --help does not say %q of --input and -F @file (%d said) and %q of --jq:\n%s", input, n, jq, r.stdout)
	}
}

// A usage error is one line and a hint on stderr, exit 2; never the usage.
func TestUsageErrorIsOneLineAndAHint(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"api", "--paginat", "x"}, "skyswitch: api: unknown flag --paginat\nDid you mean this? --paginate\nRun 'skyswitch api --help' for usage.\n"},
		{[]string{"api", "--hedaer", "a:b", "x"}, "skyswitch: api: unknown flag --hedaer\nDid you mean this? --header\nRun 'skyswitch api --help' for usage.\n"},
		{[]string{"api", "--zzzzzz", "x"}, "skyswitch: api: unknown flag --zzzzzz\nRun 'skyswitch api --help' for usage.\n"},
		{[]string{"lst"}, "skyswitch: unknown command \"lst\"\nDid you mean this? list\nRun 'skyswitch --help' for usage.\n"},
		{[]string{"tok"}, "skyswitch: unknown command \"tok\"\nDid you mean this? token\nRun 'skyswitch --help' for usage.\n"},
		{[]string{"move"}, "skyswitch: unknown command \"move\"\nDid you mean this? move-aside\nRun 'skyswitch --help' for usage.\n"},
		{[]string{"help", "lst"}, "skyswitch: unknown command \"lst\"\nDid you mean this? list\nRun 'skyswitch --help' for usage.\n"},
		{[]string{"frobnicate"}, "skyswitch: unknown command \"frobnicate\"\nRun 'skyswitch --help' for usage.\n"},
		{[]string{"list", "extra"}, "skyswitch: list: too many arguments\nRun 'skyswitch list --help' for usage.\n"},
	}
	for _, tc := range cases {
		r := e.run("", tc.args...)
		wantCode(t, r, exitUsage)
		if r.stderr != tc.want || r.stdout != "" {
			t.Errorf("%v: want stderr\n%s\ngot %s", tc.args, tc.want, r)
		}
	}
}

func TestClosest(t *testing.T) {
	t.Parallel()
	words := []string{"list", "login", "logout", "move-aside"}
	for typed, want := range map[string]string{"lst": "list", "logn": "login", "logot": "logout", "mov": "move-aside", "xyzzy": "", "": ""} {
		if got := closest(typed, words); got != want {
			t.Errorf("closest(%q) = %q, want %q", typed, got, want)
		}
	}
}
