//go:build unix

package cli

// exec in a real terminal (tmux): Ctrl-C reaches the command once, from the
// terminal, and not a second time from skyswitch.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// ctrlCScript runs exec in the terminal's foreground; its command, the
// test binary, counts the SIGINTs it gets until $STOP exists.
const ctrlCScript = `trap 'echo outer-int' INT
"$BIN" exec -- "$TESTBIN"
echo "exit-$?"
sleep 600
`

func TestExecCtrlCInATerminal(t *testing.T) {
	t.Parallel()
	lookTool(t, "tmux", "exec's Ctrl-C in a terminal")
	_, _, p := newAliceProc(t, fakepds.Options{})
	stop := filepath.Join(t.TempDir(), "stop")
	testBin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tt := startShell(t, p, ctrlCScript, "BIN="+p.bin, "TESTBIN="+testBin, envSignalCounter+"="+stop)
	tt.waitText("ready")
	tt.keys("C-c")
	tt.waitText("got-int-1")
	// A second SIGINT, passed on by skyswitch, would come at once; a
	// second is ample to see it.
	time.Sleep(time.Second)
	if err := os.WriteFile(stop, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s := tt.waitText("exit-7")
	if strings.Contains(s, "got-int-2") || !strings.Contains(s, "done-1") {
		t.Errorf("the command did not get Ctrl-C exactly once:\n%s", s)
	}
}
