//go:build unix

package cli

import (
	"os"
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// A prompt that is the first to read a file open to others says, once,
// that it tightened it (on stderr: the segment is unchanged).
func TestPromptSaysItTightenedTheFile(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	e.addAccount("alice.test")
	e.login("alice.test")
	if err := os.Chmod(e.path, 0o644); err != nil {
		t.Fatal(err)
	}
	r := e.run("", "prompt")
	if r.code != exitOK || r.stdout != green+"@alice.test"+reset+"\n" || !strings.Contains(r.stderr, "readable by others (mode 0644); tightened to 0600") {
		t.Errorf("want the segment and a note on stderr, got %s", r)
	}
	if r := e.run("", "prompt"); r.stderr != "" {
		t.Errorf("the note is said again: %s", r)
	}
}
