package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The bash script, as `completion bash` prints it and as the embedded file
// holds it, has nothing shellcheck finds (CI installs shellcheck).
func TestShellcheckCompletionBash(t *testing.T) {
	t.Parallel()
	needTools(t, "shellcheck") // CI installs it
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Fatal(err)
	}
	for name, script := range map[string]string{"completion bash": bashCompletion(), "completion/skyswitch.bash": bashScript} {
		cmd := exec.Command(sc, "--shell=bash", "-")
		cmd.Stdin = strings.NewReader(script)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("shellcheck %s: %v\n%s", name, err, out)
		}
	}
}

// The PowerShell script in pwsh, where it is installed: TabExpansion2
// asks the registered completer, as the shell does at a Tab.
func TestShellCompletionPowerShell(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("pwsh"); err != nil {
		t.Skip("pwsh is not installed: the PowerShell script is checked as text only (TestPowerShellCompletionScript)")
	}
	w := newShellWorld(t)
	script := filepath.Join(t.TempDir(), "complete.ps1")
	err := os.WriteFile(script, []byte(`skyswitch completion powershell | Out-String | Invoke-Expression
$line = $args[0]
(TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object { $_.CompletionText }
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ line, want string }{
		{"skyswitch token ", "bob.test\nalice.test\n"},
		{"skyswitch status @b", "@bob.test\n"},
		{"skyswitch --account ", "bob.test\nalice.test\n"},
		{"skyswitch lo", "login\nlogout\n"},
		{"skyswitch env --shell f", "fish\n"},
		{"skyswitch refresh --a", "--all\n--account\n"},
		{"skyswitch api -X ", "GET\nPOST\n"},
		{"skyswitch api -H 'Accept: x' --pa", "--paginate\n"},
		{"skyswitch token alice.test ", ""},
		{"skyswitch -a ", "bob.test\nalice.test\n"},
		{"skyswitch status -a ", "bob.test\nalice.test\n"},
		{"skyswitch api --inc", "--include\n"},
		{"skyswitch api com.atproto.repo.describeR", "com.atproto.repo.describeRepo\n"},
		{"skyswitch api com.atproto.repo.describeRepo -f ", "repo=\n"},
		{"skyswitch api com.atproto.repo.listRecords -F c", "collection=\ncursor=\n"},
		{"skyswitch api -- com.atproto.repo.getR", "com.atproto.repo.getRecord\n"},
		{"skyswitch api -X GET -- com.atproto.repo.getR", "com.atproto.repo.getRecord\n"},
		{"skyswitch api -- com.atproto.repo.getRecord -f ", ""},
		{"skyswitch api -X GET -- com.atproto.repo.getRecord -f ", ""},
		{"skyswitch api -- com.atproto.repo.getRecord --pa", ""},
		{"skyswitch api -- -i com.atproto.repo.getR", ""},
		{"skyswitch -- to", ""},
		{"skyswitch api -X -- com.atproto.repo.getRecord -f r", "repo=\nrkey=\n"},
	} {
		out, errOut := w.shell(t, "pwsh", nil, "-NoProfile", "-NonInteractive", "-File", script, tc.line)
		if errOut != "" {
			t.Errorf("%q: stderr %q", tc.line, errOut)
		}
		if out != tc.want {
			t.Errorf("%q: offered %q, want %q", tc.line, out, tc.want)
		}
	}
}

// Without pwsh, the script is checked as text: its quotes and brackets
// close, it registers a native completer for skyswitch, and its table is
// the command table's: each command with its flags and words, each value
// flag with what completes it, the handles from `list --handles`.
func TestPowerShellCompletionScript(t *testing.T) {
	t.Parallel()
	script := powershellCompletion()
	if err := psBalanced(script); err != nil {
		t.Fatalf("%v\n%s", err, script)
	}
	for _, want := range []string{
		"Register-ArgumentCompleter -Native -CommandName skyswitch -ScriptBlock {",
		"& $bin list --handles 2>$null",
		"\t$topWords = " + psList(topWords()) + "\n",
		"\t$topFlags = " + psList(dashedAll(topFlags())) + "\n",
		// -a completes as --account does; api's letters have gh's names.
		"\t$valueFlags['-a'] = '@handles'\n",
		"\t$valueFlags['--method'] = @('GET', 'POST')\n",
		"'-i', '--include'",
		"'-f', '--raw-field', '-F', '--field'",
		// api's NSIDs and, after -f/-F, the method's parameters, from
		// `skyswitch __complete`.
		"\t$nsidCommands += 'api'\n",
		"\t$valueFlags['-F'] = '@fields'\n",
		"\t$valueFlags['--raw-field'] = '@fields'\n",
		"try { @(& $bin __complete $what $of 2>$null) } catch { }",
		"elseif ($value -eq '@fields') { if ($arg -ne '') { $offer = & $lexicon fields $arg } }",
		"if ($nsidCommands -contains $cmd) { $offer = & $lexicon nsids $wordToComplete }",
		// Short flags bundled GNU style: the bools before a letter that
		// takes a value are dropped, in the words and in the one before
		// the cursor, so -iq .x is -q's value .x, and -iF completes fields.
		"\t$bundled = '^-[" + shortBools() + "]+(.+)$'\n",
		"$w = $typed[$i] -creplace $bundled, '-$1'\n",
		"$prev = $typed[$typed.Count - 1] -creplace $bundled, '-$1' }",
		// After the command, -- ends the flags, as flags.go reads it: each
		// word after it is an argument, dashes and all (api -- NSID -f is
		// two: no fields, no flags); before the command, -- is the command.
		// A value flag takes -- as its value (-X --).
		"\t\t$w = $typed[$i] -creplace $bundled, '-$1'\n" +
			"\t\tif ($ended) { $w = $typed[$i] }\n" +
			"\t\telseif ($w -eq '--') { if ($cmd -eq '') { $cmd = $w }; $ended = $true; continue }\n" +
			"\t\telseif ($valueFlags.ContainsKey($w)) { $i++; continue }\n" +
			"\t\telseif ($w.StartsWith('-')) { continue }\n" +
			"\t\tif ($cmd -eq '') { $cmd = $w }\n",
		"if ($typed.Count -gt 1 -and -not $ended) { $prev = ",
		"elseif (-not $ended -and $wordToComplete.StartsWith('-')) {",
	} {
		if !strings.Contains(script, want) {
			t.Errorf("the script lacks %q", want)
		}
	}
	// The pattern (the other scripts' too) reads a bundle as its last
	// letters: PowerShell's regular expressions and Go's agree on it.
	// A letter that takes a value keeps what is glued to it (-qi is -q i).
	bundled := regexp.MustCompile("^-[" + shortBools() + "]+(.+)$")
	reads := map[string]string{"-iq": "-q", "-iq.x": "-q.x", "-iiX=GET": "-X=GET", "-iF": "-F",
		"-i": "-i", "-q": "-q", "--include": "--include", "-ia": "-a", "i": "i"}
	for _, f := range valueFlags() {
		if f.short != "" {
			reads["-"+f.short+"i"] = "-" + f.short + "i"
		}
	}
	for in, want := range reads {
		if got := bundled.ReplaceAllString(in, "-$1"); got != want {
			t.Errorf("%s is read as %s, want %s", in, got, want)
		}
	}
	if strings.Contains(script, "@DATA@") {
		t.Error("the table's slot is left in the script")
	}
	for _, cmd := range table() {
		dash, other := split(cmd.words)
		n := psQuote(cmd.name)
		want := fmt.Sprintf("\t$cmdFlags[%s] = %s; $cmdDashWords[%s] = %s; $cmdWords[%s] = %s\n",
			n, psList(dashedAll(cmd.cmdFlags())), n, psList(dash), n, psList(other))
		if !strings.Contains(script, want) {
			t.Errorf("%s: the script lacks %q", cmd.name, want)
		}
		if got := strings.Contains(script, "\t$handleCommands += "+n+"\n"); got != cmd.handles {
			t.Errorf("%s: completes handles %v, the table says %v", cmd.name, got, cmd.handles)
		}
	}
	for _, f := range valueFlags() {
		want := psList(f.complete)
		if f.from != "" {
			want = psQuote("@" + f.from)
		}
		for _, p := range f.names() {
			if line := "\t$valueFlags[" + psQuote(p) + "] = " + want + "\n"; !strings.Contains(script, line) {
				t.Errorf("the script lacks %q", line)
			}
		}
	}
}

func TestPSQuote(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"a": "'a'", "it's": "'it''s'", "$x `n": "'$x `n'", "a’b": "'a’’b'"} {
		if got := psQuote(in); got != want {
			t.Errorf("psQuote(%q) = %s, want %s", in, got, want)
		}
	}
	if err := psBalanced("@('it''s', { $x[0] }) # (\n"); err != nil {
		t.Errorf("balanced text refused: %v", err)
	}
	for _, bad := range []string{"@('a)", "{ (", "$x[0]]", "@('a'", "\"a"} {
		if psBalanced(bad) == nil {
			t.Errorf("psBalanced(%q) = nil, want an error", bad)
		}
	}
}

// psBalanced checks PowerShell text as far as it can without a parser:
// every string is closed (” and `" inside them are escapes) and every
// bracket closes the one it opened. A # outside strings starts a comment.
func psBalanced(s string) error {
	var open []rune
	closer := map[rune]rune{')': '(', ']': '[', '}': '{'}
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		switch c := rs[i]; c {
		case '#':
			for i < len(rs) && rs[i] != '\n' {
				i++
			}
		case '\'', '"':
			j := i + 1
			for ; j < len(rs); j++ {
				if c == '"' && rs[j] == '`' {
					j++
				} else if rs[j] == c {
					if j+1 < len(rs) && rs[j+1] == c {
						j++
						continue
					}
					break
				}
			}
			if j >= len(rs) {
				return fmt.Errorf("a string opened at %d is not closed", i)
			}
			i = j
		case '(', '[', '{':
			open = append(open, c)
		case ')', ']', '}':
			if len(open) == 0 || open[len(open)-1] != closer[c] {
				return fmt.Errorf("%q at %d closes nothing it opened", c, i)
			}
			open = open[:len(open)-1]
		}
	}
	if len(open) > 0 {
		return fmt.Errorf("%q not closed", string(open))
	}
	return nil
}
