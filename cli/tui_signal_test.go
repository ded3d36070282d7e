//go:build unix

package cli

// Signals end the switcher, every time: SIGTERM, SIGINT and SIGHUP, sent
// at random moments after the first frame, for 100 rounds in a real
// terminal (tmux) under CI, 10 elsewhere (signalRounds). After each, the
// shell gets the terminal back in cooked mode, with echo on and the
// alternate screen left.

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

// signalRounds is how many times the switcher is started and signalled.
// The hang this guards against (Bubble Tea's own signal handler, b2b5be9)
// came 1 run in 3 to 6: 10 rounds catch it most times, 100 every time.
func signalRounds() int { return rounds(100, 10) }

// roundScript runs the switcher once per round under sh: each round writes
// the switcher's PID (sh execs it) for the test to signal, then reports the
// exit status and whether the terminal was left raw or without echo, and
// reads a line the test types (which the terminal must echo) before the
// next round.
const roundScript = `i=0
while [ "$i" -lt "$ROUNDS" ]; do
	sh -c 'echo $$ >"$PIDFILE.tmp" && mv "$PIDFILE.tmp" "$PIDFILE" && exec "$BIN"'
	st=$?
	flags=$(stty -a | tr ' ;' '\n\n' | grep -x -e -echo -e -icanon | tr '\n' ' ')
	echo "round $i exit $st ${flags:-cooked}"
	read -r reply
	i=$((i + 1))
done
`

func TestSignalsEndTheSwitcher(t *testing.T) {
	t.Parallel()
	lookTool(t, "tmux", "the signal rounds of the switcher")
	_, _, p := newAliceProc(t, fakepds.Options{})
	pidFile := filepath.Join(t.TempDir(), "pid")
	n := signalRounds()
	tt := startShell(t, p, roundScript,
		"ROUNDS="+strconv.Itoa(n), "PIDFILE="+pidFile, "BIN="+p.bin)

	signals := []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP}
	var took []time.Duration
	for i := range n {
		sig := signals[i%len(signals)]
		pid := waitPID(t, tt, pidFile)
		// The first frame, then a random moment up to 300 ms later: the
		// hang this guards against depended on timing.
		tt.waitFor(fmt.Sprintf("round %d: the switcher's first frame", i), func(s string) bool {
			return tt.alternate() && strings.Contains(s, "@alice.test")
		})
		time.Sleep(time.Duration(rand.IntN(300)) * time.Millisecond)
		sent := time.Now()
		if err := syscall.Kill(pid, sig); err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
		line := fmt.Sprintf("round %d exit ", i)
		s := tt.waitFor(fmt.Sprintf("round %d: the switcher to end after %v", i, sig), func(s string) bool {
			return strings.Contains(s, line) && !tt.alternate()
		})
		took = append(took, time.Since(sent))
		got := s[strings.Index(s, line):]
		got, _, _ = strings.Cut(got, "\n")
		// Ended by a signal, it exits as the shell's convention says.
		if want := fmt.Sprintf("%s%d cooked", line, 128+int(sig)); strings.TrimSpace(got) != want {
			t.Fatalf("after %v: %q, want %q (exit 128+%d, terminal restored)", sig, got, want, int(sig))
		}
		// What the next person types shows as they type it.
		typed := fmt.Sprintf("typed-after-round-%d", i)
		tt.typ(typed)
		tt.waitText(typed)
		tt.keys("Enter")
	}
	slices.Sort(took)
	t.Logf("%d rounds: from signal to the shell's line, median %v, slowest %v", len(took), took[len(took)/2], took[len(took)-1])
	if _, err := storage.Open(p.path()).Load(); err != nil {
		t.Errorf("the accounts file after the rounds: %v", err)
	}
}

// waitPID waits for the round's PID file, takes it and removes it.
func waitPID(t *testing.T, tt *tmuxTerm, path string) int {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if b, err := os.ReadFile(path); err == nil {
			os.Remove(path)
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatalf("pid file: %v", err)
			}
			return pid
		}
		if time.Now().After(deadline) {
			t.Fatalf("no switcher started within 20 s; the screen:\n%s", tt.screen(false))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A signal in x's undo window ends the switcher as any signal does (exit
// 143, "interrupted"), and the logout is sent first, not dropped.
func TestSignalInTheUndoWindowLogsOut(t *testing.T) {
	t.Parallel()
	srv, alice, p := newAliceProc(t, fakepds.Options{})
	pidFile := filepath.Join(t.TempDir(), "pid")
	tt := startShell(t, p, `sh -c 'echo $$ >"$PIDFILE.tmp" && mv "$PIDFILE.tmp" "$PIDFILE" && exec "$BIN"'; echo "switcher exit $?"; sleep 600`,
		"PIDFILE="+pidFile, "BIN="+p.bin)
	pid := waitPID(t, tt, pidFile)
	tt.waitText("@alice.test")
	tt.keys("x")
	tt.waitText("logout in ")
	if n := srv.Calls(nsidDelete); n != 0 {
		t.Fatalf("x sent deleteSession at once (%d calls)", n)
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	tt.waitText("switcher exit ")
	if n := srv.Calls(nsidDelete); n != 1 {
		t.Fatalf("%d deleteSession calls after SIGTERM", n)
	}
	if n := srv.ActiveSessions(alice.DID); n != 0 {
		t.Errorf("%d sessions of alice left on the server", n)
	}
	said := tt.history()
	for _, want := range []string{"Logged out @alice.test", "skyswitch: interrupted (SIGTERM)", "switcher exit 143"} {
		if !strings.Contains(said, want) {
			t.Errorf("after SIGTERM the terminal lacks %q:\n%s", want, said)
		}
	}
}
