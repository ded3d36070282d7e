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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	context.AfterFunc(ctx, stop)
	in := int(os.Stdin.Fd())
	app := &cli.App{
		Version: version, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv,
		Interactive: term.IsTerminal(in) && term.IsTerminal(int(os.Stderr.Fd())),
		ReadSecret:  func() (string, error) { b, err := term.ReadPassword(in); return string(b), err },
	}
	os.Exit(app.Run(ctx, os.Args[1:]))
}
