package cli

import (
	"os"
	"testing"
)

// soak reports whether the long repetitions run in full: under CI (CI set,
// as .ci/run sets it), unless -short says that another run has already run
// them in full (.ci/run passes it to its race and Go 1.27 runs, after its
// plain run). Elsewhere they run fewer times, so that `go test ./...`
// stays within a minute on a two-core machine.
func soak() bool { return os.Getenv("CI") != "" && !testing.Short() }

// rounds is full under soak, else few.
func rounds(full, few int) int {
	if soak() {
		return full
	}
	return few
}
