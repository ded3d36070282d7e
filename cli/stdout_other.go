//go:build !unix

package cli

import "os"

// closedStdout is false where Go's runtime puts nothing in place of a
// closed standard output: writing to it fails, and says so.
func closedStdout(*os.File) bool { return false }
