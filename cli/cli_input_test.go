package cli

// Over-long input on the command line: arguments of a megabyte and a
// password of 10 MB on standard input get a clear one-line error, quickly,
// without reading all of it, without a request, and nothing is written.

import (
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// countingReader is an endless stream of one byte that counts what was
// read from it.
type countingReader struct {
	b    byte
	left int // bytes to give; then a newline, then EOF
	read int
}

func (r *countingReader) Read(p []byte) (int, error) {
	if r.left < 0 {
		return 0, io.EOF
	}
	n := 0
	for ; n < len(p) && r.left > 0; n++ {
		p[n] = r.b
		r.left--
	}
	if n < len(p) && r.left == 0 {
		p[n] = '\n'
		n++
		r.left = -1
	}
	r.read += n
	return n, nil
}

func TestCLILoginOverlongInput(t *testing.T) {
	t.Parallel()
	const mib = 1 << 20
	e := newCLIEnv(t, fakepds.Options{})
	e.addAccount("alice.test")
	svc := e.srv.URL()
	huge := func(prefix string) string { return prefix + strings.Repeat("a", mib) }
	cases := []struct {
		name  string
		args  []string
		stdin int // bytes of password on stdin (then a newline)
		code  int
		want  string
	}{
		{"service", []string{"--service", huge("https://"), "--identifier", "alice.test"}, 20, exitUsage, "--service is too long"},
		{"identifier", []string{"--service", svc, "--identifier", huge("did:plc:")}, 20, exitUsage, "--identifier is too long"},
		{"identifier, a handle", []string{"--service", svc, "--identifier", huge("alice.")}, 20, exitUsage, "--identifier is too long"},
		{"sign-in code", []string{"--service", svc, "--identifier", "alice.test", "--auth-factor-token", huge("ABCDE-")}, 20, exitUsage, "--auth-factor-token is too long"},
		{"password of 10 MB", []string{"--service", svc, "--identifier", "alice.test"}, 10 * mib, exitUsage, "the password on standard input is too long"},
		{"password one byte too long", []string{"--service", svc, "--identifier", "alice.test"}, maxSecretLen + 1, exitUsage, "the password on standard input is too long"},
		// Within the limits, auth's own checks answer, still locally.
		{"identifier too long for a handle", []string{"--service", svc, "--identifier", strings.Repeat("a", 250) + ".test"}, 20, exitFailure, "not a handle, email or DID"},
		{"DID too long for a DID", []string{"--service", svc, "--identifier", "did:plc:" + strings.Repeat("a", 2041)}, 20, exitUsage, "--identifier is too long"},
		{"code of the wrong shape", []string{"--service", svc, "--identifier", "alice.test", "--auth-factor-token", strings.Repeat("A", 32)}, 20, exitFailure, "sign-in code"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			calls := e.guard.requests()
			in := &countingReader{b: 'p', left: tc.stdin}
			start := time.Now()
			r := e.runCLI(&App{Stdin: in}, append([]string{"login", "--password-stdin"}, tc.args...)...)
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("took %v", took)
			}
			if len(r.stderr) > 500 {
				t.Fatalf("exit %d and %d bytes of stderr: the input is echoed", r.code, len(r.stderr))
			}
			checkErr(t, r, tc.code, tc.want)
			if in.read > maxSecretLen+16 {
				t.Errorf("read %d bytes of standard input", in.read)
			}
			if n := e.guard.requests() - calls; n != 0 {
				t.Errorf("%d requests", n)
			}
			if _, err := os.Stat(e.path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the accounts file exists: %v", err)
			}
		})
	}
	// At the limits the login goes out (and fails at the server: a wrong
	// password, an unknown DID).
	for _, tc := range []struct {
		name  string
		args  []string
		stdin int
	}{
		{"password at the limit", []string{"--identifier", "alice.test"}, maxSecretLen},
		{"DID at the limit", []string{"--identifier", "did:plc:" + strings.Repeat("a", 2040)}, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := e.srv.Calls(nsidCreate)
			r := e.runCLI(&App{Stdin: &countingReader{b: 'p', left: tc.stdin}},
				append([]string{"login", "--password-stdin", "--service", svc}, tc.args...)...)
			checkErr(t, r, exitFailure, "wrong identifier or password")
			if n := e.srv.Calls(nsidCreate) - calls; n != 1 {
				t.Fatalf("%d logins reached the server", n)
			}
		})
	}
}

// TestCLILoginOverlongAtThePrompt: what a person types at login's prompts
// is held to the same limits as the flags, before anything is sent.
func TestCLILoginOverlongAtThePrompt(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	e.addAccount("alice.test")
	long := strings.Repeat("p", maxSecretLen+1)
	for _, tc := range []struct {
		name, typed, secret, want string
	}{
		{"password", "", long, "the password is too long"},
		{"identifier", strings.Repeat("a", 2049) + "\n", "pw", "the handle, email or DID is too long"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := e.guard.requests()
			args := []string{"login", "--service", e.srv.URL()}
			if tc.typed == "" {
				args = append(args, "--identifier", "alice.test")
			}
			r := e.runCLI(&App{Interactive: true, Stdin: strings.NewReader(tc.typed),
				ReadSecret: func() (string, error) { return tc.secret, nil }}, args...)
			// The prompts come first on stderr, then the error.
			i := strings.LastIndex(r.stderr, "skyswitch: ")
			if i < 0 {
				t.Fatalf("exit %d, no error on stderr", r.code)
			}
			r.stderr = r.stderr[i:]
			checkErr(t, r, exitUsage, tc.want)
			if n := e.guard.requests() - calls; n != 0 {
				t.Errorf("%d requests", n)
			}
		})
	}
}

// checkErr is wantError for command lines too long to print: the exit
// code, nothing on stdout, and stderr one "skyswitch: " line saying want.
func checkErr(t *testing.T, r result, code int, want string) {
	t.Helper()
	if len(r.stderr) > 500 {
		t.Fatalf("exit %d and %d bytes of stderr", r.code, len(r.stderr))
	}
	if r.code != code || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 ||
		!strings.HasPrefix(r.stderr, "skyswitch: ") || !strings.Contains(r.stderr, want) {
		t.Fatalf("exit %d (want %d), %d bytes of stdout, stderr %q (want one line saying %q)", r.code, code, len(r.stdout), r.stderr, want)
	}
}

// A 100 MB accounts file: every command, and the switcher before it takes
// the screen, stops with one sentence naming the file and how to start
// afresh; the file is not read, and is left as it was.
func TestCLIHundredMegabyteAccountsFile(t *testing.T) {
	t.Parallel()
	const size = 100 * 1000 * 1000
	e := newCLIEnv(t, fakepds.Options{})
	e.addAccount("alice.test")
	e.login("alice.test")
	// The real file, then 100 MB of nothing after it (sparse: no disk).
	if err := os.Truncate(e.path, size); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes(e.path, old, old); err != nil {
		t.Fatal(err)
	}
	before := fileState(t, e.path)
	calls := e.guard.requests()
	for _, args := range [][]string{
		{"list"}, {"list", "--json"}, {"status"}, {"token"}, {"switch", "alice.test"},
		{"refresh"}, {"logout"}, {"login", "--service", e.srv.URL(), "--identifier", "alice.test", "--password-stdin"},
		{}, // the switcher
	} {
		done := make(chan result, 1)
		go func() { done <- e.run(testPassword+"\n", args...) }()
		var r result
		select {
		case r = <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("skyswitch %v: still running after 20 s", args)
		}
		wantError(t, r, exitFailure, e.path, "100000000 bytes", `"skyswitch move-aside" renames it`)
		if strings.Count(r.stderr, ". ") > 0 {
			t.Errorf("skyswitch %v: more than one sentence: %q", args, r.stderr)
		}
		if after := fileState(t, e.path); !after.same(before) {
			t.Fatalf("skyswitch %v changed the file: size %d, mtime %v; was %d, %v", args, after.info.Size(), after.info.ModTime(), before.info.Size(), before.info.ModTime())
		}
	}
	// Only login talks to a server: it logged in, could not save, and
	// revoked that new session again.
	if n := e.guard.requests() - calls; n > 3 {
		t.Errorf("%d requests", n)
	}
}

// bigFile is what is compared of a file too large to compare whole.
type bigFile struct {
	info os.FileInfo
	ends [2][32]byte // SHA-256 of the first and the last MiB
}

func (a bigFile) same(b bigFile) bool {
	return os.SameFile(a.info, b.info) && a.info.Size() == b.info.Size() &&
		a.info.ModTime().Equal(b.info.ModTime()) && a.ends == b.ends
}

func fileState(t *testing.T, path string) bigFile {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	s := bigFile{info: fi}
	buf := make([]byte, 1<<20)
	for i, at := range []int64{0, fi.Size() - int64(len(buf))} {
		if _, err := f.ReadAt(buf, at); err != nil && !errors.Is(err, io.EOF) {
			t.Fatal(err)
		}
		s.ends[i] = sha256.Sum256(buf)
	}
	return s
}
