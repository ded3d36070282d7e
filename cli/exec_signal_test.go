//go:build unix

package cli

// exec's signals, as the built binary: Unix-only (kill, process groups).

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// exec passes SIGTERM, SIGHUP and (with no terminal) SIGINT on to its
// command and waits for it: the command's trap runs, and its status is
// exec's. A second signal is passed on too, instead of ending skyswitch.
func TestProcessExecForwardsSignals(t *testing.T) {
	t.Parallel()
	needTools(t, "sh")
	_, _, p := newAliceProc(t, fakepds.Options{})
	for _, tc := range []struct {
		sig  syscall.Signal
		name string
		code int
	}{
		{syscall.SIGTERM, "TERM", 41},
		{syscall.SIGINT, "INT", 42},
		{syscall.SIGHUP, "HUP", 43},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The trap counts the signals; the second one ends the command.
			script := `n=0; trap 'n=$((n+1)); echo "got ` + tc.name + ` $n"; [ $n -ge 2 ] && exit ` + strconv.Itoa(tc.code) + `' ` + tc.name + `
echo ready
while :; do sleep 0.05; done`
			cmd := exec.Command(p.bin, "exec", "--", "sh", "-c", script)
			cmd.Env = append(p.environ(), "PATH="+os.Getenv("PATH"))
			cmd.Dir = p.config
			// Its own process group, so that a test that fails can end
			// skyswitch and its command together.
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := make(chan string)
			go func() {
				defer close(lines)
				for sc := bufio.NewScanner(stdout); sc.Scan(); {
					lines <- sc.Text()
				}
			}()
			fail := func(format string, args ...any) {
				t.Helper()
				syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				cmd.Wait()
				t.Fatalf(format+"; stderr %q", append(args, stderr.String())...)
			}
			// A hang fails the test after a generous 20 s, not a timing.
			next := func() string {
				select {
				case l, ok := <-lines:
					if !ok {
						return "(end of output)"
					}
					return l
				case <-time.After(20 * time.Second):
					return "(nothing for 20 s)"
				}
			}
			if l := next(); l != "ready" {
				fail("first line %q", l)
			}
			for i := 1; i <= 2; i++ {
				if err := cmd.Process.Signal(tc.sig); err != nil {
					fail("signal: %v", err)
				}
				if l, want := next(), "got "+tc.name+" "+strconv.Itoa(i); l != want {
					fail("after signal %d: %q, want %q", i, l, want)
				}
			}
			if l := next(); l != "(end of output)" {
				fail("after the second signal: %q", l)
			}
			err = cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != tc.code || stderr.String() != "" {
				t.Errorf("exec ended with %v (want exit %d); stderr %q", err, tc.code, stderr.String())
			}
		})
	}
}
