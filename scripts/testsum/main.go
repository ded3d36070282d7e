// Command testsum reads `go test -json` on standard input and prints what
// `go test` prints without -v (each package's ok, FAIL or no-test-files
// line, the output of the tests that failed, build errors), then one line
// for each test that skipped, with its reason: a plain `go test ./...`
// says only "ok" for a package whose real-PDS, keyring or shell tests
// skipped. scripts/test runs it.
//
//	go test -json ./... | go run ./scripts/testsum -strip github.com/skyswitch/skyswitch
//
// It exits 0 whatever the tests did (scripts/test exits with go test's
// status), 1 if it cannot read its input.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
)

func main() {
	strip := flag.String("strip", "", "a module path to leave out of the package names in the list of skips")
	flag.Parse()
	w := bufio.NewWriter(os.Stdout)
	err := summarise(os.Stdin, w, *strip)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "testsum:", err)
		os.Exit(1)
	}
}

// event is one line of `go test -json` (cmd/test2json's TestEvent, and the
// build events with ImportPath).
type event struct {
	Action     string
	Package    string
	Test       string
	Output     string
	ImportPath string
}

// skip is a test that skipped, with its reason.
type skip struct{ pkg, test, reason string }

// summary is what summarise keeps while it reads: each running test's
// output until its result, and the skips so far.
type summary struct {
	out     io.Writer
	pending map[string]*running // package + "\x00" + test
	skips   []skip
}

// running is a test's output until its result: its own lines, and the
// printed form of its subtests that failed.
type running struct {
	lines []string
	subs  []string
}

func (s *summary) test(key string) *running {
	r := s.pending[key]
	if r == nil {
		r = &running{}
		s.pending[key] = r
	}
	return r
}

// summarise copies in's events to out as go test would print them without
// -v, then lists the skips. A line that is not JSON is printed as it is.
func summarise(in io.Reader, out io.Writer, strip string) error {
	s := &summary{out: out, pending: map[string]*running{}}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		var ev event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil || ev.Action == "" {
			fmt.Fprintln(out, sc.Text())
			continue
		}
		s.handle(ev)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading go test's output: %w", err)
	}
	s.list(strip)
	return nil
}

func (s *summary) handle(ev event) {
	key := ev.Package + "\x00" + ev.Test
	switch {
	case ev.Action == "build-output":
		io.WriteString(s.out, ev.Output)
	case ev.Test == "" && ev.Action == "output":
		// "PASS" is the verbose run's last line; go test without -v keeps
		// only the "ok" line after it.
		if ev.Output != "PASS\n" {
			io.WriteString(s.out, ev.Output)
		}
	case ev.Test == "" && ev.Action == "fail":
		s.flush(ev.Package) // tests with no result: a panic or a timeout
	case ev.Test == "" && (ev.Action == "pass" || ev.Action == "skip"):
		s.drop(ev.Package)
	case ev.Test == "":
	case ev.Action == "output":
		r := s.test(key)
		r.lines = append(r.lines, ev.Output)
	case ev.Action == "fail":
		s.failed(ev.Package, ev.Test)
	case ev.Action == "skip":
		s.skips = append(s.skips, skip{ev.Package, ev.Test, reason(s.test(key).lines)})
		delete(s.pending, key)
	case ev.Action == "pass":
		delete(s.pending, key)
	}
}

// failed prints a failed test as go test does without -v: its "--- FAIL"
// line (which -json sends last), then its log lines, both indented by its
// depth (-json does not), then its failed subtests', without the "=== RUN" lines only -v shows. A
// subtest waits for its parent, which fails after it.
func (s *summary) failed(pkg, test string) {
	key := pkg + "\x00" + test
	r := s.test(key)
	delete(s.pending, key)
	indent := strings.Repeat("    ", strings.Count(test, "/"))
	var head, body strings.Builder
	for _, l := range r.lines {
		switch {
		case strings.HasPrefix(l, "=== "):
		case strings.HasPrefix(l, "--- "):
			head.WriteString(indent + l)
		default:
			body.WriteString(indent + l)
		}
	}
	block := head.String() + body.String() + strings.Join(r.subs, "")
	parent, _, sub := cutLast(test, "/")
	if !sub {
		io.WriteString(s.out, block)
		return
	}
	p := s.test(pkg + "\x00" + parent)
	p.subs = append(p.subs, block)
}

func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

// flush prints the output of pkg's tests that never got a result, in the
// order they started.
func (s *summary) flush(pkg string) {
	var keys []string
	for key := range s.pending {
		if strings.HasPrefix(key, pkg+"\x00") {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	for _, key := range keys {
		r := s.pending[key]
		for _, l := range r.lines {
			if !strings.HasPrefix(l, "=== ") {
				io.WriteString(s.out, l)
			}
		}
		io.WriteString(s.out, strings.Join(r.subs, ""))
		delete(s.pending, key)
	}
}

func (s *summary) drop(pkg string) {
	for key := range s.pending {
		if strings.HasPrefix(key, pkg+"\x00") {
			delete(s.pending, key)
		}
	}
}

// logLine is the start of a line that t.Log, t.Skip and the rest write:
// "    file_test.go:12: ".
var logLine = regexp.MustCompile(`^\s*[^\s:]+\.go:\d+: `)

// reason is a skipped test's last log message (t.Skip's, written last),
// its lines joined into one, without the file and line; "" when it logged
// none (t.SkipNow).
func reason(lines []string) string {
	start := -1
	for i, l := range lines {
		if logLine.MatchString(l) {
			start = i
		}
	}
	if start < 0 {
		return ""
	}
	var words []string
	for i, l := range lines[start:] {
		if strings.HasPrefix(l, "--- SKIP") || strings.HasPrefix(l, "=== ") {
			break
		}
		if i == 0 {
			l = logLine.ReplaceAllString(l, "")
		}
		words = append(words, strings.Fields(l)...)
	}
	return strings.Join(words, " ")
}

// list prints one line per skip, after a count, in the order they came.
func (s *summary) list(strip string) {
	if len(s.skips) == 0 {
		return
	}
	fmt.Fprintf(s.out, "\n%d skipped:\n", len(s.skips))
	for _, sk := range s.skips {
		pkg := sk.pkg
		if strip != "" {
			if pkg == strip {
				pkg = "."
			} else if rest, ok := strings.CutPrefix(pkg, strip+"/"); ok {
				pkg = rest
			}
		}
		why := sk.reason
		if why == "" {
			why = "(no reason given)"
		}
		fmt.Fprintf(s.out, "SKIP %s %s: %s\n", pkg, sk.test, why)
	}
}
