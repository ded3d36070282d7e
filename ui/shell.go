package ui

// `s` on a row: a shell pinned to that account, as k9s's `s` opens one.
// The switcher builds nothing itself: Options.Shell makes the command
// (cli's is the person's shell with SKYSWITCH_ACCOUNT set to the DID), and
// Bubble Tea runs it with the terminal released, inside a tea.Cmd; when it
// ends, shellEndedMsg brings the switcher back.

import (
	"errors"
	"fmt"
	"io"
	"os/exec"

	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/auth"
)

// ShellFunc makes the command `s` runs: a shell pinned to the account with
// this DID (never its handle, which another account may claim later), and
// nothing more in its environment: no token. It is called inside a
// tea.Cmd, never in Update.
type ShellFunc func(did string) *exec.Cmd

// shellEndedMsg says the shell opened for an account ended (err is why it
// could not run; a shell's own exit status is not an error).
type shellEndedMsg struct {
	handle string
	err    error
}

// openShell opens a shell pinned to the selected account; an ended
// session, or one being logged out, gets a note instead: every command
// in that shell would fail.
func (m Model) openShell() (Model, tea.Cmd) {
	r, ok := m.current()
	if !ok || r.acct == nil || m.opts.Shell == nil {
		return m, nil
	}
	a := r.acct
	switch {
	case !auth.ValidDID(a.DID):
		m.setStatus(fmt.Sprintf("The DID saved for @%s is malformed: no shell opened.", a.Handle), true)
		return m, nil
	case a.SessionEnded:
		m.setStatus(fmt.Sprintf("@%s's session ended: log in again (enter) before opening a shell as it.", a.Handle), true)
		return m, nil
	case m.rtOf(a.DID).busy == "logging out":
		m.setStatus(fmt.Sprintf("@%s is being logged out: no shell opened.", a.Handle), true)
		return m, nil
	}
	return m, shellCmd(m.opts.Shell, a.DID, a.Handle)
}

// shellCmd runs the shell with the terminal released; a line before it
// says who the shell acts as and how to come back.
func shellCmd(shell ShellFunc, did, handle string) tea.Cmd {
	return func() tea.Msg {
		c := &noteFirst{Cmd: shell(did),
			note: fmt.Sprintf("skyswitch: a shell as @%s (%s).\nType exit to return to the switcher.", shown(handle), did)}
		return tea.Exec(c, func(err error) tea.Msg { return shellEndedMsg{handle: handle, err: err} })()
	}
}

// noteFirst is an exec.Cmd for tea.Exec that writes a line to the terminal
// before it starts.
type noteFirst struct {
	*exec.Cmd
	note string
}

func (c *noteFirst) SetStdin(r io.Reader) {
	if c.Stdin == nil {
		c.Stdin = r
	}
}

func (c *noteFirst) SetStdout(w io.Writer) {
	if c.Stdout == nil {
		c.Stdout = w
	}
}

func (c *noteFirst) SetStderr(w io.Writer) {
	if c.Stderr == nil {
		c.Stderr = w
	}
}

func (c *noteFirst) Run() error {
	if c.Stdout != nil {
		fmt.Fprintln(c.Stdout, c.note)
	}
	return c.Cmd.Run()
}

// onShellEnded is the switcher back from the shell: it reads the accounts
// again (the shell may have changed them).
func (m Model) onShellEnded(msg shellEndedMsg) (Model, tea.Cmd) {
	var exit *exec.ExitError
	if msg.err != nil && !errors.As(msg.err, &exit) {
		m.setStatus("Could not open a shell: "+msg.err.Error(), true)
		return m, nil
	}
	m.setStatus(fmt.Sprintf("Back from the shell as @%s.", msg.handle), false)
	return m, loadCmd(m.svc)
}
