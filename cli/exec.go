package cli

// skyswitch exec: run a command with the chosen account's session in its
// environment, so a script's own XRPC client needs no login and no
// skyswitch token call. The token goes in the environment only, never on
// a command line (where ps would show it). An OAuth account's command gets
// a loopback proxy and a secret of the run instead (execproxy.go).

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"github.com/skyswitch/skyswitch/storage"
)

func execCommand() command {
	return command{
		name: "exec", args: "-- <command> [<args>]", helpArgs: "[--account <account>] -- <command> [<args>]",
		summary: "run a command with the session in ATP_PDS_URL, ATP_ACCESS_TOKEN, ATP_DID, ATP_HANDLE",
		rest:    true, override: true,
		run: func(ctx context.Context, e *invocation, args []string) error {
			if len(args) == 0 {
				return usageErr("exec: name the command to run: skyswitch exec -- <command> [<args>]")
			}
			return runExec(ctx, execOptions{command: args}, e)
		},
	}
}

// execOptions: the command line to run.
type execOptions struct{ command []string }

// execMinLeft is how long exec's access token has left at least: it is
// refreshed first when it has less.
const execMinLeft = 10 * time.Minute

// The variables exec sets.
const (
	envPDSURL      = "ATP_PDS_URL"
	envAccessToken = "ATP_ACCESS_TOKEN"
	envDID         = "ATP_DID"
	envHandle      = "ATP_HANDLE"
)

// Exit codes of a command that could not be started, as shells give.
const (
	exitCannotRun = 126
	exitNotFound  = 127
)

// runExec runs the command with the account's session in its environment
// and its standard streams, and ends with its exit status (128+n when a
// signal n killed it, as shells say).
func runExec(ctx context.Context, opts execOptions, e *invocation) error {
	e.noteClosedStdout("the command's output")
	ident, source := e.choose("")
	a, err := e.mgr.Token(ctx, ident, execMinLeft)
	if err != nil {
		return fromOverride(err, source)
	}
	e.warnings()
	s, err := e.execSession(ctx, a)
	if err != nil {
		return err
	}
	defer s.end(ctx, e)
	cmd := exec.Command(opts.command[0], opts.command[1:]...)
	cmd.Env = execEnv(e.environ(), a, s)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = e.app.Stdin, e.app.Stdout, e.app.Stderr
	// Signals are caught before the command starts, so none is missed.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return startError(opts.command[0], err)
	}
	return e.wait(ctx, cmd, sigs)
}

func (e *invocation) environ() []string {
	if e.app.Environ == nil {
		return nil
	}
	return e.app.Environ()
}

// execEnv is environ with the account's variables set: appended, and
// os/exec keeps the last value of a name given twice. The PDS's URL and
// the token are s's (the proxy's, for an OAuth account, which no HTTP
// proxy of the environment must take: see noProxy). SKYSWITCH_ACCOUNT
// pins everything the command starts to the account, by its DID: a
// skyswitch called inside acts as the account whose ATP_DID it was given,
// not as the saved active one, whatever is switched or renamed meanwhile.
func execEnv(environ []string, a storage.Account, s execSession) []string {
	return append(slices.Clone(environ), append(s.noProxy(environ),
		envPDSURL+"="+s.pds,
		envAccessToken+"="+s.token,
		envDID+"="+a.DID,
		envHandle+"="+a.Handle,
		envAccount+"="+a.DID,
	)...)
}

// startError says why the command did not start, with the shell's codes.
func startError(name string, err error) error {
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
		return &exitError{exitNotFound, fmt.Errorf("exec: %s: command not found", name)}
	}
	return &exitError{exitCannotRun, fmt.Errorf("exec: %s: %w", name, err)}
}

// wait waits for the command to end, passing on to it the signals that
// reach skyswitch, so that it, not skyswitch, decides how to stop: main's
// first signal cancels ctx, and while exec watches, a second one is
// caught too instead of ending skyswitch before its command. The one
// exception: Ctrl-C on a terminal already reached the command (the
// terminal signals the whole foreground process group), and a second
// SIGINT would make a shell or a REPL see two. A ctx ended by anything but
// a signal (a deadline, a plain cancel) kills the command.
func (e *invocation) wait(ctx context.Context, cmd *exec.Cmd, sigs <-chan os.Signal) error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	ctxDone := ctx.Done()
	for {
		select {
		case err := <-done:
			return childStatus(err)
		case sig := <-sigs:
			if sig == os.Interrupt && e.app.Interactive {
				continue
			}
			_ = cmd.Process.Signal(sig)
		case <-ctxDone:
			ctxDone = nil
			// A signal's cancel has a cause of its own (signal.NotifyContext).
			if context.Cause(ctx) == ctx.Err() {
				_ = cmd.Process.Kill()
			}
		}
	}
}

// childStatus is the command's exit status as exec's own: nil for 0,
// exitStatus for another (128+n for a signal n), or what went wrong.
func childStatus(err error) error {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		if err != nil {
			return fmt.Errorf("exec: %w", err)
		}
		return nil
	}
	if ws, ok := ee.Sys().(interface {
		Signaled() bool
		Signal() syscall.Signal
	}); ok && ws.Signaled() {
		return exitStatus(128 + int(ws.Signal()))
	}
	return exitStatus(ee.ExitCode())
}
