//go:build !unix

package cli

import "testing"

// TestUnixOnly says which tests this system does not build, and why, so
// that their absence is seen in go test -v rather than silent.
func TestUnixOnly(t *testing.T) {
	t.Parallel()
	t.Skip("not built here: TestSignalsEndTheSwitcher (it sends SIGTERM, SIGINT and SIGHUP with kill(2) and reads stty in tmux) " +
		"and TestStoppedRefreshHoldingTheLock (it stops a process with SIGSTOP); both need Unix signals; " +
		"TestPromptSaysItTightenedTheFile (it opens the file to others with Unix modes)")
}
