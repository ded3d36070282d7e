//go:build unix

package cli

// A refresh interrupted by a signal, as the built binary: the answer the
// server holds after rotating the token is still waited for and saved,
// and the process exits 128 + the signal's number.

import (
	"bytes"
	"errors"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

func TestProcessInterruptedRefresh(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		sig  syscall.Signal
		code int
		args []string
		// fault, if any, makes the command refresh after a rejected token.
		fault string
	}{
		{"refresh SIGINT", syscall.SIGINT, 130, []string{"refresh"}, ""},
		{"token SIGTERM", syscall.SIGTERM, 143, []string{"token"}, ""},
		{"api SIGHUP", syscall.SIGHUP, 129, []string{"api", nsidGetSession}, nsidGetSession},
		{"refresh --all SIGTERM", syscall.SIGTERM, 143, []string{"refresh", "--all"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// 30-second tokens: token always refreshes (it wants a minute).
			srv, alice, p := newAliceProc(t, fakepds.Options{Grace: fakepds.NoGrace, AccessLifetime: 30 * time.Second})
			old := savedRefreshToken(t, p.path(), alice.DID)
			if tc.fault != "" {
				srv.Inject(tc.fault, fakepds.Fault{Kind: fakepds.FaultQuoteCredentials, Status: 401, Name: "ExpiredToken", Times: 1})
			}
			srv.Inject(nsidRefresh, fakepds.Fault{Kind: fakepds.FaultRotateThenDelay, Delay: 500 * time.Millisecond, Times: 1})
			cmd := exec.Command(p.bin, tc.args...)
			cmd.Env, cmd.Dir = p.environ(), p.config
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			for deadline := time.Now().Add(20 * time.Second); srv.RefreshTokenValid(old); time.Sleep(time.Millisecond) {
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatalf("the refresh never reached the server; stderr %q", stderr.String())
				}
			}
			// The server rotated and holds the answer: interrupt now.
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			var err error
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				cmd.Process.Kill()
				t.Fatal("skyswitch did not end within 20 s of the signal")
			}
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != tc.code {
				t.Errorf("exit: %v, want %d; stderr %q", err, tc.code, stderr.String())
			}
			fields := strings.Fields(tc.name)
			want := "skyswitch: interrupted (" + fields[len(fields)-1] + ")\n"
			if slices.Contains(tc.args, "--all") {
				want = "skyswitch: @alice.test: interrupted\n" + want
			}
			if stderr.String() != want {
				t.Errorf("stderr %q, want %q", stderr.String(), want)
			}
			if stdout.Len() != 0 {
				t.Errorf("%d bytes on stdout", stdout.Len())
			}
			now := savedRefreshToken(t, p.path(), alice.DID)
			if now == old || !srv.RefreshTokenValid(now) {
				t.Fatal("the rotated tokens were not saved")
			}
			wantCode(t, p.run(nil, "refresh"), exitOK)
		})
	}
}
