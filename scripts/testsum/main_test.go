package main

import (
	"os"
	"strings"
	"testing"
)

// testdata/go-test.json is `go test -json ./...` (Go 1.26) recorded on a
// module with a package that passes with skips (one with two log lines,
// one with none, a subtest's over two lines), one that fails with a skip,
// one that does not build and one with no tests. The summary is what
// `go test ./...` prints (the failed tests' "--- FAIL" line before their
// logs, subtests indented under their parent; no "=== RUN" and no "PASS"),
// then the skips.
func TestSummariseRecordedRun(t *testing.T) {
	in, err := os.Open("testdata/go-test.json")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var out strings.Builder
	if err := summarise(in, &out, "example.com/fix"); err != nil {
		t.Fatal(err)
	}
	want := `# example.com/fix/broken [example.com/fix/broken.test]
broken/broken_test.go:5:28: undefined: undefined
FAIL	example.com/fix/broken [build failed]
?   	example.com/fix/empty	[no test files]
ok  	example.com/fix/good	(cached)
--- FAIL: TestFails (0.00s)
    bad_test.go:5: got 1, want 2
--- FAIL: TestParent (0.00s)
    --- FAIL: TestParent/child (0.00s)
        bad_test.go:8: child broke
FAIL
FAIL	example.com/fix/bad	0.005s

4 skipped:
SKIP good TestSkipped: no tmux on PATH: apt-get install tmux
SKIP good TestSkipNow: (no reason given)
SKIP good TestSub/skips: SKYSWITCH_TEST_PDS_URL is not set: start it with testdata/pds/run start
SKIP bad TestSkipHere: not on this system
`
	if got := out.String(); got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
}

// A test that never got its result (the package panicked or timed out)
// has its output printed when its package fails, as go test prints it; a
// line that is not JSON passes through; a run with no skip has no list.
func TestSummarisePanicAndNoise(t *testing.T) {
	in := `go: downloading example.com/x v1.0.0
{"Action":"start","Package":"p"}
{"Action":"run","Package":"p","Test":"TestBoom"}
{"Action":"output","Package":"p","Test":"TestBoom","Output":"=== RUN   TestBoom\n"}
{"Action":"output","Package":"p","Test":"TestBoom","Output":"panic: boom\n"}
{"Action":"output","Package":"p","Output":"FAIL\tp\t0.01s\n"}
{"Action":"fail","Package":"p"}
`
	var out strings.Builder
	if err := summarise(strings.NewReader(in), &out, ""); err != nil {
		t.Fatal(err)
	}
	want := "go: downloading example.com/x v1.0.0\nFAIL\tp\t0.01s\npanic: boom\n"
	if got := out.String(); got != want {
		t.Errorf("summary:\n%q\nwant:\n%q", got, want)
	}
}
