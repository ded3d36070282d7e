package cli

import (
	"slices"
	"strings"
	"testing"
)

// The switcher's shell: the person's shell (or the platform's default),
// with this process's environment, SKYSWITCH_ACCOUNT set once to the DID
// (not to what it held: the shell's account is the row's), and none of the
// session variables exec sets, which would name another session and hold
// its token.
func TestPinnedShellEnvironment(t *testing.T) {
	t.Parallel()
	const did = "did:plc:bobtestaaaaaaaaaaaaaaaaa"
	outer := []string{"HOME=/home/me", "SKYSWITCH_ACCOUNT=alice.test", "ATP_ACCESS_TOKEN=alices.access.token",
		"ATP_DID=did:plc:alice", "ATP_HANDLE=alice.test", "ATP_PDS_URL=http://127.0.0.1:1", "skyswitch_account=x", "TERM=xterm"}
	vars := map[string]string{"SHELL": "/bin/zsh"}
	e := &invocation{app: &App{Getenv: func(k string) string { return vars[k] }, Environ: func() []string { return slices.Clone(outer) }}}
	c := e.pinnedShell(did)
	if c.Path != "/bin/zsh" || len(c.Args) != 1 {
		t.Errorf("the shell is %s %q, want /bin/zsh alone", c.Path, c.Args)
	}
	want := []string{"HOME=/home/me", "TERM=xterm", "SKYSWITCH_ACCOUNT=" + did}
	if !slices.Equal(c.Env, want) {
		t.Errorf("the shell's environment is %q, want %q", c.Env, want)
	}
	for _, kv := range append(c.Env, c.Args...) {
		if strings.Contains(kv, "alices.access.token") {
			t.Fatal("the outer session's token reached the shell")
		}
	}

	for _, c := range []struct{ goos, shell, comspec, want string }{
		{"linux", "", "", "/bin/sh"},
		{"darwin", "/bin/bash", "", "/bin/bash"},
		{"windows", "/bin/bash", `C:\Windows\system32\cmd.exe`, `C:\Windows\system32\cmd.exe`},
		{"windows", "", "", "cmd.exe"},
	} {
		get := func(k string) string { return map[string]string{"SHELL": c.shell, "ComSpec": c.comspec}[k] }
		if got := shellPath(get, c.goos); got != c.want {
			t.Errorf("%s, SHELL=%q, ComSpec=%q: %q, want %q", c.goos, c.shell, c.comspec, got, c.want)
		}
	}
}
