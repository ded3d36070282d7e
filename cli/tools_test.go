package cli

import (
	"os"
	"os/exec"
	"runtime"
	"testing"
)

// lookTool finds a program a test drives (tmux, bash, fish, zsh). Without
// it the test is skipped, saying what is missing and how to install it;
// under CI on Linux, which installs them all (.ci/run), it fails instead,
// so that a missing tool can never pass for a passing test there.
func lookTool(t *testing.T, name, why string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") != "" && runtime.GOOS == "linux" {
		t.Fatalf("%s is not installed, and CI must run %s (.ci/run installs it)", name, why)
	}
	t.Skipf("%s is not installed (%s): %s not run", name, installHint(runtime.GOOS, name), why)
	return ""
}

// installHint says how to get a tool on goos.
func installHint(goos, name string) string {
	switch goos {
	case "darwin":
		return "with Homebrew: brew install " + name
	case "windows":
		return "these tests drive a Unix terminal and shells; run them on Linux or macOS, or in WSL"
	}
	return "on Debian: apt-get install " + name
}
