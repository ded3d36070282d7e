package cli

// What --input and -F key=@file read: bounded, and given up when the run
// is interrupted.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/storage"
)

// blockingReader is a standard input no one types into: Read says it was
// called and blocks until released, and then fails (so a run still
// reading goes no further).
type blockingReader struct {
	called  chan struct{}
	release chan struct{}
}

func newBlockingReader(t *testing.T) *blockingReader {
	r := &blockingReader{called: make(chan struct{}, 1), release: make(chan struct{})}
	t.Cleanup(func() { close(r.release) })
	return r
}

func (r *blockingReader) Read([]byte) (int, error) {
	select {
	case r.called <- struct{}{}:
	default:
	}
	<-r.release
	return 0, errors.New("released at the test's end")
}

// startAPI runs api's command line with no account saved (reading what
// the fields and --input name comes first), and returns its outcome on a
// channel.
func startAPI(ctx context.Context, t *testing.T, stdin io.Reader, nsid string, fl apiFlags) <-chan error {
	t.Helper()
	fl.maxPages = defaultMaxPages
	opts, err := apiOptionsOf(nsid, fl)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	e := &invocation{app: &App{Stdin: stdin, Stdout: &out, Stderr: &out}, stdout: &out, stderr: &out,
		// No account: a run that read its input after all ends there.
		mgr: &accounts.Manager{Store: storage.Open(filepath.Join(t.TempDir(), "accounts.json"))}}
	done := make(chan error, 1)
	go func() { done <- runAPI(ctx, opts, e) }()
	return done
}

// ended waits for a run that must end now that ctx is cancelled.
func ended(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("api still reading 30 s after the run was interrupted")
		return nil
	}
}

// A standard input that never ends (a terminal no one types into) does
// not outlast an interruption: SIGINT cancels ctx, and the read, which
// no signal ends, is left behind.
func TestAPIInputInterrupted(t *testing.T) {
	t.Parallel()
	for _, fl := range []apiFlags{
		{input: "-", method: "POST"},
		{typedFields: []string{"text=@-"}},
	} {
		stdin := newBlockingReader(t)
		ctx, cancel := context.WithCancel(context.Background())
		done := startAPI(ctx, t, stdin, "com.example.echo", fl)
		<-stdin.called
		cancel()
		err := ended(t, done)
		if !errors.Is(err, context.Canceled) || exitCode(err) != exitFailure {
			t.Errorf("%+v: %v (exit %d), want the interruption", fl, err, exitCode(err))
		}
	}
}

// What api reads is bounded: a regular file over the bound is refused
// unread, standard input and /dev/zero once they gave that much; within
// it, all is read.
func TestAPIInputBounded(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := filepath.Join(dir, "big")
	small := filepath.Join(dir, "small")
	os.WriteFile(big, bytes.Repeat([]byte("x"), 4097), 0o600)
	os.WriteFile(small, bytes.Repeat([]byte("y"), 4096), 0o600)
	read := func(name, stdin string) ([]byte, error) {
		in := &apiInputs{ctx: context.Background(), stdin: strings.NewReader(stdin), limit: 4096}
		return in.read(name)
	}
	for _, tc := range []struct{ name, stdin string }{
		{big, ""},
		{"-", strings.Repeat("z", 4097)},
	} {
		if data, err := read(tc.name, tc.stdin); !errors.Is(err, errTooLarge) {
			t.Errorf("%s over the bound: %d bytes, %v", tc.name, len(data), err)
		}
	}
	if data, err := read(small, ""); err != nil || len(data) != 4096 {
		t.Errorf("a file at the bound: %d bytes, %v", len(data), err)
	}
	if data, err := read("-", strings.Repeat("z", 4096)); err != nil || len(data) != 4096 {
		t.Errorf("standard input at the bound: %d bytes, %v", len(data), err)
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		if data, err := read("/dev/zero", ""); !errors.Is(err, errTooLarge) {
			t.Errorf("/dev/zero: %d bytes, %v", len(data), err)
		}
	}
	// A file that cannot be read is a failure (exit 1), not a usage error.
	opts, err := apiOptionsOf("com.example.echo", apiFlags{typedFields: []string{"k=@" + filepath.Join(dir, "missing")}, maxPages: 1})
	if err != nil {
		t.Fatal(err)
	}
	in := &apiInputs{ctx: context.Background(), limit: 1}
	if _, err := apiRequest(opts, in.read); exitCode(err) != exitFailure || !strings.Contains(fmtErr(err), "no such file") {
		t.Errorf("-F k=@missing: %v (exit %d)", err, exitCode(err))
	}
}

func fmtErr(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// A field without its key (-f "$TOKEN", -F =secret) is refused without
// quoting it: it may be a secret given in the wrong place, as -H's and
// an unknown flag's refusals quote none.
func TestAPIFieldRefusalQuotesNoValue(t *testing.T) {
	t.Parallel()
	const secret = "hunter2-not-for-stderr"
	for _, fl := range []apiFlags{
		{rawFields: []string{secret}},
		{typedFields: []string{"ok=1", "=" + secret}},
	} {
		fl.maxPages = 1
		_, err := apiOptionsOf("com.example.echo", fl)
		if msg := fmtErr(err); exitCode(err) != exitUsage || !strings.Contains(msg, "key=value") || strings.Contains(msg, secret) {
			t.Errorf("%q (exit %d), want a usage error without the value", strings.ReplaceAll(msg, secret, "<the value>"), exitCode(err))
		}
	}
}
