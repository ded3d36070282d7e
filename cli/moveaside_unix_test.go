//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// A file set aside keeps its tokens from others: move-aside leaves the old
// file 0600 even when it was left open to others (by hand, or by a copy)
// and no command had read, and so tightened, it before.
func TestMoveAsideKeepsTheOldFilePrivate(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	if err := os.MkdirAll(filepath.Dir(e.path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.path, []byte(`{"accounts": [{"accessJwt": "x`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(e.path, 0o644); err != nil {
		t.Fatal(err)
	}
	r := e.run("", "move-aside")
	wantCode(t, r, exitOK)
	moved, _ := filepath.Glob(e.path + ".corrupt-*")
	if len(moved) != 1 {
		t.Fatalf("moved files: %v", moved)
	}
	fi, err := os.Stat(moved[0])
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o600 || !strings.Contains(r.stderr, "tightened to 0600") {
		t.Errorf("the file set aside is mode %04o, want 0600, said so:\n%s", m, r.stderr)
	}
}
