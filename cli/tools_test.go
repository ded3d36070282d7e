package cli

import (
	"os"
	"os/exec"
	"testing"
)

// lookTool finds a program a test drives (tmux, bash, fish, zsh). Without
// it the test is skipped on a developer's machine, saying what to install;
// under CI, which installs them all (.ci/run), it fails instead, so that a
// missing tool can never pass for a passing test.
func lookTool(t *testing.T, name, why string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed, and CI must run %s (.ci/run installs it)", name, why)
	}
	t.Skipf("%s is not installed (on Debian: apt-get install %s): %s not run", name, name, why)
	return ""
}
