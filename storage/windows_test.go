//go:build windows

package storage

// What only Windows can show, run only there; CI type-checks it (go vet
// with GOOS=windows) but runs no Windows machine. The lock tests
// (TestLockExcludesOtherHandles, TestHolderLineReadableWhileLocked) and
// the rest of the package's tests run on every system.

import (
	"os"
	"path/filepath"
	"testing"
)

// Go opens files on Windows without FILE_SHARE_DELETE, so MoveFileEx may
// refuse to replace a file another handle holds open (an editor, a backup
// tool; skyswitch's own readers hold the file lock, which keeps writers
// out). Whether it refuses or not, the file is left whole, old or new,
// the open handle still reads the old bytes, and no temporary file stays.
func TestWindowsReplaceWhileTheFileIsOpenLeavesItWhole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "accounts.json")
	if err := writeAtomic(path, []byte("old contents")); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	err = writeAtomic(path, []byte("new"))
	want := "new"
	if err != nil {
		t.Logf("replace refused while the file is open: %v", err)
		want = "old contents"
	}
	if got, _ := os.ReadFile(path); string(got) != want {
		t.Errorf("after the replace the file holds %q, want %q", got, want)
	}
	buf := make([]byte, 64)
	if n, _ := f.ReadAt(buf, 0); string(buf[:n]) != "old contents" {
		t.Errorf("the open handle reads %q, want the old bytes", buf[:n])
	}
	if temps, _ := filepath.Glob(filepath.Join(filepath.Dir(path), tempPrefix(path)+"*")); len(temps) > 0 {
		t.Errorf("temporary files left: %v", temps)
	}
}
