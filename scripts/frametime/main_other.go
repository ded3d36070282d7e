//go:build !linux

package main

import (
	"fmt"
	"os"
)

// main says that frametime measures only on Linux: it opens /dev/ptmx and
// drives it with Linux's ioctls (TIOCSPTLCK, TIOCGPTN). This stub lets
// go build, go vet and go test ./... pass on macOS and Windows.
func main() {
	fmt.Fprintln(os.Stderr, "frametime: Linux only (it opens /dev/ptmx with Linux's ioctls); run scripts/first-frame on Linux")
	os.Exit(2)
}
