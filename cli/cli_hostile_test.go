package cli

// Outside text reaching the terminal through the command line: a
// hand-edited accounts file whose strings hold escape sequences, bidi
// overrides and invisible characters. Every command's output passes the one
// sanitiser; JSON output stays valid JSON and keeps the values.

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/internal/sanitize"
	"github.com/skyswitch/skyswitch/storage"
)

// hostile is what an attacker would put in a string: a window-title change,
// a clipboard write, a screen clear, a line overwrite, a bidi override, a
// zero-width space, a C1 CSI, DEL and an invisible tag character.
const hostile = "\x1b]0;pwned\x07\x1b]52;c;ZXZpbA==\x07\x1b[2J\roverwritten\u202eevil\u200b\u009b31m\x7f\U000E0041"

// unsafeRune is the first rune of s a terminal could act on (newlines and
// tabs are fine), or -1.
func unsafeRune(s string) rune {
	for _, r := range s {
		if sanitize.Unsafe(r) || r == '\r' {
			return r
		}
	}
	return -1
}

func TestCLIHostileFileStringsAreSanitized(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	alice := e.addAccount("alice.test")
	e.addAccount("bob.test")
	e.login("alice.test")
	e.login("bob.test")
	err := storage.Open(e.path).Update(func(st *storage.State) error {
		for i := range st.Accounts {
			a := &st.Accounts[i]
			a.Handle = "h" + hostile
			a.Email = "e" + hostile
			a.Status = "s" + hostile
			a.Service = "https://svc.example/" + hostile
			a.LastRefreshError = "last" + hostile
			a.LastRefreshErrorAt = e.clock.Now().UTC()
			if a.DID == alice.DID {
				a.PDSURL = "https://pds.example/" + hostile
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Set(e.clock.Now().Add(3 * time.Hour)) // so refresh has work to do
	runs := []result{
		e.run("", "list"),
		e.run("", "list", "--json"),
		e.run("", "list", "--handles"),
		e.run("", "status"),
		e.run("", "status", "--json", alice.DID),
		e.run("", "env", alice.DID),
		e.run("", "refresh", "--all"),
		e.run("", "switch", alice.DID),
		e.run("", "token", alice.DID),
	}
	for _, r := range runs {
		for name, out := range map[string]string{"stdout": r.stdout, "stderr": r.stderr} {
			if c := unsafeRune(out); c != -1 {
				t.Errorf("skyswitch %s: %s holds %U:\n%q", strings.Join(r.args, " "), name, c, out)
			}
		}
	}
	if !strings.Contains(runs[0].stdout, `@h\x1b]0;pwned\a`) {
		t.Errorf("list does not show the tampered handle visibly:\n%s", runs[0].stdout)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(runs[1].stdout), &list); err != nil {
		t.Fatalf("list --json is not JSON: %v\n%s", err, runs[1].stdout)
	}
	if len(list) != 2 || list[0]["handle"] != "h"+hostile || list[0]["lastRefreshError"] == nil {
		t.Errorf("list --json changed the values: %v", list)
	}
	var status map[string]any
	if err := json.Unmarshal([]byte(runs[4].stdout), &status); err != nil {
		t.Fatalf("status --json is not JSON: %v\n%s", err, runs[4].stdout)
	}
	if status["pdsUrl"] != "https://pds.example/"+hostile || status["email"] != "e"+hostile {
		t.Errorf("status --json changed the values: %v", status)
	}
}
