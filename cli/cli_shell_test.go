package cli

// Tests of the shell integration with real shells: the output of
// `skyswitch env` evaluated by bash and fish, and the completion scripts
// loaded by bash, zsh and fish, against the built binary and the fake PDS.

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// shellWorld is the binary with alice and bob saved (bob active).
type shellWorld struct {
	p          *procEnv
	alice, bob fakepds.Account
}

func newShellWorld(t *testing.T) *shellWorld {
	t.Helper()
	srv := newProcServer(t, fakepds.Options{})
	w := &shellWorld{
		alice: srv.AddAccount(fakepds.Account{Handle: "alice.test", Email: "alice@example.com", Password: testPassword}),
		bob:   srv.AddAccount(fakepds.Account{Handle: "bob.test", Email: "bob@example.com", Password: testPassword}),
	}
	w.p = newProcEnv(t, srv)
	w.p.login("alice.test")
	w.p.login("bob.test")
	return w
}

// shell runs script with a shell (skipped when it is not installed), the
// binary first on PATH and SKYSWITCH_ACCOUNT unset unless extra sets it.
func (w *shellWorld) shell(t *testing.T, shell string, extra []string, args ...string) (stdout, stderr string) {
	t.Helper()
	path := lookTool(t, shell, "the "+shell+" integration tests (its form is also tested as text in TestEnvCommand)")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = append(w.p.environ(), "PATH="+filepath.Dir(w.p.bin)+string(os.PathListSeparator)+os.Getenv("PATH"))
	cmd.Env = append(cmd.Env, extra...)
	cmd.Dir = w.p.config
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %q: %v\nstdout: %s\nstderr: %s", shell, args, err, out.String(), errb.String())
	}
	return out.String(), errb.String()
}

// wantPinned checks the output of a script that printed the variable and
// then ran status --json in the same shell.
func wantPinned(t *testing.T, out, did string) {
	t.Helper()
	first, rest, _ := strings.Cut(out, "\n")
	if first != did {
		t.Fatalf("SKYSWITCH_ACCOUNT = %q, want %q\n%s", first, did, out)
	}
	var st map[string]any
	if err := json.Unmarshal([]byte(rest), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, rest)
	}
	if st["did"] != did || st["activeSource"] != "env" || st["active"] != false {
		t.Errorf("status in the pinned shell: did %v activeSource %v active %v", st["did"], st["activeSource"], st["active"])
	}
}

func TestShellEnvEvalBash(t *testing.T) {
	t.Parallel()
	w := newShellWorld(t)
	for _, eval := range []string{`eval "$(skyswitch env @alice.test)"`, `eval $(skyswitch env alice.test)`} {
		out, _ := w.shell(t, "bash", nil, "-c", eval+` && printf '%s\n' "$SKYSWITCH_ACCOUNT" && skyswitch status --json`)
		wantPinned(t, out, w.alice.DID)
	}
	out, _ := w.shell(t, "bash", []string{"SKYSWITCH_ACCOUNT=" + w.alice.DID}, "-c",
		`eval "$(skyswitch env --unset)" && printf '%s\n' "${SKYSWITCH_ACCOUNT-unset}" && skyswitch status --json`)
	if !strings.HasPrefix(out, "unset\n") || !strings.Contains(out, `"activeSource": "saved"`) || !strings.Contains(out, w.bob.DID) {
		t.Errorf("after env --unset:\n%s", out)
	}
	// A pin naming no saved account fails (exit 4) rather than fall back.
	out, errOut := w.shell(t, "bash", []string{"SKYSWITCH_ACCOUNT=nobody.test"}, "-c", `skyswitch token; echo "exit $?"`)
	if out != "exit 4\n" || !strings.Contains(errOut, "SKYSWITCH_ACCOUNT: nobody.test is not a saved account") {
		t.Errorf("token under an unknown pin: stdout %q stderr %q", out, errOut)
	}
}

func TestShellEnvEvalFish(t *testing.T) {
	t.Parallel()
	w := newShellWorld(t)
	for _, load := range []string{`skyswitch env --shell fish @alice.test | source`, `eval (skyswitch env --shell fish alice.test)`} {
		out, _ := w.shell(t, "fish", nil, "--no-config", "-c", load+`; and printf '%s\n' $SKYSWITCH_ACCOUNT; and skyswitch status --json`)
		wantPinned(t, out, w.alice.DID)
	}
	out, _ := w.shell(t, "fish", []string{"SKYSWITCH_ACCOUNT=" + w.alice.DID}, "--no-config", "-c",
		`skyswitch env --unset --shell fish | source; set -q SKYSWITCH_ACCOUNT; or echo unset`)
	if out != "unset\n" {
		t.Errorf("after env --unset in fish: %q", out)
	}
}

// In pwsh, where it is installed (not in Debian, so not in CI: the line is
// checked as text in TestEnvCommand and TestEnvQuoting).
func TestShellEnvEvalPowerShell(t *testing.T) {
	if _, err := exec.LookPath("pwsh"); err != nil {
		t.Skip("pwsh is not installed: env --shell powershell is checked as text only")
	}
	w := newShellWorld(t)
	out, _ := w.shell(t, "pwsh", nil, "-NoProfile", "-NonInteractive", "-Command",
		`skyswitch env --shell powershell @alice.test | Invoke-Expression; $env:SKYSWITCH_ACCOUNT; skyswitch status --json`)
	wantPinned(t, out, w.alice.DID)
	out, _ = w.shell(t, "pwsh", []string{"SKYSWITCH_ACCOUNT=" + w.alice.DID}, "-NoProfile", "-NonInteractive", "-Command",
		`skyswitch env --unset --shell powershell | Invoke-Expression; if ($null -eq $env:SKYSWITCH_ACCOUNT) { 'unset' }`)
	if out != "unset\n" {
		t.Errorf("after env --unset in pwsh: %q", out)
	}
}

// completeBash loads the script as a user would and asks _skyswitch what it
// offers for words (the last one is being typed).
const completeBash = `source <(skyswitch completion bash) || exit 1
complete -p skyswitch
COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
_skyswitch
printf '%s\n' "${COMPREPLY[@]}"`

func TestShellCompletionBash(t *testing.T) {
	t.Parallel()
	w := newShellWorld(t)
	for _, tc := range []struct {
		words []string
		want  string
	}{
		{[]string{"skyswitch", "token", ""}, "bob.test\nalice.test\n"},
		{[]string{"skyswitch", "switch", "a"}, "alice.test\n"},
		{[]string{"skyswitch", "status", "@b"}, "@bob.test\n"},
		{[]string{"skyswitch", "--account", ""}, "bob.test\nalice.test\n"},
		{[]string{"skyswitch", "--account", "alice.test", "to"}, "token\n"},
		{[]string{"skyswitch", "token", "alice.test", ""}, "\n"}, // one account at most
		{[]string{"skyswitch", "refresh", "--a"}, "--all\n--account\n"},
		{[]string{"skyswitch", "logout", "--y"}, "--yes\n"},
		{[]string{"skyswitch", "env", "--shell", "f"}, "fish\n"},
		{[]string{"skyswitch", "completion", ""}, "bash\nzsh\nfish\npowershell\n"},
		{[]string{"skyswitch", "lo"}, "login\nlogout\n"},
		{[]string{"skyswitch", "api", "-X", ""}, "GET\nPOST\n"},
		{[]string{"skyswitch", "api", "--pa"}, "--paginate\n"},
		{[]string{"skyswitch", "api", "-X", "GET", "--ma"}, "--max-pages\n"},
		{[]string{"skyswitch", "api", "--he"}, "--header\n"},
		{[]string{"skyswitch", "api", "-H", "Accept: x", "--pa"}, "--paginate\n"},
		{[]string{"skyswitch", "exec", "--a"}, "--account\n"},
		{[]string{"skyswitch", "-a", ""}, "bob.test\nalice.test\n"},
		{[]string{"skyswitch", "-a", "alice.test", "to"}, "token\n"},
		{[]string{"skyswitch", "status", "-a", "@a"}, "@alice.test\n"},
		{[]string{"skyswitch", "status", "-a", "alice.test", ""}, "bob.test\nalice.test\n"},
		{[]string{"skyswitch", "api", "--inc"}, "--include\n"},
		{[]string{"skyswitch", "api", "--me"}, "--method\n"},
		{[]string{"skyswitch", "api", "--method", ""}, "GET\nPOST\n"},
		{[]string{"skyswitch", "api", "--raw-field", "a=b", "--pa"}, "--paginate\n"},
		// bash splits --account=alice.test at the =.
		{[]string{"skyswitch", "--account", "=", "alice.test", "to"}, "token\n"},
		// api's NSIDs, and after -f/-F the method's parameters as name=.
		{[]string{"skyswitch", "api", "com.atproto.repo.describeR"}, "com.atproto.repo.describeRepo\n"},
		{[]string{"skyswitch", "api", "-X", "GET", "app.bsky.actor.getProf"}, "app.bsky.actor.getProfile\napp.bsky.actor.getProfiles\n"},
		{[]string{"skyswitch", "api", "com.atproto.repo.describeRepo", ""}, "\n"},
		{[]string{"skyswitch", "api", "com.atproto.repo.describeRepo", "-f", ""}, "repo=\n"},
		{[]string{"skyswitch", "api", "com.atproto.repo.listRecords", "-F", "c"}, "collection=\ncursor=\n"},
		{[]string{"skyswitch", "api", "com.atproto.repo.createRecord", "--raw-field", "r"}, "repo=\nrkey=\nrecord=\n"},
		{[]string{"skyswitch", "api", "--field", "rkey", "=", "x", "com.atproto.repo.createRecord", "--field", "v"}, "validate=\n"},
		{[]string{"skyswitch", "api", "com.atproto.repo.listRecords", "-f", "repo", "=", "x", "-f", "co"}, "collection=\n"},
		{[]string{"skyswitch", "api", "-f", ""}, "\n"},
		{[]string{"skyswitch", "api", "com.example.unknown", "-f", ""}, "\n"},
		// Short flags bundled GNU style: -iq EXPR takes the next word as
		// -q's value; -q.x and -X=GET (split at the = by bash) take none.
		{[]string{"skyswitch", "api", "-iq", ".x", "com.atproto.repo.getR"}, "com.atproto.repo.getRecord\n"},
		{[]string{"skyswitch", "api", "-iq", ".x", "com.atproto.repo.getRecord", "-f", ""}, "repo=\ncollection=\nrkey=\ncid=\n"},
		{[]string{"skyswitch", "api", "-iX", "GET", "com.atproto.repo.getR"}, "com.atproto.repo.getRecord\n"},
		{[]string{"skyswitch", "api", "-iX", "P"}, "POST\n"},
		{[]string{"skyswitch", "api", "com.atproto.repo.describeRepo", "-iF", ""}, "repo=\n"},
		{[]string{"skyswitch", "api", "-iq.x", "com.atproto.repo.getRecord", "-f", ""}, "repo=\ncollection=\nrkey=\ncid=\n"},
		{[]string{"skyswitch", "api", "-qi", "com.atproto.repo.getR"}, "com.atproto.repo.getRecord\n"},
		{[]string{"skyswitch", "api", "-iX", "=", "GET", "com.atproto.repo.getRecord", "-f", ""}, "repo=\ncollection=\nrkey=\ncid=\n"},
		{[]string{"skyswitch", "api", "--jq", "=", ".x", "com.atproto.repo.getR"}, "com.atproto.repo.getRecord\n"},
		// A method typed in quotes (bash keeps them in COMP_WORDS).
		{[]string{"skyswitch", "api", "'com.atproto.repo.describeRepo'", "-f", ""}, "repo=\n"},
		{[]string{"skyswitch", "api", `"com.atproto.repo.describeRepo"`, "-f", ""}, "repo=\n"},
		// -- ends the flags, as flags.go reads it: the method may follow
		// it, and every word after it is an argument, dashes and all, so
		// api -- NSID -f is two arguments (too many): no fields, no flags.
		// Before the command, -- is the command (unknown): nothing.
		{[]string{"skyswitch", "api", "--", "com.atproto.repo.getR"}, "com.atproto.repo.getRecord\n"},
		{[]string{"skyswitch", "api", "-X", "GET", "--", "com.atproto.repo.getR"}, "com.atproto.repo.getRecord\n"},
		{[]string{"skyswitch", "api", "--", "com.atproto.repo.getRecord", "-f", ""}, "\n"},
		{[]string{"skyswitch", "api", "-X", "GET", "--", "com.atproto.repo.getRecord", "-f", ""}, "\n"},
		{[]string{"skyswitch", "api", "--", "com.atproto.repo.getRecord", "--pa"}, "\n"},
		{[]string{"skyswitch", "api", "--", "-i", "com.atproto.repo.getR"}, "\n"},
		{[]string{"skyswitch", "--", "to"}, "\n"},
		{[]string{"skyswitch", "api", "-X", "--", "com.atproto.repo.getRecord", "-f", ""}, "repo=\ncollection=\nrkey=\ncid=\n"},
	} {
		out, errOut := w.shell(t, "bash", nil, append([]string{"-c", completeBash, "bash"}, tc.words...)...)
		if errOut != "" {
			t.Errorf("%q: stderr %q", tc.words, errOut)
		}
		loaded, offered, _ := strings.Cut(out, "\n")
		if loaded != "complete -F _skyswitch skyswitch" {
			t.Fatalf("not registered: %q", out)
		}
		if offered != tc.want {
			t.Errorf("%q: offered %q, want %q", tc.words, offered, tc.want)
		}
	}
}

func TestShellCompletionZsh(t *testing.T) {
	t.Parallel()
	w := newShellWorld(t)
	// compadd only works inside a completion widget: a stand-in prints what
	// it is given instead.
	script := `autoload -Uz compinit && compinit -u -D || exit 1
source <(skyswitch completion zsh) || exit 1
print -r -- "registered: $_comps[skyswitch]"
compadd() { local o=; while [[ $1 != -- ]]; do o+="$1,"; shift; done; shift; [[ -n $o ]] && print -r -- "options $o"; print -rl -- "$@" }
words=("$@"); CURRENT=$#; PREFIX=${words[CURRENT]}
_skyswitch`
	for _, tc := range []struct {
		words []string
		want  string
	}{
		{[]string{"skyswitch", "token", ""}, "bob.test\nalice.test\n"},
		{[]string{"skyswitch", "status", "@"}, "@bob.test\n@alice.test\n"},
		{[]string{"skyswitch", "env", "--shell", ""}, "bash\nzsh\nfish\n"},
		{[]string{"skyswitch", "api", "-X", ""}, "GET\nPOST\n"},
		{[]string{"skyswitch", "api", "-"}, "--paginate\n--slurp\n"},
		{[]string{"skyswitch", "api", "-"}, "-H\n--header\n"},
		{[]string{"skyswitch", "api", "-"}, "-i\n--include\n"},
		{[]string{"skyswitch", "api", "-"}, "-X\n--method\n"},
		{[]string{"skyswitch", "api", "-"}, "-a\n--account\n"},
		{[]string{"skyswitch", "-a", ""}, "bob.test\nalice.test\n"},
		{[]string{"skyswitch", "token", "-a", ""}, "bob.test\nalice.test\n"},
		{[]string{"skyswitch", "api", "com.atproto.repo.describeR"}, "com.atproto.repo.describeRepo\n"},
		{[]string{"skyswitch", "api", "app.bsky.actor.getProf"}, "app.bsky.actor.getProfile\napp.bsky.actor.getProfiles\n"},
		// A parameter completes with no space after its =.
		{[]string{"skyswitch", "api", "com.atproto.repo.listRecords", "-f", ""}, "options -S,,\nrepo=\ncollection=\nlimit=\ncursor=\nreverse=\n"},
		{[]string{"skyswitch", "api", "-X", "POST", "com.atproto.repo.createRecord", "--field", ""}, "\nrepo=\ncollection=\nrkey=\n"},
		// Short flags bundled GNU style: -iq EXPR takes the next word as
		// -q's value; -q.x, -X=GET and --jq=.x take none.
		{[]string{"skyswitch", "api", "-iq", ".x", "com.atproto.repo.getR"}, "com.atproto.repo.getRecord\n"},
		{[]string{"skyswitch", "api", "-iq", ".x", "com.atproto.repo.getRecord", "-f", ""}, "repo=\ncollection=\nrkey=\ncid=\n"},
		{[]string{"skyswitch", "api", "-iX", ""}, "GET\nPOST\n"},
		{[]string{"skyswitch", "api", "com.atproto.repo.describeRepo", "-iF", ""}, "repo=\n"},
		{[]string{"skyswitch", "api", "-iq.x", "com.atproto.repo.getRecord", "-f", ""}, "repo=\ncollection=\nrkey=\ncid=\n"},
		{[]string{"skyswitch", "api", "-iX=GET", "com.atproto.repo.getRecord", "-f", ""}, "repo=\ncollection=\nrkey=\ncid=\n"},
		{[]string{"skyswitch", "api", "--jq=.x", "com.atproto.repo.getR"}, "com.atproto.repo.getRecord\n"},
		{[]string{"skyswitch", "api", "'com.atproto.repo.describeRepo'", "-f", ""}, "repo=\n"},
		// -- ends the flags (flags.go): the method may follow it.
		{[]string{"skyswitch", "api", "--", "com.atproto.repo.getR"}, "com.atproto.repo.getRecord\n"},
		{[]string{"skyswitch", "api", "-X", "GET", "--", "com.atproto.repo.getR"}, "com.atproto.repo.getRecord\n"},
		{[]string{"skyswitch", "api", "-X", "--", "com.atproto.repo.getRecord", "-f", ""}, "repo=\ncollection=\nrkey=\ncid=\n"},
	} {
		out, errOut := w.shell(t, "zsh", nil, append([]string{"-f", "-c", script, "zsh"}, tc.words...)...)
		if errOut != "" {
			t.Errorf("%q: stderr %q", tc.words, errOut)
		}
		loaded, offered, _ := strings.Cut(out, "\n")
		if loaded != "registered: _skyswitch" {
			t.Fatalf("not registered: %q", out)
		}
		// The stand-in gets every candidate; zsh itself filters by PREFIX.
		if !strings.Contains(offered, tc.want) {
			t.Errorf("%q: offered %q, want %q among them", tc.words, offered, tc.want)
		}
	}
	// After --, every word is an argument, dashes and all: api -- NSID -f
	// is two arguments (too many), so nothing completes; before the
	// command, -- is the command (unknown).
	for _, words := range [][]string{
		{"skyswitch", "api", "--", "com.atproto.repo.getRecord", "-f", ""},
		{"skyswitch", "api", "-X", "GET", "--", "com.atproto.repo.getRecord", "-f", ""},
		{"skyswitch", "api", "--", "com.atproto.repo.getRecord", "-"},
		{"skyswitch", "api", "--", "-i", "com.atproto.repo.getR"},
		{"skyswitch", "--", "to"},
	} {
		out, errOut := w.shell(t, "zsh", nil, append([]string{"-f", "-c", script, "zsh"}, words...)...)
		if loaded, offered, _ := strings.Cut(out, "\n"); loaded != "registered: _skyswitch" || offered != "" || errOut != "" {
			t.Errorf("%q: offered %q (stderr %q), want nothing", words, out, errOut)
		}
	}
}

func TestShellCompletionFish(t *testing.T) {
	t.Parallel()
	w := newShellWorld(t)
	for _, tc := range []struct {
		line string
		want []string
	}{
		{"skyswitch token ", []string{"bob.test", "alice.test"}},
		{"skyswitch --account ", []string{"bob.test", "alice.test"}},
		{"skyswitch lo", []string{"login", "logout"}},
		{"skyswitch env --shell ", []string{"bash", "zsh", "fish", "powershell"}},
		{"skyswitch refresh --a", []string{"--all", "--account"}},
		{"skyswitch api -X ", []string{"GET", "POST"}},
		{"skyswitch api --pa", []string{"--paginate"}},
		{"skyswitch api --he", []string{"--header"}},
		{"skyswitch api -H 'Accept: x' --pa", []string{"--paginate"}},
		{"skyswitch exec --a", []string{"--account"}},
		{"skyswitch -a ", []string{"bob.test", "alice.test"}},
		{"skyswitch status -a ", []string{"bob.test", "alice.test"}},
		{"skyswitch -a alice.test to", []string{"token"}},
		{"skyswitch api --inc", []string{"--include"}},
		{"skyswitch api --method ", []string{"GET", "POST"}},
		{"skyswitch api com.atproto.repo.describeR", []string{"com.atproto.repo.describeRepo"}},
		{"skyswitch api -X GET app.bsky.actor.getProf", []string{"app.bsky.actor.getProfile", "app.bsky.actor.getProfiles"}},
		{"skyswitch api com.atproto.repo.describeRepo -f ", []string{"repo="}},
		{"skyswitch api com.atproto.repo.listRecords -f repo=x --raw-field c", []string{"collection=", "cursor="}},
		{"skyswitch api com.atproto.repo.createRecord -F v", []string{"validate="}},
		// Short flags bundled GNU style: -iq EXPR takes the next word as
		// -q's value; -q.x, -X=GET and --jq=.x take none.
		{"skyswitch api -iq .x com.atproto.repo.getR", []string{"com.atproto.repo.getRecord"}},
		{"skyswitch api -iq .x com.atproto.repo.getRecord -f ", []string{"repo=", "collection=", "rkey=", "cid="}},
		{"skyswitch api -iX ", []string{"GET", "POST"}},
		{"skyswitch api com.atproto.repo.describeRepo -iF ", []string{"repo="}},
		{"skyswitch api -iq.x com.atproto.repo.getRecord -f ", []string{"repo=", "collection=", "rkey=", "cid="}},
		{"skyswitch api -iX=GET com.atproto.repo.getRecord -f ", []string{"repo=", "collection=", "rkey=", "cid="}},
		{"skyswitch api --jq=.x com.atproto.repo.getR", []string{"com.atproto.repo.getRecord"}},
		{"skyswitch api 'com.atproto.repo.describeRepo' -f ", []string{"repo="}},
		// -- ends the flags, as flags.go reads it: the method may follow
		// it, and every word after it is an argument, dashes and all, so
		// api -- NSID -f is two arguments (too many): no fields, no flags.
		// Before the command, -- is the command (unknown): nothing.
		{"skyswitch api -- com.atproto.repo.getR", []string{"com.atproto.repo.getRecord"}},
		{"skyswitch api -X GET -- com.atproto.repo.getR", []string{"com.atproto.repo.getRecord"}},
		{"skyswitch api -- com.atproto.repo.getRecord -f ", nil},
		{"skyswitch api -X GET -- com.atproto.repo.getRecord -f ", nil},
		{"skyswitch api -- com.atproto.repo.getRecord --pa", nil},
		{"skyswitch api -- -i com.atproto.repo.getR", nil},
		{"skyswitch -- to", nil},
	} {
		out, errOut := w.shell(t, "fish", nil, "--no-config", "-c", `skyswitch completion fish | source; complete -C "$argv[1]"`, tc.line)
		if errOut != "" {
			t.Errorf("%q: stderr %q", tc.line, errOut)
		}
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			if l == "" {
				continue // nothing offered
			}
			cand, _, _ := strings.Cut(l, "\t") // fish adds a description after a tab
			got = append(got, cand)
		}
		slices.Sort(got) // fish sorts them its own way
		slices.Sort(tc.want)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q: offered %q, want %q", tc.line, got, tc.want)
		}
	}
}
