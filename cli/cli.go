// Package cli is skyswitch's command line: one table of commands (table)
// drives dispatch, the usage, each command's --help, the man page and the
// bash, zsh, fish and PowerShell completion. Each command parses its flags
// into an options struct, then runs as run<Name>(ctx, opts, e), e being
// the run's invocation, which tests call without a process.
//
// Everything a run writes passes the one sanitiser (internal/sanitize):
// server answers, certificate names, Go's error texts and the accounts
// file's strings are all outside text, and nothing but our own words may
// act on the terminal.
package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/sanitize"
	"github.com/skyswitch/skyswitch/storage"
)

// Exit codes, documented in the README and in usage.
const (
	exitOK        = 0
	exitFailure   = 1
	exitUsage     = 2
	exitNeedsCode = 3
	exitNoSession = 4
)

// App is the command line's configuration: the streams, environment and
// terminal of the process, and what it runs against. main builds it from
// the process; tests from buffers, a temp accounts file and the fake
// server. Run never changes it: what one run learns lives in its invocation.
type App struct {
	// Version is the build's version, for --version, the usage and the
	// User-Agent.
	Version        string
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Interactive: stdin and stderr are terminals, so prompts are allowed.
	Interactive bool
	// StdoutTerminal: stdout is a terminal, where api prints JSON indented
	// and refuses to print a body that is not JSON.
	StdoutTerminal bool
	// Environ is the process's environment, which exec passes on to its
	// command; nil passes none but exec's own variables.
	Environ func() []string
	// ReadSecret reads a line without echo.
	ReadSecret func() (string, error)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Keyring, when set, is the keyring the store uses instead of the OS
	// one (tests give a fake), also for a Manager a test set.
	Keyring storage.Secrets
	// Manager, when set, is used instead of one opened on the default
	// accounts file (tests set one with the fake server's client).
	Manager *accounts.Manager
	// OpenBrowser opens a web page in the person's browser (login --oauth,
	// and the switcher form's sign-in through the browser);
	// nil means the system's opener (internal/browser). Tests play the
	// browser with it.
	OpenBrowser func(url string) error

	// execProxy, when set, makes exec give every account's command the
	// loopback proxy, as it gives an OAuth account's, with these options:
	// tests set it to run the proxy with password accounts.
	execProxy *accounts.ProxyOptions
}

// invocation is one run: the App's streams behind the sanitiser, and what the run
// learns as it goes: the account --account names, the manager once the
// accounts file is opened, the reader of prompted lines.
type invocation struct {
	app            *App
	stdout, stderr io.Writer
	account        string            // --account, before the command or among its flags
	mgr            *accounts.Manager // set by open
	input          *bufio.Reader     // prompted lines, once a prompt read one
}

// exitError carries an exit code with the sentence to print.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// exitStatus ends a run with its code and prints nothing: exec passing on
// its command's exit status.
type exitStatus int

func (s exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(s)) }

func usageErr(format string, args ...any) error {
	return &exitError{exitUsage, fmt.Errorf(format, args...)}
}

// Run executes one command line and returns the exit code.
func (a *App) Run(ctx context.Context, args []string) int {
	out, errOut := sanitized(a.Stdout), sanitized(a.Stderr)
	defer out.Flush()
	defer errOut.Flush()
	e := &invocation{app: a, stdout: out, stderr: errOut}
	err := e.dispatch(ctx, args)
	var status exitStatus
	switch {
	case err == nil || errors.Is(err, errHelp):
		return exitOK
	case errors.As(err, &status):
		return int(status)
	}
	if code, ok := e.interrupted(ctx, err); ok {
		return code
	}
	fmt.Fprintf(e.stderr, "skyswitch: %s\n", sentence(err, e.clock()))
	var h *hinted
	if errors.As(err, &h) {
		fmt.Fprintln(e.stderr, h.hint)
	}
	return exitCode(err)
}

// exitCode is the exit code an error ends a run with.
func exitCode(err error) int {
	var ee *exitError
	switch {
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, auth.ErrAuthFactorTokenRequired):
		return exitNeedsCode
	case errors.Is(err, storage.ErrHandleChoice):
		// A handle two saved accounts claim, or an unverified one: the
		// command line must name the account by its DID.
		return exitUsage
	case errors.Is(err, accounts.ErrNoAccount), errors.Is(err, accounts.ErrSessionEnded):
		return exitNoSession
	}
	return exitFailure
}

// sanitized wraps w in the sanitiser, once.
func sanitized(w io.Writer) *sanitize.Writer {
	if sw, ok := w.(*sanitize.Writer); ok {
		return sw
	}
	return sanitize.NewWriter(w)
}

func (e *invocation) clock() time.Time {
	if e.app.Now != nil {
		return e.app.Now()
	}
	return time.Now()
}

func (e *invocation) getenv(k string) string {
	if e.app.Getenv == nil {
		return ""
	}
	return e.app.Getenv(k)
}

// warnings prints, once, what the store noticed (permissions tightened, a
// keyring that failed), and returns it.
func (e *invocation) warnings() []string {
	ws := e.mgr.Warnings()
	for _, w := range ws {
		fmt.Fprintf(e.stderr, "skyswitch: note: %s\n", w)
	}
	return ws
}

// sentence turns an error into one plain sentence for stderr, through
// the one table of error texts (accounts.Sentence), with the command
// line's advice.
func sentence(err error, now time.Time) string {
	return accounts.Sentence(err, now, cliSurface)
}

// cliSurface: errors whole (which call, what the server said), and advice
// that names flags and commands.
var cliSurface = accounts.Surface{
	Full:       true,
	SignInCode: "rerun with --auth-factor-token CODE",
	NewCode:    "run login without --auth-factor-token to get a new one",
	Service:    "name the server with --service (e.g. https://bsky.social)",
	Refresh:    "skyswitch refresh",
	MoveAside:  `"skyswitch move-aside" renames it`,
}
