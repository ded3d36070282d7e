// Command releaser makes skyswitch's release files in one folder: an
// archive for each system (tar.gz; zip for Windows) holding the binary and
// the README, a .deb for Linux on amd64 and arm64 (the binary, its manual
// page and its bash, zsh and fish completion), and checksums.txt, the
// SHA-256 of each, as sha256sum writes them. scripts/release runs it with
// the version from the git tag; read that script first.
//
//	go run . -root ../.. -out ../../dist -version 1.2.3 -mtime 1700000000
//
// It is a module of its own so that nfpm, which writes the .deb, never
// becomes a dependency of skyswitch: `go list -deps .` of the binary does
// not name it.
//
// Every binary is built with CGO_ENABLED=0 (static, and it starts faster),
// -trimpath, and -ldflags "-s -w -X main.version=VERSION". Every file in
// every archive and package carries the time -mtime gives (the commit's),
// so two runs on one commit write the same bytes.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// target is one system the release is built for.
type target struct{ goos, goarch string }

// targets are the archives' systems; the linux ones get a .deb too.
var targets = []target{
	{"linux", "amd64"}, {"linux", "arm64"},
	{"darwin", "amd64"}, {"darwin", "arm64"},
	{"windows", "amd64"}, {"windows", "arm64"},
}

func main() {
	root := flag.String("root", ".", "the skyswitch repository's root")
	out := flag.String("out", "dist", "the folder to write the release to (emptied first)")
	version := flag.String("version", "", "the version, without a leading v (1.2.3, 0.0.0-SNAPSHOT-abc1234)")
	mtime := flag.Int64("mtime", 0, "the time of every file in the archives, in Unix seconds (the commit's)")
	flag.Parse()
	if *version == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: releaser -version VERSION [-root DIR] [-out DIR] [-mtime SECONDS]")
		os.Exit(2)
	}
	r := release{root: *root, out: *out, version: *version, mtime: time.Unix(*mtime, 0).UTC()}
	if err := r.run(); err != nil {
		fmt.Fprintln(os.Stderr, "releaser:", err)
		os.Exit(1)
	}
}

// release is one run: where the sources are, where the files go, and what
// they are stamped with.
type release struct {
	root, out, version string
	mtime              time.Time
}

func (r release) run() error {
	if err := os.RemoveAll(r.out); err != nil {
		return err
	}
	if err := os.MkdirAll(r.out, 0o755); err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "skyswitch-release-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	readme, err := os.ReadFile(filepath.Join(r.root, "README.md"))
	if err != nil {
		return err
	}
	var made []string
	var docs *extras
	for _, t := range targets {
		bin, err := r.build(t, work)
		if err != nil {
			return err
		}
		name, err := r.archive(t, bin, readme)
		if err != nil {
			return err
		}
		made = append(made, name)
		if t.goos != "linux" {
			continue
		}
		if docs == nil {
			if docs, err = r.extras(work); err != nil {
				return err
			}
		}
		deb, err := r.deb(t, bin, docs)
		if err != nil {
			return err
		}
		made = append(made, deb)
	}
	sums, err := checksums(r.out, made)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(r.out, "checksums.txt"), sums, 0o644)
}

// base is the name of a target's archive without its extension:
// skyswitch_1.2.3_linux_amd64.
func (r release) base(t target) string {
	return fmt.Sprintf("skyswitch_%s_%s_%s", r.version, t.goos, t.goarch)
}
