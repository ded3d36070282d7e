package cli

// A closed standard output, which in a Go process swallows what is
// written without an error (closedStdout): token and env, which only
// print, refuse to run; exec and api, whose command or call may be the
// point, say on stderr that what they print is lost.

import (
	"fmt"
	"os"
)

// stdoutClosedText says what a closed standard output is, for people.
const stdoutClosedText = "standard output is closed (or is /dev/null opened for reading and writing, which Go puts in place of a closed one)"

// stdoutClosed says whether the run's standard output is closed.
func (e *invocation) stdoutClosed() bool {
	f, ok := e.app.Stdout.(*os.File)
	return ok && closedStdout(f)
}

// refuseClosedStdout is the error of a command that only prints (what it
// prints named by what), run with its standard output closed; else nil.
func (e *invocation) refuseClosedStdout(name, what string) error {
	if !e.stdoutClosed() {
		return nil
	}
	return &exitError{exitFailure, fmt.Errorf("%s: %s: %s would be lost; print it to a pipe or a file", name, stdoutClosedText, what)}
}

// noteClosedStdout says on stderr that what a command prints (what) is
// lost, when its standard output is closed.
func (e *invocation) noteClosedStdout(what string) {
	if e.stdoutClosed() {
		fmt.Fprintf(e.stderr, "skyswitch: note: %s: %s will be lost\n", stdoutClosedText, what)
	}
}
