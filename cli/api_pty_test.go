//go:build linux

package cli

// api --output to a terminal, through a pseudo-terminal whose master the
// test reads: what is opened is asked whether it is a terminal, so a name
// (/dev/pts/N, /dev/stdout) never lets a clipboard write (OSC 52) through.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

// ptyTerm is a pseudo-terminal: the test keeps its slave open and reads
// everything that reaches it from the master.
type ptyTerm struct {
	t             *testing.T
	master, slave *os.File
	mu            sync.Mutex
	seen          bytes.Buffer
}

func openPTY(t *testing.T) *ptyTerm {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	slave, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { slave.Close() })
	p := &ptyTerm{t: t, master: master, slave: slave}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			p.mu.Lock()
			p.seen.Write(buf[:n])
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return p
}

// drain returns what reached the terminal so far and forgets it: it writes
// a mark and waits (20 s at most) until the mark comes out.
func (p *ptyTerm) drain() string {
	p.t.Helper()
	const mark = "--drained--"
	if _, err := p.slave.WriteString(mark); err != nil {
		p.t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		p.mu.Lock()
		s := p.seen.String()
		if i := strings.Index(s, mark); i >= 0 {
			p.seen.Reset()
			p.seen.WriteString(s[i+len(mark):])
			p.mu.Unlock()
			return s[:i]
		}
		p.mu.Unlock()
		if time.Now().After(deadline) {
			p.t.Fatalf("the terminal's output did not come through: %q", s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// noClipboardWrite fails when a clipboard write, raw or in C1 form,
// reached the terminal.
func noClipboardWrite(t *testing.T, what, screen string) {
	t.Helper()
	if strings.Contains(screen, "\x1b]52") || strings.Contains(screen, "\u009d") || strings.Contains(screen, "\u009c") {
		t.Errorf("%s: a clipboard write reached the terminal: %q", what, screen)
	}
}

func TestAPIOutputToATerminal(t *testing.T) {
	t.Parallel()
	e, _ := apiWorld(t, fakepds.Options{})
	pty := openPTY(t)
	// A body that is not JSON is refused, as on stdout.
	wantError(t, e.run("", "api", "--output", pty.slave.Name(), "com.example.osc"), exitFailure, "not printed on a terminal")
	noClipboardWrite(t, "text/plain", pty.drain())
	// JSON is printed indented, with its C1 controls escaped.
	r := e.run("", "api", "--output", pty.slave.Name(), "-f", "json=1", "-X", "GET", "com.example.osc")
	wantCode(t, r, exitOK)
	screen := pty.drain()
	noClipboardWrite(t, "JSON", screen)
	if !strings.Contains(screen, `\u009d52;c;`+oscPayload) || !strings.HasPrefix(screen, "{\r\n  ") {
		t.Errorf("JSON on a terminal: %q", screen)
	}
}

// The built binary with the terminal as its stdout, and --output
// /dev/stdout (the name of no terminal): refused all the same.
func TestProcessAPIOutputDevStdout(t *testing.T) {
	t.Parallel()
	srv, _, p := newAliceProc(t, fakepds.Options{})
	stub := apiStub(t, srv)
	err := storage.Open(p.path()).Update(func(st *storage.State) error {
		st.Accounts[0].PDSURL = stub.URL
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	pty := openPTY(t)
	for _, name := range []string{"/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"} {
		cmd := exec.Command(p.bin, "api", "--output", name, "com.example.osc")
		cmd.Env, cmd.Dir = p.environ(), p.config
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = pty.slave, &stderr
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitFailure || !strings.Contains(stderr.String(), "not printed on a terminal") {
			t.Errorf("--output %s on a terminal: %v; stderr %q", name, err, stderr.String())
		}
		noClipboardWrite(t, name, pty.drain())
	}
}
