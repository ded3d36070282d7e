package cli

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// envAlone names the one test a child of the test binary runs (alone).
const envAlone = "SKYSWITCH_TEST_ALONE"

// alone lets a test that measures the whole process (its allocations, its
// heap) run beside the parallel tests: it runs the test again in a new
// process of the test binary, by itself, and passes on how that went.
// It reports whether the caller is that process and must go on; when
// false, the caller returns at once.
func alone(t *testing.T) bool {
	t.Helper()
	if os.Getenv(envAlone) == t.Name() {
		return true
	}
	t.Parallel()
	args := []string{"-test.run=^" + regexp.QuoteMeta(t.Name()) + "$", "-test.count=1", "-test.v"}
	if testing.Short() {
		args = append(args, "-test.short")
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), envAlone+"="+t.Name())
	out, err := cmd.CombinedOutput()
	passed := strings.Contains(string(out), "\n--- PASS: "+t.Name()+" ")
	// The child's own framing (=== RUN, --- PASS, PASS) is left out, so
	// that nothing reading this run's output takes it for this one's.
	var said []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if !strings.HasPrefix(line, "=== ") && !strings.HasPrefix(line, "--- ") && line != "PASS" && line != "FAIL" {
			said = append(said, line)
		}
	}
	if err != nil || !passed {
		t.Fatalf("alone in a process of its own: %v, passed %v:\n%s", err, passed, strings.Join(said, "\n"))
	}
	t.Logf("alone in a process of its own:\n%s", strings.Join(said, "\n"))
	return false
}
