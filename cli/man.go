package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
)

func manCommand() command {
	return command{
		name: "man", summary: "print the manual page, skyswitch(1), in roff (skyswitch man | man -l -)",
		noStore: true,
		run:     func(_ context.Context, e *invocation, _ []string) error { return writeMan(e.stdout, e.app.Version) },
	}
}

// manEnvironment and manFiles are the man page's ENVIRONMENT and FILES.
var (
	manEnvironment = [][2]string{
		{envAccount, "the account (a handle or DID) that token, status, refresh, env, api, exec, prompt and the switcher use when none is named and --account is not given; skyswitch env prints the command that sets it"},
		{"XDG_CONFIG_HOME", "the config folder, when it is an absolute path: the accounts file is $XDG_CONFIG_HOME/skyswitch/accounts.json"},
		{"SKYSWITCH_PLC_URL", "the PLC directory that resolves did:plc identifiers, for a self-hosted or test one (default https://plc.directory)"},
		{"NO_COLOR", "when set to anything but empty, the switcher and prompt print no colours"},
		{"SHELL", "the shell the switcher's s opens, pinned to the selected account (/bin/sh without it; %ComSpec% on Windows); env and prompt do not read it: their --shell is bash and plain unless given"},
	}
	manFiles = [][2]string{
		{"~/.config/skyswitch/accounts.json", "the saved accounts (Linux, BSD); ~/Library/Application Support/skyswitch/accounts.json on macOS, %LOCALAPPDATA%\\skyswitch\\accounts.json on Windows. Tokens are kept in it unless skyswitch secrets keyring moves them to the OS keyring."},
	}
)

// writeMan writes skyswitch(1) from the command table: each command, its
// arguments, summary and flags as --help gives them.
func writeMan(w io.Writer, version string) error {
	var b strings.Builder
	fmt.Fprintf(&b, ".TH SKYSWITCH 1 \"\" %s \"User Commands\"\n", roffQuoted("skyswitch "+version))
	b.WriteString(".nh\n.ad l\n.SH NAME\nskyswitch \\- switch between AT Protocol (Bluesky) accounts\n.SH SYNOPSIS\n")
	b.WriteString(".B skyswitch\n[\\fB\\-a\\fR|\\fB\\-\\-account\\fR \\fIaccount\\fR] [\\fB\\-\\-demo\\fR]\n")
	for _, cmd := range table() {
		fmt.Fprintf(&b, ".br\n.B skyswitch %s\n", roff(cmd.name))
		if cmd.args != "" {
			b.WriteString(roff(cmd.args) + "\n")
		}
	}
	b.WriteString(".SH DESCRIPTION\n" + roff("skyswitch keeps the AT Protocol (Bluesky) accounts you log in to and "+
		"switches between them: without a command it opens the account switcher; the commands below do the same from "+
		"scripts. An account is a handle or DID, with or without a leading @; the default is the active account.") + "\n")
	b.WriteString(".SH COMMANDS\n")
	for _, cmd := range table() {
		fmt.Fprintf(&b, ".TP\n\\fBskyswitch %s\\fR %s\n%s\n", roff(cmd.name), roff(cmd.args), roff(cmd.summary))
	}
	b.WriteString(".SH OPTIONS\n.SS skyswitch\n")
	writeManFlags(&b, topFlags())
	for _, cmd := range table() {
		if flags := cmd.cmdFlags(); len(flags) > 0 {
			fmt.Fprintf(&b, ".SS skyswitch %s\n", roff(cmd.name))
			writeManFlags(&b, flags)
		}
	}
	b.WriteString(".SH \"EXIT STATUS\"\n")
	for _, st := range [][2]string{{"0", "success"}, {"1", "failure"}, {"2", "a usage error"},
		{"3", "a sign-in code is required"}, {"4", "no usable session"}, {"128+n", "interrupted by signal n (130 for ctrl-c)"}} {
		fmt.Fprintf(&b, ".TP\n.B %s\n%s\n", roff(st[0]), roff(st[1]))
	}
	writeManList(&b, "ENVIRONMENT", manEnvironment)
	writeManList(&b, "FILES", manFiles)
	b.WriteString(".SH \"SEE ALSO\"\n.BR gh (1)\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func writeManFlags(b *strings.Builder, flags []flagSpec) {
	for _, f := range flags {
		b.WriteString(".TP\n\\fB" + roff(strings.Join(f.names(), ", ")) + "\\fR")
		if v := f.valueName(); v != "" {
			b.WriteString(" \\fI" + roff(v) + "\\fR")
		}
		usage := f.helpUsage()
		if usage == "" {
			usage = map[string]string{"demo": "try it on sandbox servers (nothing real is touched)",
				"help": "print the usage", "version": "print the version"}[f.long]
		}
		b.WriteString("\n" + roff(usage) + "\n")
	}
}

func writeManList(b *strings.Builder, section string, items [][2]string) {
	b.WriteString(".SH " + section + "\n")
	for _, it := range items {
		fmt.Fprintf(b, ".TP\n.I %s\n%s\n", roff(it[0]), roff(it[1]))
	}
}

// roff is text for one roff line: backslashes and dashes escaped, line
// breaks joined, and a leading . or ' (a request) made text with \&.
func roff(s string) string {
	s = strings.NewReplacer("\\", "\\e", "-", "\\-", "\r", " ", "\n", " ").Replace(s)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = "\\&" + s
	}
	return s
}

// roffQuoted is a macro argument in double quotes (a quote is doubled).
func roffQuoted(s string) string { return `"` + strings.ReplaceAll(roff(s), `"`, `""`) + `"` }
