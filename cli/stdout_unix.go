//go:build unix

package cli

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// closedStdout says whether f, standard output, was closed when the
// process started. Go's runtime then opens /dev/null in its place, for
// reading and writing, where every write succeeds and goes nowhere; a
// shell's >/dev/null opens it for writing only, and is left alone. (A
// program that hands skyswitch /dev/null opened for reading and writing,
// as Python's subprocess.DEVNULL does, is taken for a closed stdout too.)
// A descriptor that is not open at all is closed.
func closedStdout(f *os.File) bool {
	fd := f.Fd()
	flags, err := unix.FcntlInt(fd, unix.F_GETFL, 0)
	if err != nil {
		return errors.Is(err, unix.EBADF)
	}
	if flags&unix.O_ACCMODE != unix.O_RDWR {
		return false
	}
	var st, null unix.Stat_t
	if unix.Fstat(int(fd), &st) != nil || unix.Stat(os.DevNull, &null) != nil {
		return false
	}
	return st.Mode&unix.S_IFMT == unix.S_IFCHR && st.Rdev == null.Rdev
}
