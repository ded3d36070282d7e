package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/deb"
	"github.com/goreleaser/nfpm/v2/files"
)

// debDescription is the package's description: a synopsis line, then the
// long description.
const debDescription = `switch between AT Protocol (Bluesky) accounts
 A terminal account switcher for AT Protocol (Bluesky) identities: it keeps
 the sessions of several accounts in one place, shows when each token
 expires, refreshes them before they lapse, and gives scripts the active
 account's token with one command.`

// deb writes the .deb for the linux target t into r.out and returns its
// file name.
func (r release) deb(t target, bin string, x *extras) (string, error) {
	work := filepath.Dir(bin)
	man, err := gzipped(x.man, r.mtime)
	if err != nil {
		return "", err
	}
	extra := []struct {
		name string
		data []byte
	}{{"skyswitch.1.gz", man}, {"skyswitch.bash", x.bash}, {"_skyswitch", x.zsh}, {"skyswitch.fish", x.fish}}
	for _, e := range extra {
		if err := os.WriteFile(filepath.Join(work, e.name), e.data, 0o644); err != nil {
			return "", err
		}
	}
	file := func(src, dst string, mode os.FileMode) *files.Content {
		return &files.Content{Source: filepath.Join(work, src), Destination: dst,
			FileInfo: &files.ContentFileInfo{Mode: mode, MTime: r.mtime}}
	}
	info := nfpm.WithDefaults(&nfpm.Info{
		Name: "skyswitch", Arch: t.goarch, Platform: "linux", Version: r.version,
		Section: "utils", Priority: "optional",
		Maintainer:  "skyswitch <skyswitch@users.noreply.github.com>",
		Description: debDescription,
		Homepage:    "https://github.com/skyswitch/skyswitch",
		MTime:       r.mtime,
		Overridables: nfpm.Overridables{Contents: files.Contents{
			file(filepath.Base(bin), "/usr/bin/skyswitch", 0o755),
			file("skyswitch.1.gz", "/usr/share/man/man1/skyswitch.1.gz", 0o644),
			file("skyswitch.bash", "/usr/share/bash-completion/completions/skyswitch", 0o644),
			file("_skyswitch", "/usr/share/zsh/vendor-completions/_skyswitch", 0o644),
			file("skyswitch.fish", "/usr/share/fish/vendor_completions.d/skyswitch.fish", 0o644),
		}},
	})
	if err := nfpm.PrepareForPackager(info, "deb"); err != nil {
		return "", fmt.Errorf("deb for %s: %w", t.goarch, err)
	}
	name := deb.Default.ConventionalFileName(info)
	var buf bytes.Buffer
	if err := deb.Default.Package(info, &buf); err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return name, os.WriteFile(filepath.Join(r.out, name), buf.Bytes(), 0o644)
}

// gzipped is data gzipped at the best compression, dated mtime and with no
// name, as a manual page is installed.
func gzipped(data []byte, mtime time.Time) ([]byte, error) {
	var b bytes.Buffer
	gz, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	gz.ModTime = mtime
	if _, err := gz.Write(data); err != nil {
		return nil, err
	}
	err = gz.Close()
	return b.Bytes(), err
}
