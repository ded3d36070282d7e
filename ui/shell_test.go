package ui_test

import (
	"bytes"
	"os/exec"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/ui"
)

// shellStub is an Options.Shell that records the DIDs it was asked for
// and runs script under sh.
type shellStub struct {
	dids   []string
	script string
	path   string // a shell to run instead
}

func (s *shellStub) shell(did string) *exec.Cmd {
	s.dids = append(s.dids, did)
	if s.path != "" {
		return exec.Command(s.path)
	}
	return exec.Command("sh", "-c", s.script)
}

// runExec does with msg what Bubble Tea does with the message tea.Exec's
// command gives: it runs the command on the "terminal" (out) and returns
// the callback's message. It fails the test for any other message.
func runExec(t *testing.T, msg tea.Msg) (out string, next tea.Msg) {
	t.Helper()
	v := reflect.New(reflect.TypeOf(msg)).Elem()
	v.Set(reflect.ValueOf(msg))
	if v.Type().String() != "tea.execMsg" {
		t.Fatalf("the command gave %T, not tea.Exec's message", msg)
	}
	field := func(name string) any {
		f := v.FieldByName(name)
		return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Interface()
	}
	c, fn := field("cmd").(tea.ExecCommand), field("fn").(tea.ExecCallback)
	var b bytes.Buffer
	c.SetStdin(strings.NewReader(""))
	c.SetStdout(&b)
	c.SetStderr(&b)
	err := c.Run()
	return b.String(), fn(err)
}

func shellWorld(t *testing.T, sh *shellStub) (*driver, storage.Account) {
	if runtime.GOOS == "windows" {
		t.Skip("the stub shell is sh")
	}
	alice, bob := account("alice.test", auth.ScopeAppPass), account("bob.test", auth.ScopeAppPass)
	st := storage.NewState()
	st.Accounts = []storage.Account{alice, bob}
	st.Active = alice.DID
	opts := ui.Options{Select: "bob.test"}
	if sh != nil {
		opts.Shell = sh.shell
	}
	d := newDriver(t, &stub{st: st}, newClock(), opts)
	d.boot()
	return d, bob
}

// s on a row runs, with the terminal released (tea.Exec), the shell
// Options.Shell makes for the row's DID, never its handle; a line before
// it says who the shell acts as; its exit, whatever its status, brings the
// switcher back.
func TestShellIsPinnedToTheRowsDID(t *testing.T) {
	sh := &shellStub{script: "echo in the shell; exit 3"}
	d, bob := shellWorld(t, sh)
	d.key("?")
	d.has("s", "shell as it")
	d.key("?")
	cmds := d.pending(keyMsg("s"))
	if len(cmds) != 1 || len(sh.dids) != 0 {
		t.Fatalf("s gave %d commands, and made the shell in Update: %v", len(cmds), sh.dids)
	}
	out, back := runExec(t, cmds[0]())
	if !reflect.DeepEqual(sh.dids, []string{bob.DID}) {
		t.Fatalf("the shell was made for %q, want bob's DID %s", sh.dids, bob.DID)
	}
	want := "skyswitch: a shell as @bob.test (" + bob.DID + ").\nType exit to return to the switcher.\nin the shell\n"
	if out != want {
		t.Errorf("the terminal showed %q, want %q", out, want)
	}
	d.send(back)
	d.has("Back from the shell as @bob.test.")
}

// Without Options.Shell (the demo), s does nothing and help does not
// offer it; a shell that cannot start says so.
func TestShellOffOrFailing(t *testing.T) {
	d, _ := shellWorld(t, nil)
	d.key("?")
	d.hasNot("shell as it")
	if cmds := d.pending(keyMsg("s")); len(cmds) != 0 {
		t.Fatalf("s without a shell gave %d commands", len(cmds))
	}

	sh := &shellStub{path: "/nonexistent/skyswitch-test-shell"}
	d, _ = shellWorld(t, sh)
	cmds := d.pending(keyMsg("s"))
	_, back := runExec(t, cmds[0]())
	d.send(back)
	d.has("Could not open a shell:", "/nonexistent/skyswitch-test-shell")
}

// An ended session gets no shell, whose every command would fail: a note
// says to log in again.
func TestShellRefusedForAnEndedSession(t *testing.T) {
	sh := &shellStub{script: "exit 0"}
	if runtime.GOOS == "windows" {
		t.Skip("the stub shell is sh")
	}
	bob := account("bob.test", auth.ScopeAppPass)
	bob.SessionEnded = true
	st := storage.NewState()
	st.Accounts = []storage.Account{bob}
	d := newDriver(t, &stub{st: st}, newClock(), ui.Options{Shell: sh.shell})
	d.boot()
	if cmds := d.pending(keyMsg("s")); len(cmds) != 0 || len(sh.dids) != 0 {
		t.Fatalf("s on an ended session gave %d commands, made %d shells", len(cmds), len(sh.dids))
	}
	d.has("@bob.test's session ended: log in again (enter) before opening a shell as it.")
}

// A handle from the file reaches the terminal, before the shell, only
// through the sanitiser: no escape sequence of its own.
func TestShellNoteIsSanitised(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the stub shell is sh")
	}
	evil := account("evil.test", auth.ScopeAppPass)
	evil.Handle = "evil.test\x1b]52;c;cHduZWQ=\a\x1b[2J"
	st := storage.NewState()
	st.Accounts = []storage.Account{evil}
	sh := &shellStub{script: "exit 0"}
	d := newDriver(t, &stub{st: st}, newClock(), ui.Options{Shell: sh.shell})
	d.boot()
	cmds := d.pending(keyMsg("s"))
	out, back := runExec(t, cmds[0]())
	if strings.ContainsAny(out, "\x1b\a") || !strings.HasPrefix(out, "skyswitch: a shell as @evil.test") {
		t.Errorf("the note before the shell is %q", out)
	}
	d.send(back)
	d.hasNot("\x1b]52", "\x1b[2J")
}
