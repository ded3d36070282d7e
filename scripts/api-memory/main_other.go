//go:build !linux

package main

import (
	"fmt"
	"os"
)

// main says that api-memory measures only on Linux: it reads the child's
// peak RSS from ru_maxrss, which Windows has not and macOS counts in
// bytes. This stub lets go build and go vet ./... pass there.
func main() {
	fmt.Fprintln(os.Stderr, "api-memory: Linux only (it reads the child's ru_maxrss in KiB)")
	os.Exit(2)
}
