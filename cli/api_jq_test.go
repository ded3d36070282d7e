package cli

// api --jq and --silent, against the fake PDS behind apiStub.

import (
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

func TestAPIJQ(t *testing.T) {
	t.Parallel()
	e, alice := apiWorld(t, fakepds.Options{})
	list := []string{"-F", "limit=3", "-f", "repo=alice.test", "-f", "collection=com.example.item", "com.atproto.repo.listRecords"}

	// A string result prints raw, one a line.
	r := e.run("", append([]string{"api", "--jq", ".records[].uri"}, list...)...)
	wantCode(t, r, exitOK)
	if want := "at://did:plc:stub/com.example.item/0\nat://did:plc:stub/com.example.item/1\nat://did:plc:stub/com.example.item/2\n"; r.stdout != want {
		t.Errorf("--jq .records[].uri: want %q\n%s", want, r)
	}
	// -q is --jq.
	r = e.run("", "api", "-q", ".did", nsidGetSession)
	if wantCode(t, r, exitOK); r.stdout != alice.DID+"\n" {
		t.Errorf("-q .did: want the DID raw\n%s", r)
	}

	// With --paginate, applied to each page (the empty last page left out).
	r = e.run("", append([]string{"api", "--paginate", "--jq", ".records[].uri"}, list...)...)
	wantCode(t, r, exitOK)
	if lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n"); len(lines) != stubRecords || lines[6] != "at://did:plc:stub/com.example.item/6" {
		t.Errorf("--paginate --jq: want %d URIs\n%s", stubRecords, r)
	}
	r = e.run("", append([]string{"api", "--paginate", "--jq", ".records | length"}, list...)...)
	if wantCode(t, r, exitOK); r.stdout != "3\n3\n1\n" {
		t.Errorf("--paginate --jq length: want a count per page\n%s", r)
	}

	// Other results print as JSON: compact on a pipe, indented on a terminal.
	r = e.run("", append([]string{"api", "--jq", "{n: (.records | length), first: .records[0].uri}"}, list...)...)
	if wantCode(t, r, exitOK); r.stdout != `{"first":"at://did:plc:stub/com.example.item/0","n":3}`+"\n" {
		t.Errorf("--jq object: want compact JSON\n%s", r)
	}
	r = e.runTerminal(append([]string{"api", "--jq", "{n: (.records | length)}"}, list...)...)
	if wantCode(t, r, exitOK); r.stdout != "{\n  \"n\": 3\n}\n" {
		t.Errorf("--jq object on a terminal: want indented JSON\n%s", r)
	}

	// A runtime error: exit 1, its message sanitised.
	r = e.run("", "api", "--jq", `error("bad \u001b[31m thing")`, nsidGetSession)
	wantError(t, r, exitFailure, "--jq", "bad")
	if strings.ContainsRune(r.stderr, 0x1b) {
		t.Errorf("an escape in jq's error reached stderr\n%q", r.stderr)
	}
	// A body that is not JSON.
	wantError(t, e.run("", "api", "--jq", ".", "-f", "did=did:plc:stub", "-f", "cid=bafystub", "com.atproto.sync.getBlob"), exitFailure, "--jq", "not JSON")
}

func TestAPIJQHostile(t *testing.T) {
	t.Parallel()
	e, _ := apiWorld(t, fakepds.Options{})
	// Controls in a string result are made visible, not printed raw: the
	// stub's C1 CSI, and a clipboard write (C1 OSC … ST).
	for _, args := range [][]string{
		{"api", "--jq", ".note", "com.example.echo"},
		{"api", "--jq", ".note", "-f", "json=1", "-X", "GET", "com.example.osc"},
		{"api", "--jq", "[.note]", "-f", "json=1", "-X", "GET", "com.example.osc"},
	} {
		r := e.runTerminal(args...)
		wantCode(t, r, exitOK)
		if strings.ContainsAny(r.stdout, "\u009b\u009d\u009c\x1b\x07") || r.stdout == "" {
			t.Errorf("%v: a control reached stdout\n%q", args, r.stdout)
		}
	}
}

func TestAPIJQUsage(t *testing.T) {
	t.Parallel()
	e, _ := apiWorld(t, fakepds.Options{})
	before := e.guard.requests()
	wantError(t, e.run("", "api", "--jq", ".records[", nsidGetSession), exitUsage, "--jq")
	wantError(t, e.run("", "api", "--jq", "nosuchfunction(1)", nsidGetSession), exitUsage, "--jq")
	wantError(t, e.run("", "api", "--paginate", "--slurp", "--jq", ".", nsidGetSession), exitUsage, "--slurp")
	wantError(t, e.run("", "api", "--output", t.TempDir()+"/x", "--jq", ".", nsidGetSession), exitUsage, "--output")
	if n := e.guard.requests() - before; n != 0 {
		t.Errorf("%d requests sent by command lines that were refused", n)
	}
}

// --jq decodes the answer into a tree many times its size: an answer over
// maxJQBytes is refused before it is read, a page of --paginate too;
// without --jq the 256 MiB bound holds (this answer is then cut short).
func TestAPIJQBounded(t *testing.T) {
	t.Parallel()
	e, _ := apiWorld(t, fakepds.Options{})
	for _, args := range [][]string{
		{"api", "--jq", ".a", "com.example.big"},
		{"api", "--paginate", "-q", ".a", "com.example.big"},
	} {
		wantError(t, e.run("", args...), exitFailure, "over 32 MiB of JSON, more than --jq takes")
	}
	if r := e.run("", "api", "com.example.big"); r.code != exitFailure || strings.Contains(r.stderr, "MiB") {
		t.Errorf("without --jq: %s", r)
	}
}

func TestAPISilent(t *testing.T) {
	t.Parallel()
	e, _ := apiWorld(t, fakepds.Options{})
	for _, args := range [][]string{
		{"api", "--silent", nsidGetSession},
		{"api", "--silent", "--jq", ".did", nsidGetSession},
		{"api", "--silent", "--paginate", "-F", "limit=3", "-f", "repo=alice.test", "-f", "collection=com.example.item", "com.atproto.repo.listRecords"},
		{"api", "--silent", "-f", "did=did:plc:stub", "-f", "cid=bafystub", "com.atproto.sync.getBlob"},
	} {
		r := e.runTerminal(args...)
		if wantCode(t, r, exitOK); r.stdout != "" || r.stderr != "" {
			t.Errorf("%v: printed\n%s", args, r)
		}
	}
	// An error answer still prints its error.
	r := e.run("", "api", "--silent", "-X", "GET", "com.example.fail")
	wantError(t, r, exitFailure, "InvalidRequest", "no such thing")
	if r.stdout != "" {
		t.Errorf("--silent error: stdout\n%s", r)
	}
}
