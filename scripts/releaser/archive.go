package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// member is one file of an archive.
type member struct {
	name string
	mode os.FileMode
	data []byte
}

// archive writes t's archive into r.out, the binary and the README at its
// top, and returns the archive's file name.
func (r release) archive(t target, bin string, readme []byte) (string, error) {
	data, err := os.ReadFile(bin)
	if err != nil {
		return "", err
	}
	files := []member{{filepath.Base(bin), 0o755, data}, {"README.md", 0o644, readme}}
	name := r.base(t) + ".tar.gz"
	write := writeTarGz
	if t.goos == "windows" {
		name, write = r.base(t)+".zip", writeZip
	}
	var buf bytes.Buffer
	if err := write(&buf, files, r.mtime); err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return name, os.WriteFile(filepath.Join(r.out, name), buf.Bytes(), 0o644)
}

// writeTarGz writes files as a gzipped tar, owned by root, dated mtime.
func writeTarGz(w io.Writer, files []member, mtime time.Time) error {
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)
	for _, f := range files {
		h := &tar.Header{Name: f.name, Mode: int64(f.mode), Size: int64(len(f.data)), ModTime: mtime,
			Typeflag: tar.TypeReg, Uname: "root", Gname: "root", Format: tar.FormatPAX}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if _, err := tw.Write(f.data); err != nil {
			return err
		}
	}
	return errors.Join(tw.Close(), gz.Close())
}

// writeZip writes files as a zip (deflated), dated mtime.
func writeZip(w io.Writer, files []member, mtime time.Time) error {
	zw := zip.NewWriter(w)
	for _, f := range files {
		h := &zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: mtime}
		h.SetMode(f.mode)
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// checksums is checksums.txt for the named files of dir: a line each,
// sorted by name, "<sha256 hex>  <name>", as `sha256sum -c` reads them.
func checksums(dir string, names []string) ([]byte, error) {
	names = slices.Sorted(slices.Values(names))
	var b bytes.Buffer
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(data)
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(sum[:]), n)
	}
	return b.Bytes(), nil
}
