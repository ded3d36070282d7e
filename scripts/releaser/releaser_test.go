package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var when = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

// The archives of a target: the binary (executable) and the README at the
// top, owned by root and dated with the commit; a zip for windows.
func TestArchivesHoldTheBinaryAndTheREADME(t *testing.T) {
	out, work := t.TempDir(), t.TempDir()
	r := release{out: out, version: "1.2.3", mtime: when}
	for _, tg := range []target{{"linux", "arm64"}, {"windows", "amd64"}} {
		bin := filepath.Join(work, "skyswitch")
		if tg.goos == "windows" {
			bin += ".exe"
		}
		if err := os.WriteFile(bin, []byte("binary for "+tg.goos), 0o755); err != nil {
			t.Fatal(err)
		}
		name, err := r.archive(tg, bin, []byte("# skyswitch"))
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]member
		switch tg.goos {
		case "windows":
			if name != "skyswitch_1.2.3_windows_amd64.zip" {
				t.Fatalf("windows archive %q", name)
			}
			got = readZip(t, filepath.Join(out, name))
		default:
			if name != "skyswitch_1.2.3_linux_arm64.tar.gz" {
				t.Fatalf("linux archive %q", name)
			}
			got = readTarGz(t, filepath.Join(out, name))
		}
		b := got[filepath.Base(bin)]
		if string(b.data) != "binary for "+tg.goos || b.mode.Perm() != 0o755 {
			t.Errorf("%s: binary %q mode %v, want its bytes, 0755", name, b.data, b.mode)
		}
		if m := got["README.md"]; string(m.data) != "# skyswitch" || m.mode.Perm() != 0o644 {
			t.Errorf("%s: README %q mode %v", name, m.data, m.mode)
		}
		if len(got) != 2 {
			t.Errorf("%s holds %d files, want 2", name, len(got))
		}
	}
}

func readTarGz(t *testing.T, path string) map[string]member {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	return readTar(t, gz)
}

func readTar(t *testing.T, r io.Reader) map[string]member {
	t.Helper()
	got := map[string]member{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return got
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeDir {
			continue
		}
		data, _ := io.ReadAll(tr)
		if !h.ModTime.Equal(when) || h.Uid != 0 || h.Gid != 0 {
			t.Errorf("%s: dated %v, owned by %d:%d; want %v, 0:0", h.Name, h.ModTime, h.Uid, h.Gid, when)
		}
		got[h.Name] = member{h.Name, h.FileInfo().Mode(), data}
	}
}

func readZip(t *testing.T, path string) map[string]member {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	got := map[string]member{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		if !f.Modified.Equal(when) {
			t.Errorf("%s: dated %v, want %v", f.Name, f.Modified, when)
		}
		got[f.Name] = member{f.Name, f.Mode(), data}
	}
	return got
}

// checksums.txt is what `sha256sum -c` reads: "<hex>  <name>", by name.
func TestChecksumsAreSha256sumLines(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{"b.zip": "bee", "a.tar.gz": "ay"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := checksums(dir, []string{"b.zip", "a.tar.gz"})
	if err != nil {
		t.Fatal(err)
	}
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	want := sum("ay") + "  a.tar.gz\n" + sum("bee") + "  b.zip\n"
	if string(got) != want {
		t.Errorf("checksums:\n%s\nwant:\n%s", got, want)
	}
}

// The .deb is a Debian package (an ar archive: debian-binary, control,
// data) named as Debian names them, whose control names the package, its
// version (the snapshot's pre-release after a ~, so it sorts before the
// release) and its architecture, and whose data puts the binary in
// /usr/bin, executable, beside its manual page and completion.
func TestDebHoldsTheBinary(t *testing.T) {
	out, work := t.TempDir(), t.TempDir()
	bin := filepath.Join(work, "skyswitch")
	if err := os.WriteFile(bin, []byte("the arm64 binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := release{out: out, version: "0.0.0-SNAPSHOT-abc1234", mtime: when}
	x := &extras{man: []byte(".TH SKYSWITCH 1"), bash: []byte("# bash"), zsh: []byte("#compdef skyswitch"), fish: []byte("# fish")}
	name, err := r.deb(target{"linux", "arm64"}, bin, x)
	if err != nil {
		t.Fatal(err)
	}
	if name != "skyswitch_0.0.0~SNAPSHOT-abc1234_arm64.deb" {
		t.Errorf("deb named %q", name)
	}
	members := readAr(t, filepath.Join(out, name))
	if string(members["debian-binary"]) != "2.0\n" {
		t.Errorf("debian-binary %q", members["debian-binary"])
	}
	control := readTarGzBytes(t, members["control.tar.gz"])["./control"]
	for _, line := range []string{"Package: skyswitch", "Version: 0.0.0~SNAPSHOT-abc1234", "Architecture: arm64"} {
		if !strings.Contains(string(control.data), line+"\n") {
			t.Errorf("control has no %q:\n%s", line, control.data)
		}
	}
	data := readTarGzBytes(t, members["data.tar.gz"])
	if b := data["./usr/bin/skyswitch"]; string(b.data) != "the arm64 binary" || b.mode.Perm() != 0o755 {
		t.Errorf("/usr/bin/skyswitch: %q mode %v", b.data, b.mode)
	}
	for _, p := range []string{"./usr/share/man/man1/skyswitch.1.gz", "./usr/share/bash-completion/completions/skyswitch",
		"./usr/share/zsh/vendor-completions/_skyswitch", "./usr/share/fish/vendor_completions.d/skyswitch.fish"} {
		if _, ok := data[p]; !ok {
			t.Errorf("the data has no %s", p)
		}
	}
}

func readTarGzBytes(t *testing.T, b []byte) map[string]member {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return readTar(t, gz)
}

// readAr reads a Unix ar archive (a .deb): its members by name.
func readAr(t *testing.T, path string) map[string][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rest, ok := bytes.CutPrefix(b, []byte("!<arch>\n"))
	if !ok {
		t.Fatalf("%s is not an ar archive", path)
	}
	got := map[string][]byte{}
	for len(rest) >= 60 {
		h := rest[:60]
		name := strings.TrimRight(strings.TrimSpace(string(h[:16])), "/")
		size, err := strconv.Atoi(strings.TrimSpace(string(h[48:58])))
		if err != nil || 60+size > len(rest) {
			t.Fatalf("bad ar header %q", h)
		}
		got[name] = rest[60 : 60+size]
		rest = rest[60+size+size%2:]
	}
	return got
}
