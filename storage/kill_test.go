package storage

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSIGKILLLeavesAValidFile kills a process that rewrites the store in
// a loop at random moments, 200 times. After each kill the file must load
// and be one whole generation (never a mix of two), never older than the
// one seen before. With -short it runs 20 rounds, and more (up to 200)
// until two kills have landed inside a write: a tenth of 20 rounds is too
// few to count on.
func TestSIGKILLLeavesAValidFile(t *testing.T) {
	rounds, wantMid := 200, 20
	if testing.Short() {
		rounds, wantMid = 20, 2
	}
	s := newStore(t)
	lastGen, advanced, midWrite, round := 0, 0, 0, 0
	for ; round < rounds || (midWrite < wantMid && round < 200); round++ {
		cmd := child(t, "churn", s.Path())
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if round%10 == 0 {
			// Sometimes kill during start-up or the first write.
			time.Sleep(time.Duration(rand.IntN(30_000)) * time.Microsecond)
		} else {
			line, _ := bufio.NewReader(stdout).ReadString('\n')
			if line != "ready\n" {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("round %d: child said %q", round, line)
			}
			time.Sleep(time.Duration(rand.IntN(15_000)) * time.Microsecond)
		}
		cmd.Process.Kill() // SIGKILL on Unix
		cmd.Wait()
		if temps, _ := filepath.Glob(filepath.Join(filepath.Dir(s.Path()), tempPrefix(s.Path())+"*")); len(temps) > 0 {
			midWrite++
		}

		gen := checkChurnFile(t, s, round)
		if gen < lastGen {
			t.Fatalf("round %d: generation went back from %d to %d", round, lastGen, gen)
		}
		if gen > lastGen {
			advanced++
		}
		lastGen = gen
	}
	// A temporary file left behind shows the kill landed inside a write.
	if advanced < round/2 || midWrite < wantMid {
		t.Errorf("of %d rounds, %d advanced the store and %d were killed mid-write: the test is not exercising writes", round, advanced, midWrite)
	}
	// The next writer removes the temporary files of killed ones.
	mustUpdate(t, s, func(st *State) error { return st.SetActive("") })
	temps, _ := filepath.Glob(filepath.Join(filepath.Dir(s.Path()), tempPrefix(s.Path())+"*"))
	if len(temps) != 0 {
		t.Errorf("temporary files left: %v", temps)
	}
	t.Logf("%d rounds, %d killed mid-write, final generation %d", round, midWrite, lastGen)
}

// checkChurnFile loads the store and checks it is one whole generation.
func checkChurnFile(t *testing.T, s *Store, round int) int {
	t.Helper()
	st, err := s.Load()
	if err != nil {
		data, _ := os.ReadFile(s.Path())
		t.Fatalf("round %d: %v (%d bytes)", round, err, len(data))
	}
	if len(st.Accounts) == 0 {
		return 0 // killed before the first write ever finished
	}
	marker := st.Accounts[0].LastRefreshError
	gen := 0
	if _, err := fmt.Sscan(strings.TrimPrefix(marker, "generation "), &gen); err != nil {
		t.Fatalf("round %d: marker %q", round, marker)
	}
	if len(st.Accounts) != churnSize(gen) {
		t.Fatalf("round %d: generation %d has %d accounts, want %d", round, gen, len(st.Accounts), churnSize(gen))
	}
	for _, a := range st.Accounts {
		if a.LastRefreshError != churnMarker(gen) {
			t.Fatalf("round %d: accounts of generations %q and %q mixed", round, marker, a.LastRefreshError)
		}
	}
	return gen
}
