package cli

import (
	"os/exec"
	"runtime"
	"strings"
)

// pinnedShell is the shell the switcher's `s` opens for the account with
// this DID: $SHELL (/bin/sh without it; %ComSpec% on Windows), with this
// process's environment and SKYSWITCH_ACCOUNT set to the DID. Whatever
// SKYSWITCH_ACCOUNT held before goes, and so do the session variables
// exec sets (the switcher may run under skyswitch exec): they would name
// another account's session, with its token.
func (e *invocation) pinnedShell(did string) *exec.Cmd {
	c := exec.Command(shellPath(e.getenv, runtime.GOOS))
	c.Env = append(withoutVars(e.environ(), envAccount, envPDSURL, envAccessToken, envDID, envHandle),
		envAccount+"="+did)
	return c
}

// shellPath is the person's shell on goos.
func shellPath(getenv func(string) string, goos string) string {
	if goos == "windows" {
		if s := getenv("ComSpec"); s != "" {
			return s
		}
		return "cmd.exe"
	}
	if s := getenv("SHELL"); s != "" {
		return s
	}
	return "/bin/sh"
}

// withoutVars is environ without the variables named (in any case: on
// Windows names are case-insensitive).
func withoutVars(environ []string, names ...string) []string {
	out := make([]string, 0, len(environ)+1)
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, n := range names {
			drop = drop || strings.EqualFold(name, n)
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return out
}
