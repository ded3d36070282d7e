package storage

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The multi-process tests run this test binary again as the child, with
// helperEnv naming what the child does. No other binary is built.
const helperEnv = "SKYSWITCH_STORAGE_HELPER"

// child starts this test binary as a helper process of the given mode.
func child(t *testing.T, mode, path string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, "HELPER_PATH="+path)
	for i, a := range args {
		cmd.Env = append(cmd.Env, fmt.Sprintf("HELPER_ARG%d=%s", i, a))
	}
	cmd.Stderr = os.Stderr
	return cmd
}

// TestHelperProcess is the child side; it does nothing in a normal run.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		t.Skip("helper process for the multi-process tests")
	}
	s := Open(os.Getenv("HELPER_PATH"))
	arg := func(i int) int {
		n, _ := strconv.Atoi(os.Getenv(fmt.Sprintf("HELPER_ARG%d", i)))
		return n
	}
	var err error
	switch mode {
	case "add":
		err = helperAdd(s, arg(0), arg(1))
	case "churn":
		err = helperChurn(s)
	case "hold-account", "hold-file", "hold-hostile":
		err = helperHold(s, mode, os.Getenv("HELPER_ARG0"))
	default:
		err = fmt.Errorf("unknown helper mode %q", mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(3)
	}
	os.Exit(0)
}

// helperAdd makes n separate changes: each adds the account did:example:<id>-<j>
// and makes it active, in its own transaction.
func helperAdd(s *Store, id, n int) error {
	for j := range n {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		err := s.UpdateContext(ctx, func(st *State) error {
			var a Account
			a.DID = fmt.Sprintf("did:example:%d-%d", id, j)
			a.Handle = fmt.Sprintf("p%d-%d.test", id, j)
			a.RefreshJwt = "refresh-" + a.DID
			st.Upsert(a)
			return st.SetActive(a.DID)
		})
		cancel()
		if err != nil {
			return err
		}
	}
	return nil
}

// churnSize is how many accounts generation gen of the churn state holds:
// it varies, so consecutive files differ in length.
func churnSize(gen int) int { return 10 + (gen*37)%50 }

// churnMarker is what every account of generation gen carries.
func churnMarker(gen int) string { return "generation " + strconv.Itoa(gen) }

// helperChurn rewrites the whole store forever, each generation one more
// than the stored one, announcing "ready" after its first write; the
// parent kills it with SIGKILL.
func helperChurn(s *Store) error {
	// Pause inside writes, so that most kills land in the middle of one.
	testHookWrite = func(string) { time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond) }
	out := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		err := s.Update(func(st *State) error {
			gen := 0
			if len(st.Accounts) > 0 {
				gen, _ = strconv.Atoi(st.Accounts[0].LastRefreshError[len("generation "):])
			}
			gen++
			next := NewState()
			for k := range churnSize(gen) {
				a := account(k)
				a.LastRefreshError = churnMarker(gen)
				next.Upsert(a)
			}
			next.Active = next.Accounts[gen%len(next.Accounts)].DID
			*st = *next
			return nil
		})
		if err != nil {
			return err
		}
		if i == 0 {
			out.WriteString("ready\n")
			out.Flush()
		}
	}
}

// helperHold takes the refresh lock of the account did ("hold-account"),
// the accounts file's lock ("hold-file"), or the account's lock and then
// writes hostileHolder into its file ("hold-hostile"), says "held" and
// keeps the lock until it is killed, as a stuck or stopped process would.
func helperHold(s *Store, mode, did string) error {
	l := s.accountLock(did)
	if mode == "hold-file" {
		l = s.fileLock()
	} else if err := s.makeLocksDir(); err != nil {
		return err
	}
	if _, err := acquire(context.Background(), l, true); err != nil {
		return err
	}
	if mode == "hold-hostile" {
		if err := os.WriteFile(l.path, []byte(hostileHolder), 0o600); err != nil {
			return err
		}
	}
	fmt.Println("held")
	time.Sleep(time.Hour)
	return nil
}

// hostileHolder is what a hostile holder writes into a lock file: a
// terminal title and clipboard write, then 10 KB.
var hostileHolder = "pid 1: \x1b]0;owned\x07\x1b]52;c;ZXZpbA==\x07\u202e" + strings.Repeat("A", 10_000) + "\nsecond line"
