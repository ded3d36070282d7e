package storage

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestWriteAtomicStepsInDurableOrder: the new file reaches the disk before
// it is renamed over the old one, and the rename reaches the disk before
// Update returns. Without the first sync a crash can leave an empty file
// under the accounts file's name; without the second, the old file.
func TestWriteAtomicStepsInDurableOrder(t *testing.T) {
	s := newStore(t)
	mustUpdate(t, s, replaceWith(stateWith(1)))
	var steps []string
	defer func(old func(string)) { testHookWrite = old }(testHookWrite)
	testHookWrite = func(step string) { steps = append(steps, step) }

	mustUpdate(t, s, replaceWith(stateWith(2)))
	want := []string{stepWrite, stepSync, stepClose, stepRename, stepSyncDir}
	if !slices.Equal(steps, want) {
		t.Errorf("writeAtomic steps = %q, want %q", steps, want)
	}

	// A file of several chunks: every write comes before the sync.
	steps = nil
	mustUpdate(t, s, replaceWith(stateWith(300)))
	if n := len(steps); n < len(want)+1 || !slices.Equal(steps[n-4:], want[1:]) || slices.Contains(steps[n-4:], stepWrite) {
		t.Errorf("writeAtomic steps for a large file = %q, want writes then %q", steps, want[1:])
	}
	for _, st := range steps[:len(steps)-4] {
		if st != stepWrite {
			t.Errorf("step %q before the last write", st)
		}
	}
}

// A replace over an existing, longer file leaves exactly the new bytes and
// no temporary file: the old file is replaced, never written over.
func TestWriteAtomicReplacesALongerFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "accounts.json")
	for _, data := range []string{"a much longer first version", "short"} {
		if err := writeAtomic(path, []byte(data)); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(path); string(got) != data {
			t.Errorf("the file holds %q, want %q", got, data)
		}
	}
	if temps, _ := filepath.Glob(filepath.Join(filepath.Dir(path), tempPrefix(path)+"*")); len(temps) > 0 {
		t.Errorf("temporary files left: %v", temps)
	}
}
