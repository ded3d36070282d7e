//go:build linux

// Command frametime measures how long a full-screen program takes from
// its start to its first frame: it runs the program on a new pseudo-terminal
// (80×24 unless told), reads what the program writes, and prints the
// milliseconds from the start of the process to the moment the output
// holds every marker, in order. Then it types q and waits for the program
// to end (killing it after 5 s).
//
//	go run ./scripts/frametime -n 10 -marker @user -marker 'q quit' -- skyswitch
//
// Like a terminal emulator, it answers the queries a program may send
// before drawing (background colour, device attributes, cursor position),
// unless -silent. Linux only (it opens /dev/ptmx itself, with Linux's ioctls);
// elsewhere it builds to a stub that says so (main_other.go).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

type markers []string

func (m *markers) String() string     { return strings.Join(*m, ",") }
func (m *markers) Set(s string) error { *m = append(*m, s); return nil }

func main() {
	n := flag.Int("n", 10, "runs")
	cols := flag.Int("cols", 80, "terminal width")
	rows := flag.Int("rows", 24, "terminal height")
	term := flag.String("term", "xterm-256color", "TERM for the program")
	silent := flag.Bool("silent", false, "answer no terminal query")
	var want markers
	flag.Var(&want, "marker", "text the first full frame contains, in order (repeatable)")
	flag.Parse()
	args := flag.Args()
	if len(args) == 0 || len(want) == 0 || *n < 1 {
		fmt.Fprintln(os.Stderr, "usage: frametime [-n N] [-cols C -rows R] [-term T] [-silent] -marker TEXT... -- command [args]")
		os.Exit(2)
	}
	var times []float64
	for i := range *n {
		d, queries, err := once(args, want, *cols, *rows, *term, !*silent)
		if err != nil {
			fmt.Fprintf(os.Stderr, "frametime: run %d: %v\n", i+1, err)
			os.Exit(1)
		}
		ms := float64(d.Microseconds()) / 1000
		times = append(times, ms)
		fmt.Printf("run %2d: %7.2f ms%s\n", i+1, ms, queries)
	}
	sort.Float64s(times)
	med := times[len(times)/2]
	if len(times)%2 == 0 {
		med = (times[len(times)/2-1] + times[len(times)/2]) / 2
	}
	fmt.Printf("median %.2f ms, min %.2f ms, max %.2f ms over %d runs\n", med, times[0], times[len(times)-1], len(times))
}

// openPTY returns a new pseudo-terminal's master and slave.
func openPTY(cols, rows int) (master, slave *os.File, err error) {
	master, err = os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	fd := int(master.Fd())
	if err = unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		master.Close()
		return nil, nil, err
	}
	num, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", num), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	ws := &unix.Winsize{Row: uint16(rows), Col: uint16(cols)}
	if err = unix.IoctlSetWinsize(int(slave.Fd()), unix.TIOCSWINSZ, ws); err != nil {
		master.Close()
		slave.Close()
		return nil, nil, err
	}
	return master, slave, nil
}

// Queries a terminal answers, and the answers of a dark-background xterm.
var answers = []struct{ query, answer, name string }{
	{"\x1b]11;?", "\x1b]11;rgb:0000/0000/0000\x1b\\", "background"},
	{"\x1b[c", "\x1b[?62;22c", "device attributes"},
	{"\x1b[6n", "\x1b[1;1R", "cursor position"},
}

func once(args []string, want []string, cols, rows int, term string, answer bool) (time.Duration, string, error) {
	master, slave, err := openPTY(cols, rows)
	if err != nil {
		return 0, "", fmt.Errorf("pseudo-terminal: %w", err)
	}
	defer master.Close()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "TERM="+term)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}

	type seen struct {
		at  time.Time
		err error
	}
	done := make(chan seen, 1)
	var out bytes.Buffer
	var (
		mu      sync.Mutex
		queried []string
	)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		slave.Close()
		return 0, "", err
	}
	slave.Close()
	go func() {
		buf := make([]byte, 64<<10)
		answered := map[string]bool{}
		reported := false
		for {
			k, err := master.Read(buf)
			now := time.Now()
			mu.Lock()
			out.Write(buf[:k])
			mu.Unlock()
			if answer {
				for _, a := range answers {
					if !answered[a.query] && bytes.Contains(out.Bytes(), []byte(a.query)) {
						answered[a.query] = true
						mu.Lock()
						queried = append(queried, a.name)
						mu.Unlock()
						master.Write([]byte(a.answer))
					}
				}
			}
			if !reported && inOrder(out.Bytes(), want) {
				reported = true
				done <- seen{at: now}
			}
			if err != nil {
				if !reported {
					done <- seen{err: fmt.Errorf("output ended before the frame (%d bytes): %q", out.Len(), tail(out.Bytes()))}
				}
				return
			}
		}
	}()
	var s seen
	select {
	case s = <-done:
	case <-time.After(30 * time.Second):
		mu.Lock()
		s.err = fmt.Errorf("no frame within 30 s; the output ends with %q", tail(out.Bytes()))
		mu.Unlock()
	}
	// Quit, and make sure the program is gone before the next run.
	master.Write([]byte("q"))
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		<-exited
	}
	if s.err != nil {
		return 0, "", s.err
	}
	note := ""
	mu.Lock()
	defer mu.Unlock()
	if len(queried) > 0 {
		note = "  (answered: " + strings.Join(queried, ", ") + ")"
	}
	return s.at.Sub(start), note, nil
}

// inOrder reports whether every marker occurs in b, each after the last.
func inOrder(b []byte, want []string) bool {
	for _, w := range want {
		i := bytes.Index(b, []byte(w))
		if i < 0 {
			return false
		}
		b = b[i+len(w):]
	}
	return true
}

func tail(b []byte) []byte {
	if len(b) > 200 {
		return b[len(b)-200:]
	}
	return b
}
