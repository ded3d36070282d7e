package cli

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// renderRoff formats roff with groff's man macros, every warning on;
// skipped when groff is not installed, and failed then under CI, which
// installs groff-base.
func renderRoff(t *testing.T, page string) string {
	t.Helper()
	needTools(t, "groff") // apt-get install groff-base; CI installs it
	groff, err := exec.LookPath("groff")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(groff, "-man", "-Tutf8", "-ww")
	cmd.Stdin = strings.NewReader(page)
	cmd.Env = append(cmd.Environ(), "GROFF_NO_SGR=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil || errb.Len() > 0 {
		t.Fatalf("groff: %v\n%s", err, errb.String())
	}
	// Bold and underline are overstrikes (c\bc, _\bc) in -Tutf8 without SGR.
	text := out.Bytes()
	var plain []byte
	for i := 0; i < len(text); i++ {
		if i+1 < len(text) && text[i+1] == '\b' {
			i++
			continue
		}
		plain = append(plain, text[i])
	}
	return string(plain)
}

// `skyswitch man` prints a page groff formats without a warning, with its
// sections, every command of the table with its summary, and each
// command's flags.
func TestManPage(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	r := e.run("", "man")
	wantCode(t, r, exitOK)
	if r.stderr != "" || !strings.HasPrefix(r.stdout, ".TH SKYSWITCH 1 ") {
		t.Fatalf("man: %s", r)
	}
	page := renderRoff(t, r.stdout)
	for _, want := range []string{"NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "EXIT STATUS",
		"ENVIRONMENT", "SKYSWITCH_ACCOUNT", "XDG_CONFIG_HOME", "FILES", "accounts.json"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	flat := strings.Join(strings.Fields(page), " ")
	if !strings.Contains(flat, "SHELL the shell the switcher's s opens") {
		t.Errorf("the page does not say SHELL is the switcher's s's shell:\n%s", page)
	}
	if !strings.Contains(flat, "NO_COLOR when set to anything but empty, the switcher and prompt print no colours") {
		t.Errorf("the page does not say NO_COLOR turns the switcher's colours off too:\n%s", page)
	}
	for _, cmd := range table() {
		head := strings.TrimSpace("skyswitch " + cmd.name + " " + strings.Join(strings.Fields(cmd.args), " "))
		if !strings.Contains(flat, head+" "+strings.Join(strings.Fields(cmd.summary), " ")) {
			t.Errorf("the page lacks %q with its summary", head)
		}
		for _, f := range cmd.cmdFlags() {
			if names := strings.Join(f.names(), ", "); !strings.Contains(flat, names) {
				t.Errorf("%s: the page lacks %s", cmd.name, names)
			}
		}
	}
}

// Text that roff would take as requests or escapes prints as itself.
func TestRoffEscapes(t *testing.T) {
	t.Parallel()
	hostile := []string{".so /etc/passwd", "'br x", `a\fBb\\c`, "--all -", `"q"`}
	var page strings.Builder
	page.WriteString(".TH X 1 " + roffQuoted(`v"1\n`) + "\n.SH T\n")
	for _, s := range hostile {
		page.WriteString(".TP\n.B x\n" + roff(s) + "\n")
	}
	out := renderRoff(t, page.String())
	for _, s := range hostile {
		if !strings.Contains(out, s) {
			t.Errorf("%q is not printed as itself:\n%s", s, out)
		}
	}
}
