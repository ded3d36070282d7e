package cli

// Tests of the command line's GNU-style flags: --name value, --name=value,
// -X value, -Xvalue, one-letter bools together, -- ending the flags, -a for
// --account, the long names of gh's short flags, and one-dash long names
// refused with the two-dash one suggested.

import (
	"net/http"
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// api's flags each way gh spells them reach the request.
func TestAPIFlagsGNUStyle(t *testing.T) {
	t.Parallel()
	e, alice := apiWorld(t, fakepds.Options{})
	for _, args := range [][]string{
		{"--method", "POST", "--raw-field", "repo=" + alice.DID},
		{"--method=POST", "--raw-field=repo=" + alice.DID},
		{"-XPOST", "-frepo=" + alice.DID},
		{"-X=POST", "-f", "repo=" + alice.DID},
		{"-X", "post", "--field", "repo=" + alice.DID},
	} {
		got := lastTo(t, e, nsidDescribeRepo, args...)
		if got.Method != http.MethodPost || !strings.Contains(string(got.Body), `"repo":"`+alice.DID+`"`) {
			t.Errorf("%q: %s %q, want a POST with repo in the body", args, got.Method, got.Body)
		}
	}
	if got := lastTo(t, e, nsidDescribeRepo, "--field", "repo=123"); got.Method != http.MethodGet || got.Query.Get("repo") != "123" {
		t.Errorf("--field repo=123: %s %v", got.Method, got.Query)
	}
	for _, args := range [][]string{{"--include"}, {"-i"}, {"-iq", ".handle"}, {"--include", "--jq=.handle"}} {
		r := e.run("", append(append([]string{"api"}, args...), nsidGetSession)...)
		wantCode(t, r, exitOK)
		if !strings.HasPrefix(r.stdout, "HTTP 200 OK\n") {
			t.Errorf("%q: no status first:\n%s", args, r)
		}
		if strings.Contains(strings.Join(args, " "), "handle") && !strings.HasSuffix(r.stdout, "\nalice.test\n") {
			t.Errorf("%q: --jq not applied:\n%s", args, r)
		}
	}
}

// -a is --account's short form, before the command and among an override
// command's flags, each way a value is given.
func TestAccountShortFlag(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	alice, _, _ := threeSaved(e)
	for _, args := range [][]string{
		{"-a", "alice.test", "status", "--json"},
		{"-aalice.test", "status", "--json"},
		{"-a=alice.test", "status", "--json"},
		{"status", "-a", "alice.test", "--json"},
		{"status", "--json", "-a", alice.DID},
		{"status", "--json", "--account=alice.test"},
	} {
		if did, source := statusOf(t, e.run("", args...)); did != alice.DID || source != sourceFlag {
			t.Errorf("%q: %s from %s, want alice from the flag", args, did, source)
		}
	}
	for _, cmd := range table() {
		if !cmd.override {
			continue
		}
		r := e.run("", cmd.name, "-a", "nobody.test", "--help")
		if !strings.Contains(r.stdout, "\n  -a, --account account ") {
			t.Errorf("%s --help does not list -a, --account:\n%s", cmd.name, r)
		}
	}
	wantError(t, e.run("", "token", "-a", "nobody.test"), exitNoSession, "--account: nobody.test")
	wantError(t, e.run("", "-a", "alice.test", "list"), exitUsage, "not to list")
	if r := e.run("", "list", "-a", "alice.test"); !strings.HasPrefix(r.stderr, "skyswitch: list: unknown flag -a\n") {
		t.Errorf("list -a: %s", r)
	}
	wantError(t, e.run("", "-a"), exitUsage, "--account needs a handle or DID")
	wantError(t, e.run("", "status", "-a"), exitUsage, "--account needs a handle or DID")
}

// A one-dash long name (Go's flag package took them) is a usage error
// that suggests the two-dash one: read as letters, -account would be
// -a ccount.
func TestOneDashLongNamesAreRefused(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	threeSaved(e)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-account", "alice.test", "status"}, "skyswitch: unknown flag -account\nDid you mean this? --account\nRun 'skyswitch --help' for usage.\n"},
		{[]string{"-account=alice.test", "status"}, "skyswitch: unknown flag -account\nDid you mean this? --account\nRun 'skyswitch --help' for usage.\n"},
		{[]string{"status", "-account", "alice.test"}, "skyswitch: status: unknown flag -account\nDid you mean this? --account\nRun 'skyswitch status --help' for usage.\n"},
		{[]string{"list", "-json"}, "skyswitch: list: unknown flag -json\nDid you mean this? --json\nRun 'skyswitch list --help' for usage.\n"},
		{[]string{"api", "-paginate", "x"}, "skyswitch: api: unknown flag -paginate\nDid you mean this? --paginate\nRun 'skyswitch api --help' for usage.\n"},
		{[]string{"api", "-Z", "x"}, "skyswitch: api: unknown flag -Z\nRun 'skyswitch api --help' for usage.\n"},
		{[]string{"api", "-iZ", "x"}, "skyswitch: api: unknown flag -Z\nRun 'skyswitch api --help' for usage.\n"},
		{[]string{"api", "-X"}, "skyswitch: api: flag needs an argument: -X\nRun 'skyswitch api --help' for usage.\n"},
		{[]string{"api", "--max-pages", "many", "x"}, "skyswitch: api: --max-pages: wants a whole number\nRun 'skyswitch api --help' for usage.\n"},
	} {
		r := e.run("", tc.args...)
		wantCode(t, r, exitUsage)
		if r.stderr != tc.want || r.stdout != "" {
			t.Errorf("%q: want stderr\n%s\ngot %s", tc.args, tc.want, r)
		}
	}
}

// -- ends the flags: what follows is an argument, dashes and all; a bool
// takes =true or =false; -h among one-letter flags is help.
func TestFlagsEndAndBools(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	alice, _, carol := threeSaved(e)
	if did, _ := statusOf(t, e.run("", "status", "--json", "--", "alice.test")); did != alice.DID {
		t.Errorf("status --json -- alice.test: %s", did)
	}
	wantError(t, e.run("", "status", "--", "--json"), exitNoSession, "--json")
	wantError(t, e.run("", "list", "--", "--json"), exitUsage, "too many arguments")
	if r := e.run("", "status", "--json=false"); strings.HasPrefix(r.stdout, "{") || !strings.Contains(r.stdout, "@carol.test") {
		t.Errorf("status --json=false printed JSON or not carol:\n%s", r)
	}
	if did, _ := statusOf(t, e.run("", "status", "--json=true")); did != carol.DID {
		t.Errorf("status --json=true: %s", did)
	}
	if r := e.run("", "api", "-ih"); r.code != exitOK || !strings.HasPrefix(r.stdout, "Usage: skyswitch api ") {
		t.Errorf("api -ih is not api's help: %s", r)
	}
}

// The scripts' hidden word prints the lexicon's NSIDs and a method's
// parameters; the usage, help and completion do not name it.
func TestCompleteLexiconWord(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"__complete", "nsids", "com.atproto.repo.describ"}, "com.atproto.repo.describeRepo\n"},
		{[]string{"__complete", "fields", "com.atproto.repo.getRecord"}, "repo=\ncollection=\nrkey=\ncid=\n"},
		{[]string{"__complete", "fields", "com.example.unknown"}, ""},
		{[]string{"__complete", "nsids", "zzz"}, ""},
	} {
		r := e.run("", tc.args...)
		wantCode(t, r, exitOK)
		if r.stdout != tc.want || r.stderr != "" {
			t.Errorf("%q: %s, want %q", tc.args, r, tc.want)
		}
	}
	wantCode(t, e.run("", "__complete", "bogus", "x"), exitUsage)
	for _, args := range [][]string{{"--help"}, {"completion", "bash"}, {"man"}} {
		if r := e.run("", args...); strings.Contains(r.stdout, "__complete nsids") && args[0] != "completion" || strings.Contains(r.stdout, "_skyswitch_add __complete") {
			t.Errorf("%q names the hidden word:\n%s", args, r.stdout)
		}
	}
}
