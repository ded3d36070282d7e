// Command skyswitch switches between AT Protocol (Bluesky) accounts: a TUI
// for people and subcommands for scripts, sharing one accounts file.
//
// main parses arguments and wires auth (the network), storage (the file)
// and accounts (what the two do together) into the command that was asked
// for. Everything else lives in those packages and in ui.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	// The one owner of these signals: the first cancels ctx, and every
	// command (the switcher included) ends; a second one, once ctx is done,
	// gets the default action and ends the process at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	context.AfterFunc(ctx, stop)
	c := &cli{
		stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr,
		getenv:      os.Getenv,
		interactive: term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(os.Stderr.Fd())),
		readSecret: func() (string, error) {
			b, err := term.ReadPassword(int(os.Stdin.Fd()))
			return string(b), err
		},
	}
	os.Exit(c.run(ctx, os.Args[1:]))
}
