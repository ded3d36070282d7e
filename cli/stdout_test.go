//go:build unix

package cli

// Commands whose standard output is closed, or fails: none ends 0 as if
// it had printed. A closed stdout becomes /dev/null opened for reading
// and writing in a Go process (the runtime puts it there), where writes
// succeed: token and env refuse to run, exec and api say that what they
// print is lost; a write that fails is an error (exit 1).

import (
	"os"
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

func TestProcessClosedStdout(t *testing.T) {
	t.Parallel()
	needTools(t, "sh")
	_, _, p := newAliceProc(t, fakepds.Options{})
	env := []string{"PATH=" + os.Getenv("PATH"), "BIN=" + p.bin}
	sh := func(command string) result {
		t.Helper()
		return p.runEnv(env, nil, "exec", "--", "sh", "-c", `"$BIN" `+command)
	}
	for _, c := range []struct {
		command string
		code    int
		want    string
	}{
		{"token >&-", exitFailure, "standard output is closed"},
		{"env >&-", exitFailure, "standard output is closed"},
		{"env --unset >&-", exitFailure, "standard output is closed"},
		{"exec -- sh -c 'echo hi; exit 3' >&-", 3, "the command's output will be lost"},
		{"api com.atproto.server.getSession >&-", exitOK, "the answer will be lost"},
		// What a shell opens for writing is not closed: >/dev/null throws
		// the output away on purpose, silently.
		{"token >/dev/null", exitOK, ""},
		{"exec -- echo hi >/dev/null", exitOK, ""},
		{"api com.atproto.server.getSession >/dev/null", exitOK, ""},
	} {
		r := sh(c.command)
		if r.code != c.code || c.want == "" && r.stderr != "" || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%s: want exit %d and %q on stderr; got %s", c.command, c.code, c.want, r)
		}
	}
	if _, err := os.Stat("/dev/full"); err != nil {
		return
	}
	// A write that fails is a failure, said on stderr.
	for _, command := range []string{"token", "env", "api com.atproto.server.getSession", "status", "status --json", "--version"} {
		r := sh(command + " >/dev/full")
		if r.code != exitFailure || !strings.Contains(r.stderr, "no space left on device") {
			t.Errorf("%s >/dev/full: %s", command, r)
		}
	}
}

// closedStdout tells a stand-in for a closed stdout from what a shell
// opens to throw output away, and from a pipe.
func TestClosedStdout(t *testing.T) {
	t.Parallel()
	open := func(flag int) *os.File {
		f, err := os.OpenFile(os.DevNull, flag, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	closed := open(os.O_WRONLY)
	closed.Close()
	for _, c := range []struct {
		name string
		f    *os.File
		want bool
	}{
		{"/dev/null read-write", open(os.O_RDWR), true},
		{"/dev/null write-only", open(os.O_WRONLY), false},
		{"a pipe", w, false},
		{"a closed file", closed, true},
	} {
		if got := closedStdout(c.f); got != c.want {
			t.Errorf("%s: closedStdout %v, want %v", c.name, got, c.want)
		}
	}
}
