package cli

// api --output's file. A regular file (or a new one) is written as a
// temporary file beside it and renamed over it only once the whole answer
// is in, so a failed download destroys nothing; anything else (a
// terminal, a pipe, /dev/null, /dev/stdout) is opened and written as it
// is, and whether it is a terminal is asked of what was opened.

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/term"
)

// outFile is --output's file once open.
type outFile struct {
	*os.File
	// target is the file a temporary one replaces on commit; "" when the
	// path was opened as it is.
	target string
	mode   fs.FileMode // the target's mode, set on the temporary file at commit
}

// createOutput opens --output's path: a temporary file beside a regular
// (or new) file, else the path itself.
func createOutput(path string) (*outFile, error) {
	target, replace, err := replaceable(path)
	if err != nil {
		return nil, err
	}
	if !replace {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
		if err != nil {
			return nil, err
		}
		return &outFile{File: f}, nil
	}
	return createBeside(target)
}

// createBeside creates a temporary file in target's folder, readable by
// its owner only until commit gives it the target's mode: an existing
// file's, or the one os.Create would give a new file (0666 less the
// umask, which the temporary file was created with).
func createBeside(target string) (*outFile, error) {
	fi, err := os.Stat(target)
	if err == nil {
		// Refused as before when the file cannot be written, rather than
		// replaced because its folder can.
		w, err := os.OpenFile(target, os.O_WRONLY, 0)
		if err != nil {
			return nil, err
		}
		w.Close()
	}
	f, err := createTemp(target)
	if err != nil {
		return nil, fmt.Errorf("a temporary file beside %s, renamed over it once the answer is whole: %w", target, err)
	}
	if fi == nil {
		if fi, err = f.Stat(); err != nil {
			f.Close()
			os.Remove(f.Name())
			return nil, err
		}
	}
	mode := fi.Mode().Perm()
	if err := f.Chmod(0o600); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return &outFile{File: f, target: target, mode: mode}, nil
}

// createTemp creates a new file named .<name>.skyswitch-<random> beside
// target, with the mode os.Create gives.
func createTemp(target string) (*os.File, error) {
	dir, name := filepath.Split(target)
	for range 100 {
		var b [6]byte
		rand.Read(b[:])
		tmp := filepath.Join(dir, "."+name+".skyswitch-"+hex.EncodeToString(b[:]))
		f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, fmt.Errorf("no free temporary name beside %s", name)
}

// replaceable says whether path is written by a temporary file renamed
// over target: yes for a regular file or a new one, also at the end of
// symlinks; no for anything else, and for /dev and /proc, whose links
// (/dev/stdout, /proc/self/fd/1) name a descriptor of this process.
func replaceable(path string) (target string, ok bool, err error) {
	p := path
	for range 40 {
		if underDevices(p) {
			return "", false, nil
		}
		fi, err := os.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return p, true, nil
		case err != nil:
			return "", false, err
		case fi.Mode().IsRegular():
			return p, true, nil
		case fi.Mode()&fs.ModeSymlink == 0:
			return "", false, nil
		}
		link, err := os.Readlink(p)
		if err != nil {
			return "", false, err
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(p), link)
		}
		p = link
	}
	return "", false, nil // a loop of links: opening it says so
}

func underDevices(path string) bool {
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	return abs == "/dev" || abs == "/proc" || strings.HasPrefix(abs, "/dev/") || strings.HasPrefix(abs, "/proc/")
}

// terminal says whether what was opened is a terminal.
func (f *outFile) terminal() bool { return term.IsTerminal(int(f.Fd())) }

// commit closes the file; a temporary one takes the target's mode and
// replaces it.
func (f *outFile) commit() error {
	if f.target == "" {
		return f.Close()
	}
	err := f.Chmod(f.mode)
	if errors.Is(err, errors.ErrUnsupported) {
		err = nil
	}
	if err = errors.Join(err, f.Sync(), f.Close()); err == nil {
		err = os.Rename(f.Name(), f.target)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// abort closes the file; a temporary one is removed, leaving the target
// as it was.
func (f *outFile) abort() {
	f.Close()
	if f.target != "" {
		os.Remove(f.Name())
	}
}
