package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Every example in the README runs as written, as far as that can be
// known without a network and without anyone's accounts: each command of
// the README's ```sh blocks, and each `inline` example without a
// placeholder (<account>, [--json], …), is checked by what runs it.
//   - skyswitch …, and go run . …: the real dispatch and flag parser
//     accept it (the command exists, its flags and their fixed values, its
//     number of arguments): no usage error, exit 2.
//   - go test / run / build / vet / install: the packages exist, and each
//     -run or -bench names at least one test of its package.
//   - scripts/…, testdata/…, screenshots/…, .ci/…: the file is there and
//     executable.
//
// Other commands (curl, tar, eval, …) are the shell's.
func TestREADMEExamplesRun(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..")
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	examples := readmeExamples(root, string(readme))
	checked := 0
	for _, ex := range examples {
		for _, words := range shellCommands(ex) {
			if err := checkExample(root, words); err != nil {
				t.Errorf("README example %q: %v", ex, err)
			}
			if words[0] == "skyswitch" {
				checked++
			}
		}
	}
	// The extraction itself: it found the examples (a README without one
	// would pass the loop above).
	if checked < 30 {
		t.Errorf("found %d skyswitch commands in the README's examples, want at least 30:\n%s", checked, strings.Join(examples, "\n"))
	}
	for _, want := range []string{"scripts/test", "go run . --demo", "CGO_ENABLED=0 go install ."} {
		if !slices.ContainsFunc(examples, func(ex string) bool { return strings.HasPrefix(ex, want) }) {
			t.Errorf("the README's examples have no %q", want)
		}
	}
}

// The checks refuse what a newcomer would trip on, or the test above could
// not fail.
func TestREADMEExampleCheckRefuses(t *testing.T) {
	t.Parallel()
	for _, line := range []string{
		"skyswitch lst",
		"skyswitch status --jsn",
		"skyswitch env --shell fsh",
		"skyswitch secrets vault",
		"skyswitch status a b",
		"skyswitch --account @a list",
		"skyswitch help lst",
		"go run . --dmo",
		"go test ./cli -run TestNoSuchThing",
		"go test -run '^$' -bench NoSuchBench ./storage/",
		"go run ./scripts/no-such-tool",
		"scripts/no-such-script",
		"screenshots/README.md",
		"scripts/testsum",
		"go install github.com/skyswitch/skyswitch/nowhere@latest",
	} {
		cmds := shellCommands(line)
		if len(cmds) != 1 {
			t.Fatalf("%q: %d commands", line, len(cmds))
		}
		if err := checkExample("..", cmds[0]); err == nil {
			t.Errorf("%q passed the check", line)
		}
	}
}

// The shell reading finds every command where the README puts them.
func TestShellCommands(t *testing.T) {
	t.Parallel()
	for line, want := range map[string][][]string{
		`printf '%s\n' "$APP_PASSWORD" | skyswitch login --identifier a.b --password-stdin`: {
			{"printf", `%s\n`, "$APP_PASSWORD"}, {"skyswitch", "login", "--identifier", "a.b", "--password-stdin"}},
		`curl -H "Authorization: Bearer $(skyswitch token)" https://x/y`: {
			{"curl", "-H", "Authorization: Bearer $(skyswitch token)", "https://x/y"}, {"skyswitch", "token"}},
		`PS1='$(skyswitch prompt --shell bash) \w \$ '   # bash`: {{"skyswitch", "prompt", "--shell", "bash"}},
		`source <(skyswitch completion bash)     # in ~/.bashrc`: {
			{"source", "<(skyswitch completion bash)"}, {"skyswitch", "completion", "bash"}},
		`mkdir -p d && skyswitch man > d/skyswitch.1  # for man`: {{"mkdir", "-p", "d"}, {"skyswitch", "man"}},
		`function fish_right_prompt; skyswitch prompt; end`: {
			{"function", "fish_right_prompt"}, {"skyswitch", "prompt"}, {"end"}},
		`skyswitch api -f 'record[$type]=x' -f "at=$(date -u +%FT%TZ)" m.n`: {
			{"skyswitch", "api", "-f", "record[$type]=x", "-f", "at=$(date -u +%FT%TZ)", "m.n"}, {"date", "-u", "+%FT%TZ"}},
	} {
		if got := shellCommands(line); !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("%s\n got %q\nwant %q", line, got, want)
		}
	}
}

// readmeExamples is each line of the README's ```sh blocks (continued
// lines joined), and each `inline` span that starts with skyswitch, go,
// CGO_ENABLED=0 or a script's path and has no placeholder in it (a span
// that is only a folder's path names the folder).
func readmeExamples(root, readme string) []string {
	var out []string
	inSh, inOther := false, false
	var cont string
	for _, line := range strings.Split(readme, "\n") {
		switch {
		case !inSh && !inOther && strings.HasPrefix(line, "```sh"):
			inSh = true
		case !inSh && !inOther && strings.HasPrefix(line, "```"):
			inOther = true
		case strings.HasPrefix(line, "```"):
			inSh, inOther = false, false
		case inSh:
			if strings.HasSuffix(line, "\\") {
				cont += strings.TrimSuffix(line, "\\")
				continue
			}
			if l := strings.TrimSpace(cont + line); l != "" && !strings.HasPrefix(l, "#") {
				out = append(out, l)
			}
			cont = ""
		case !inOther:
			out = append(out, inlineExamples(root, line)...)
		}
	}
	return out
}

var (
	inlineSpan  = regexp.MustCompile("`([^`]+)`")
	inlineStart = regexp.MustCompile(`^(skyswitch|go|CGO_ENABLED=0 go|scripts/[a-z-]+|testdata/pds/run|screenshots/make)( |$)`)
)

func inlineExamples(root, line string) []string {
	var out []string
	for _, m := range inlineSpan.FindAllStringSubmatch(line, -1) {
		s := m[1]
		if !inlineStart.MatchString(s) || strings.ContainsAny(s, "<[…|") || s == "go" {
			continue
		}
		if st, err := os.Stat(filepath.Join(root, s)); err == nil && st.IsDir() {
			continue
		}
		out = append(out, s)
	}
	return out
}

// checkExample checks one simple command of an example, as the README's
// test says.
func checkExample(root string, words []string) error {
	switch name := words[0]; {
	case name == "skyswitch":
		return checkSkyswitch(words[1:])
	case name == "go":
		return checkGo(root, words[1:])
	case strings.Contains(name, "/") || strings.HasPrefix(name, "."):
		st, err := os.Stat(filepath.Join(root, name))
		if err != nil {
			return err
		}
		if st.IsDir() || st.Mode().Perm()&0o111 == 0 {
			return fmt.Errorf("%s is not an executable file", name)
		}
	}
	return nil
}

// checkSkyswitch runs args through what Run does before a command runs:
// the global flags, the top-level words, the table, --account's rule and
// the command's parser; then the fixed words a flag or argument takes.
func checkSkyswitch(args []string) error {
	e := &invocation{app: &App{Version: "readme"}, stdout: io.Discard, stderr: io.Discard}
	args, err := e.globalFlags(args)
	if err != nil || len(args) == 0 {
		return err
	}
	switch args[0] {
	case "-h", "--help", "help":
		return e.help(args[1:])
	case "--demo", "-v", "--version", "version":
		if len(args) > 1 {
			return fmt.Errorf("%s takes nothing after it", args[0])
		}
		return nil
	}
	i := slices.IndexFunc(table(), func(c command) bool { return c.name == args[0] })
	if i < 0 {
		return unknownCommand(args[0])
	}
	cmd := table()[i]
	if e.account != "" && !cmd.override {
		return fmt.Errorf("--account does not apply to %s", cmd.name)
	}
	words, err := cmd.parse(args[1:])
	if errors.Is(err, errHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, f := range cmd.cmdFlags() {
		if v, ok := f.value.(stringValue); ok && len(f.complete) > 0 && !slices.Contains(f.complete, *v.p) && *v.p != f.def {
			return fmt.Errorf("%s --%s %q: not one of %q", cmd.name, f.long, *v.p, f.complete)
		}
	}
	if len(cmd.words) > 0 && !cmd.handles && arg(words) != "" && !slices.Contains(cmd.words, arg(words)) {
		return fmt.Errorf("%s %q: not one of %q", cmd.name, arg(words), cmd.words)
	}
	return nil
}
