package cli

import (
	"os/exec"
	"strings"
	"testing"
)

// The bash script, as `completion bash` prints it and as the embedded file
// holds it, has nothing shellcheck finds (CI installs shellcheck).
func TestShellcheckCompletionBash(t *testing.T) {
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Skip("shellcheck is not installed (apt-get install shellcheck): the bash completion script is not checked")
	}
	for name, script := range map[string]string{"completion bash": bashCompletion(), "completion/skyswitch.bash": bashScript} {
		cmd := exec.Command(sc, "--shell=bash", "-")
		cmd.Stdin = strings.NewReader(script)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("shellcheck %s: %v\n%s", name, err, out)
		}
	}
}
