package cli

// Tests of api --output: a file is replaced only by a whole answer, and
// keeps its mode; what is not a regular file is written as it is.

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// oscPayload is what com.example.osc would put on the clipboard (base64
// of "pwned").
const oscPayload = "cHduZWQ="

// dirNames lists dir, to see that no temporary file is left behind.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func wantFile(t *testing.T, path, want string) {
	t.Helper()
	if data, err := os.ReadFile(path); err != nil || string(data) != want {
		t.Errorf("%s: %q (%v), want %q", filepath.Base(path), data, err, want)
	}
}

// An answer cut mid-body, a page cut mid-body, --max-pages reached: each
// fails and leaves --output's file as it was, with no temporary file left
// beside it.
func TestAPIOutputKeepsTheFileOnFailure(t *testing.T) {
	t.Parallel()
	e, _ := apiWorld(t, fakepds.Options{})
	dir := t.TempDir()
	file := filepath.Join(dir, "saved.json")
	const precious = "yesterday's download\n"
	if err := os.WriteFile(file, []byte(precious), 0o640); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"com.example.cut"},
		{"--paginate", "-F", "limit=3", "-f", "collection=cut", "-f", "repo=alice.test", "com.atproto.repo.listRecords"},
		{"--paginate", "--slurp", "-F", "limit=3", "-f", "collection=cut", "-f", "repo=alice.test", "com.atproto.repo.listRecords"},
		{"--paginate", "--max-pages", "1", "-F", "limit=3", "-f", "repo=alice.test", "-f", "collection=com.example.item", "com.atproto.repo.listRecords"},
	} {
		wantError(t, e.run("", append([]string{"api", "--output", file}, args...)...), exitFailure, "left as it was")
		wantFile(t, file, precious)
		if names := dirNames(t, dir); !slices.Equal(names, []string{"saved.json"}) {
			t.Errorf("api %v left %v", args, names)
		}
	}
	// A whole answer replaces it, and the file keeps its mode.
	wantCode(t, e.run("", "api", "--output", file, "-f", "did=did:plc:stub", "-f", "cid=bafystub", "com.atproto.sync.getBlob"), exitOK)
	wantFile(t, file, blobBytes)
	if fi, err := os.Stat(file); err != nil || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o640 {
		t.Errorf("the replaced file's mode: %v (%v), want 0640", fi.Mode(), err)
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"saved.json"}) {
		t.Errorf("a whole answer left %v", names)
	}
}

// A new file gets the mode os.Create gives (0666 less the umask); a
// symlink stays a link and its target is replaced; a file that cannot be
// written is not replaced.
func TestAPIOutputFileModes(t *testing.T) {
	t.Parallel()
	e, _ := apiWorld(t, fakepds.Options{})
	dir := t.TempDir()
	created, err := os.Create(filepath.Join(dir, "by-os-create"))
	if err != nil {
		t.Fatal(err)
	}
	created.Close()
	want, _ := os.Stat(created.Name())
	file := filepath.Join(dir, "new")
	wantCode(t, e.run("", "api", "--output", file, "-f", "did=did:plc:stub", "-f", "cid=bafystub", "com.atproto.sync.getBlob"), exitOK)
	if fi, err := os.Stat(file); err != nil || fi.Mode() != want.Mode() {
		t.Errorf("a new file's mode: %v (%v), want %v as os.Create gives", fi.Mode(), err, want.Mode())
	}
	if runtime.GOOS == "windows" {
		return
	}
	target := filepath.Join(dir, "target")
	os.WriteFile(target, []byte("old"), 0o600)
	link := filepath.Join(dir, "link")
	if err := os.Symlink("target", link); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.run("", "api", "--output", link, "-f", "did=did:plc:stub", "-f", "cid=bafystub", "com.atproto.sync.getBlob"), exitOK)
	wantFile(t, target, blobBytes)
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("--output through a symlink replaced the link: %v", err)
	}
	if os.Getuid() != 0 { // root writes a read-only file anyway
		readOnly := filepath.Join(dir, "read-only")
		os.WriteFile(readOnly, []byte("kept"), 0o444)
		wantError(t, e.run("", "api", "--output", readOnly, "-f", "did=did:plc:stub", "-f", "cid=bafystub", "com.atproto.sync.getBlob"), exitFailure, "--output", "permission denied")
		wantFile(t, readOnly, "kept")
		// A folder where no temporary file can be made: said, and nothing
		// is written.
		roDir := filepath.Join(dir, "ro")
		os.Mkdir(roDir, 0o555)
		wantError(t, e.run("", "api", "--output", filepath.Join(roDir, "new"), "-f", "did=did:plc:stub", "-f", "cid=bafystub", "com.atproto.sync.getBlob"), exitFailure, "temporary file beside", "permission denied")
		if names := dirNames(t, roDir); len(names) != 0 {
			t.Errorf("a read-only folder got %v", names)
		}
	}
}

// -i's status and headers that cannot be written fail the call, even when
// no body follows them.
func TestAPIIncludeWriteError(t *testing.T) {
	t.Parallel()
	call := func(auth.RawRequest) (*auth.RawResponse, error) {
		return &auth.RawResponse{Status: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(""))}, nil
	}
	out := &apiOut{head: failWriter{}}
	if _, err := answer(call, auth.RawRequest{NSID: "com.example.empty"}, apiOptions{include: true}, out); err == nil {
		t.Error("-i's head was not written, and nothing said so")
	}
}
