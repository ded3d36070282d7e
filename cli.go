package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
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

// cli is one invocation: its streams, environment and collaborators. Tests
// build it with buffers, a temp accounts file and the fake server.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	interactive    bool                   // stdin and stderr are terminals: prompts allowed
	readSecret     func() (string, error) // reads a line without echo
	now            func() time.Time
	account        string // --account, before the command or among its flags

	mgr   *accounts.Manager // set by setup unless a test set it
	input *bufio.Reader
	// keyring, when set, is the keyring the store uses instead of the OS
	// one (tests give a fake); setup gives it to the store even when a
	// test set mgr.
	keyring storage.Secrets
}

// exitError carries an exit code with the sentence to print.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, args ...any) error {
	return &exitError{exitUsage, fmt.Errorf(format, args...)}
}

type command struct {
	name, args, summary string
	run                 func(c *cli, ctx context.Context, args []string) error
	// override: --account and SKYSWITCH_ACCOUNT choose the account it acts
	// on when none is named.
	override bool
	// noStore: it never opens the accounts file.
	noStore bool
}

var commands = []command{
	{name: "login", args: "[--service URL] [--identifier ID] [--password-stdin] [--auth-factor-token CODE]", summary: "add an account (or log in again) and make it active", run: (*cli).login},
	{name: "list", args: "[--json | --handles]", summary: "list saved accounts, the active one first", run: (*cli).list},
	{name: "switch", args: "<account> | -", summary: "make an account the active identity (- goes back)", run: (*cli).switchTo},
	{name: "status", args: "[--json] [<account>]", summary: "show which account is used, the PDS and the tokens' time left", run: (*cli).status, override: true},
	{name: "token", args: "[<account>]", summary: "print a valid access token (refreshed if under 60 s left)", run: (*cli).token, override: true},
	{name: "refresh", args: "[<account> | --all]", summary: "refresh tokens now", run: (*cli).refresh, override: true},
	{name: "logout", args: "[<account> | --all]", summary: "revoke the session on the server and remove the account", run: (*cli).logout},
	{name: "env", args: "[<account>] [--shell bash|zsh|fish] [--unset]", summary: "print the shell command that pins this shell to an account", run: (*cli).env, override: true},
	{name: "completion", args: "bash|zsh|fish", summary: "print the shell completion script", run: (*cli).completion, noStore: true},
	{name: "move-aside", args: "", summary: "start afresh: rename an unreadable accounts file (never deletes it)", run: (*cli).moveAside},
	{name: "secrets", args: "[file|keyring]", summary: "show or choose where tokens are kept: the accounts file (default) or the OS keyring", run: (*cli).secrets},
}

func (c *cli) usage(w io.Writer) {
	fmt.Fprintf(w, "skyswitch %s: switch between AT Protocol (Bluesky) accounts\n\nUsage:\n", version)
	fmt.Fprintf(w, "  %-18s %s\n", "skyswitch", "open the account switcher")
	fmt.Fprintf(w, "  %s\n      %s\n", "skyswitch --account <account> [<command>]", "use an account for this command only (see below)")
	fmt.Fprintf(w, "  %-18s %s\n", "skyswitch --demo", "try it on sandbox servers (nothing real is touched)")
	for _, cmd := range commands {
		fmt.Fprintf(w, "  %s\n      %s\n", strings.TrimSpace("skyswitch "+cmd.name+" "+cmd.args), cmd.summary)
	}
	fmt.Fprint(w, `
An <account> is a handle or DID, with or without a leading @; the default
is the active account. Run "skyswitch <command> --help" for its flags.

Which account token, status, refresh, env and the switcher use: the one
named as argument, else --account, else $SKYSWITCH_ACCOUNT, else the saved
active account; an override never changes the saved one. To pin a shell:
  eval "$(skyswitch env @work.example)"               (bash, zsh)
  skyswitch env --shell fish @work.example | source   (fish)
Completion: source <(skyswitch completion bash) in ~/.bashrc (or zsh);
  skyswitch completion fish | source   in fish.
A rate-limited request (429) says when to try again; skyswitch never logs
in again by itself.
Tokens are kept in the accounts file unless "skyswitch secrets keyring"
moves them to the OS keyring; if it fails, they stay in the file and a
note says so.

Exit codes: 0 ok, 1 failure, 2 usage, 3 sign-in code required,
4 no usable session.
Accounts file: $XDG_CONFIG_HOME/skyswitch/accounts.json (usually ~/.config).
`)
}

// run executes one command line and returns the exit code. Everything it
// writes passes the one sanitiser: server answers, certificate names, Go's
// error texts and the accounts file's strings are all outside text, and
// nothing but our own words may act on the terminal.
func (c *cli) run(ctx context.Context, args []string) int {
	out, errOut := sanitized(c.stdout), sanitized(c.stderr)
	c.stdout, c.stderr = out, errOut
	defer out.Flush()
	defer errOut.Flush()
	err := c.dispatch(ctx, args)
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	code := exitFailure
	var ee *exitError
	switch {
	case errors.As(err, &ee):
		code = ee.code
	case errors.Is(err, auth.ErrAuthFactorTokenRequired):
		code = exitNeedsCode
	case errors.Is(err, accounts.ErrNoAccount), errors.Is(err, accounts.ErrSessionEnded):
		code = exitNoSession
	}
	fmt.Fprintf(c.stderr, "skyswitch: %s\n", sentence(err, c.clock()))
	return code
}

func (c *cli) dispatch(ctx context.Context, args []string) error {
	args, err := c.globalFlags(args)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		return c.tui(ctx)
	}
	switch args[0] {
	case "-h", "--help", "help":
		c.usage(c.stdout)
		return nil
	case "--demo":
		if c.account != "" {
			return usageErr("--account does not apply to --demo (its accounts are made up)")
		}
		return c.runDemo(ctx)
	case "-v", "--version", "version":
		fmt.Fprintf(c.stdout, "skyswitch %s\n", version)
		return nil
	}
	for _, cmd := range commands {
		if cmd.name == args[0] {
			if c.account != "" && !cmd.override {
				return usageErr("--account applies to token, status, refresh, env and the switcher, not to %s", cmd.name)
			}
			if !cmd.noStore {
				if err := c.setup(); err != nil {
					return err
				}
			}
			return cmd.run(c, ctx, args[1:])
		}
	}
	c.usage(c.stderr)
	return usageErr("unknown command %q", args[0])
}

// sanitized wraps w in the sanitiser, once.
func sanitized(w io.Writer) *sanitize.Writer {
	if sw, ok := w.(*sanitize.Writer); ok {
		return sw
	}
	return sanitize.NewWriter(w)
}

// setup opens the accounts file and the client, once.
func (c *cli) setup() error {
	if c.mgr != nil {
		if c.keyring != nil {
			c.mgr.Store.UseSecrets(c.keyring)
		}
		return nil
	}
	path, err := storage.DefaultPath()
	if err != nil {
		return err
	}
	client, err := newClient(c.getenv)
	if err != nil {
		return err
	}
	c.mgr = &accounts.Manager{Store: openStore(path, c.keyring), Client: client, Now: c.now}
	return nil
}

// newClient is the network client, with the did:plc directory from
// SKYSWITCH_PLC_URL when set (a self-hosted or test directory).
func newClient(getenv func(string) string) (*auth.Client, error) {
	plc := getenv("SKYSWITCH_PLC_URL")
	if plc != "" {
		var err error
		if plc, err = auth.NormalizeServiceURL(plc); err != nil {
			return nil, usageErr("SKYSWITCH_PLC_URL: %v", err)
		}
	}
	return &auth.Client{Version: version, Resolver: &auth.Resolver{PLCURL: plc, Version: version}}, nil
}

// flags parses interleaved flags and arguments ("status @a --json"). On a
// bad flag it prints the command's usage; the error itself is printed once,
// by run, as the last line.
func (c *cli) flags(fs *flag.FlagSet, args []string, maxArgs int) ([]string, error) {
	fs.SetOutput(io.Discard) // the flag package would print the error too
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			fs.SetOutput(c.stderr)
			fs.Usage()
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &exitError{exitUsage, err}
		}
		if fs.NArg() == 0 {
			break
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(rest) > maxArgs {
		return nil, usageErr("%s: too many arguments", fs.Name())
	}
	return rest, nil
}

func newFlags(name, args string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: skyswitch %s %s\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}

func (c *cli) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

// warnings prints, once, what the store noticed (permissions tightened, a
// keyring that failed), and returns it.
func (c *cli) warnings() []string {
	ws := c.mgr.Warnings()
	for _, w := range ws {
		fmt.Fprintf(c.stderr, "skyswitch: note: %s\n", w)
	}
	return ws
}

// sentence turns an error into one plain sentence for stderr.
func sentence(err error, now time.Time) string {
	var xe *auth.Error
	switch {
	case errors.Is(err, auth.ErrAuthenticationRequired) && errors.As(err, &xe) && strings.Contains(xe.Method, "createSession"):
		return "wrong identifier or password"
	case (errors.Is(err, auth.ErrInvalidToken) || errors.Is(err, auth.ErrExpiredToken)) && errors.As(err, &xe) && strings.Contains(xe.Method, "createSession"):
		// At login the only token is the emailed sign-in code.
		return "the sign-in code is wrong or has expired (run login without --auth-factor-token to get a new one)"
	case errors.Is(err, auth.ErrAccountTakedown):
		return "this account has been taken down by its server"
	case errors.Is(err, auth.ErrRateLimited):
		return rateLimitText(err, now)
	}
	var fe *storage.FileError
	if errors.As(err, &fe) {
		return err.Error() + `; "skyswitch move-aside" renames it`
	}
	return err.Error()
}

// rateLimitText says when to try again, from the server's RateLimit-Reset,
// and after a refused login that logins are far scarcer than refreshes.
func rateLimitText(err error, now time.Time) string {
	s := "rate limited by the server; try again later"
	if at := accounts.RetryAtText(err, now); at != "" {
		s = "rate limited by the server; try again after " + at
	}
	if accounts.LoginRateLimited(err) {
		s += ": " + accounts.LoginLimitHint + " (skyswitch refresh)"
	}
	return s
}
