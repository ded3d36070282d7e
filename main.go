// Command skyswitch switches between AT Protocol (Bluesky) accounts: a TUI
// for people and subcommands for scripts, sharing one accounts file.
//
// main only wires the process (its streams, terminal and signals) to the
// command line, package cli; everything else lives there and in auth,
// storage, accounts and ui.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"

	"github.com/skyswitch/skyswitch/cli"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	// The one owner of these signals: the first cancels ctx, and every
	// command (the switcher included) ends; a second one, once ctx is done,
	// gets the default action and ends the process at once.
	//
	// On Windows the same list does the same: ctrl+c and ctrl+break come
	// as os.Interrupt, and closing the console window (or logging off, or
	// shutting down) as syscall.SIGTERM, which Go's runtime makes of
	// CTRL_CLOSE_EVENT, holding Windows off (for about 5 s) while the
	// process ends (os/signal's doc, runtime/os_windows.go ctrlHandler).
	// SIGHUP never comes there. In the switcher the console is raw, so
	// ctrl+c is a key, which quits.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	context.AfterFunc(ctx, stop)
	in := int(os.Stdin.Fd())
	app := &cli.App{
		Version: version, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv,
		Interactive:    term.IsTerminal(in) && term.IsTerminal(int(os.Stderr.Fd())),
		StdoutTerminal: term.IsTerminal(int(os.Stdout.Fd())),
		Environ:        os.Environ,
		ReadSecret:     func() (string, error) { b, err := term.ReadPassword(in); return string(b), err },
	}
	os.Exit(app.Run(ctx, os.Args[1:]))
}
