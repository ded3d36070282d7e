package storage

import (
	"fmt"
	"testing"
)

// TestConcurrentProcessesLoseNoChange runs several processes, each making
// 100 separate read-modify-write changes to one store at the same time.
// Every change must be in the final file.
func TestConcurrentProcessesLoseNoChange(t *testing.T) {
	const procs, changes = 4, 100
	s := newStore(t)
	var cmds []interface{ Wait() error }
	for id := range procs {
		cmd := child(t, "add", s.Path(), fmt.Sprint(id), fmt.Sprint(changes))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("child: %v", err)
		}
	}
	st, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(st.Accounts), procs*changes; got != want {
		t.Fatalf("%d accounts, want %d: changes were lost", got, want)
	}
	for id := range procs {
		for j := range changes {
			if _, ok := st.Account(fmt.Sprintf("did:example:%d-%d", id, j)); !ok {
				t.Errorf("change %d of process %d lost", j, id)
			}
		}
	}
	if _, ok := st.ActiveAccount(); !ok {
		t.Errorf("active %q is not a saved account", st.Active)
	}
}
