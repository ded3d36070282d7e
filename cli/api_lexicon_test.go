package cli

// Tests of what `skyswitch api` takes from the lexicons: the default
// method, -F's types, required parameters and --describe, against the fake
// PDS (which records what it gets, and answers methods it has not with
// 501).

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

const nsidDescribeRepo = "com.atproto.repo.describeRepo"

// lastTo runs the command line and returns what the fake PDS last got for
// nsid; the command must have sent exactly one request there.
func lastTo(t *testing.T, e *cliEnv, nsid string, args ...string) fakepds.Recorded {
	t.Helper()
	before := e.srv.Calls(nsid)
	r := e.run("", append([]string{"api"}, append(args, nsid)...)...)
	if n := e.srv.Calls(nsid) - before; n != 1 {
		t.Fatalf("%s: %d requests to %s, want 1", r, n, nsid)
	}
	return e.srv.LastRequest(nsid)
}

func TestAPILexiconDefaultMethod(t *testing.T) {
	t.Parallel()
	e, alice := apiWorld(t, fakepds.Options{})
	// A query is a GET, fields and all (gh's rule would POST them).
	got := lastTo(t, e, nsidDescribeRepo, "-f", "repo="+alice.DID)
	if got.Method != http.MethodGet || got.Query.Get("repo") != alice.DID || len(got.Body) != 0 {
		t.Errorf("describeRepo -f: %s %v %q, want a GET with repo in the query", got.Method, got.Query, got.Body)
	}
	// -X still decides.
	if got = lastTo(t, e, nsidDescribeRepo, "-X", "POST", "-f", "repo=x"); got.Method != http.MethodPost {
		t.Errorf("-X POST: %s", got.Method)
	}
	// A procedure is a POST, even with no fields (gh's rule would GET it).
	if got = lastTo(t, e, "com.atproto.identity.requestPlcOperationSignature"); got.Method != http.MethodPost {
		t.Errorf("a procedure with no fields: %s", got.Method)
	}
	// A subscription is not sent unless -X says.
	before := e.guard.requests()
	wantError(t, e.run("", "api", "com.atproto.sync.subscribeRepos"), exitUsage, "subscription", "WebSocket")
	if n := e.guard.requests() - before; n != 0 {
		t.Errorf("%d requests sent for a subscription", n)
	}
}

func TestAPILexiconTypes(t *testing.T) {
	t.Parallel()
	e, _ := apiWorld(t, fakepds.Options{})
	// A query: an integer stays a number; -F's null leaves it out.
	got := lastTo(t, e, "app.bsky.feed.getAuthorFeed", "-f", "actor=alice.test", "-F", "limit=5", "-F", "cursor=null")
	if got.Method != http.MethodGet || got.Query.Encode() != "actor=alice.test&limit=5" {
		t.Errorf("getAuthorFeed: %s %s", got.Method, got.Query.Encode())
	}
	// A procedure's body: a string property given a number is the string;
	// a boolean the boolean; a property the lexicon does not type (record)
	// keeps gh's rules below it.
	got = lastTo(t, e, "com.atproto.repo.createRecord", "-F", "repo=123", "-F", "validate=false",
		"-f", "collection=app.bsky.feed.post", "-f", "record[text]=hi", "-F", "record[n]=3", "-F", "swapCommit=true")
	var body map[string]any
	if err := json.Unmarshal(got.Body, &body); err != nil {
		t.Fatalf("createRecord body %q: %v", got.Body, err)
	}
	b, _ := json.Marshal(body)
	if want := `{"collection":"app.bsky.feed.post","record":{"n":3,"text":"hi"},"repo":"123","swapCommit":"true","validate":false}`; got.Method != http.MethodPost || string(b) != want {
		t.Errorf("createRecord: %s %s, want POST %s", got.Method, b, want)
	}
	// A value that is not of the lexicon's type is a usage error, sent
	// nowhere, that does not quote the value.
	before := e.guard.requests()
	for _, args := range [][]string{
		{"api", "-f", "actor=a.test", "-F", "limit=secret-five", "app.bsky.feed.getAuthorFeed"},
		{"api", "-F", "validate=secret-yes", "-f", "repo=a", "-f", "collection=c", "-f", "record[text]=t", "com.atproto.repo.createRecord"},
	} {
		r := e.run("", args...)
		wantError(t, r, exitUsage, "the lexicon makes it")
		if strings.Contains(r.stderr, "secret") {
			t.Errorf("the value is quoted:\n%s", r)
		}
	}
	if n := e.guard.requests() - before; n != 0 {
		t.Errorf("%d requests sent by refused command lines", n)
	}
}

func TestAPILexiconRequired(t *testing.T) {
	t.Parallel()
	e, _ := apiWorld(t, fakepds.Options{})
	before := e.guard.requests()
	wantError(t, e.run("", "api", nsidDescribeRepo), exitUsage, "needs the parameter repo", "-f repo=")
	wantError(t, e.run("", "api", "-X", "GET", "com.atproto.sync.getBlob"), exitUsage, "needs the parameters did and cid")
	wantError(t, e.run("", "api", "-f", "did=did:plc:x", "com.atproto.sync.getBlob"), exitUsage, "needs the parameter cid")
	// A procedure whose body -f and -F make: its required properties.
	const create = "com.atproto.repo.createRecord"
	wantError(t, e.run("", "api", "-f", "repo=a", create), exitUsage, "api: "+create+" needs the fields collection and record: give it with -f collection=…")
	wantError(t, e.run("", "api", "-f", "repo=a", "-f", "record[text]=t", create), exitUsage, "needs the field collection")
	wantError(t, e.run("", "api", "-F", "rkey=1", "-X", "POST", create), exitUsage, "needs the fields repo, collection and record")
	if n := e.guard.requests() - before; n != 0 {
		t.Errorf("%d requests sent without a required parameter", n)
	}
	// Given (record by one of its keys), it is sent; so is a body from
	// --input (fields then go to the query string), no body at all, and a
	// procedure sent as a GET: the lexicon says nothing of those.
	if got := lastTo(t, e, create, "-f", "repo=a", "-f", "collection=c", "-f", "record[text]=t"); got.Method != http.MethodPost {
		t.Errorf("createRecord with its fields: %s", got.Method)
	}
	lastTo(t, e, create, "-f", "repo=a", "--input", "-")
	lastTo(t, e, create)
	lastTo(t, e, create, "-X", "GET", "-f", "repo=a")
	// key[] names the parameter too.
	got := lastTo(t, e, "app.bsky.actor.getProfiles", "-f", "actors[]=a.test", "-f", "actors[]=b.test")
	if got.Query.Encode() != "actors=a.test&actors=b.test" {
		t.Errorf("getProfiles: %s", got.Query.Encode())
	}
}

func TestAPIDescribe(t *testing.T) {
	t.Parallel()
	e, _ := apiWorld(t, fakepds.Options{})
	before := e.guard.requests()
	r := e.run("", "api", "--describe", nsidDescribeRepo)
	wantCode(t, r, exitOK)
	want := "com.atproto.repo.describeRepo: query (GET)\nparameters:\n  repo  string (at-identifier), required\n" +
		"input: none\noutput: application/json\nerrors: none\n"
	if r.stdout != want {
		t.Errorf("--describe describeRepo:\n%s\nwant:\n%s", r.stdout, want)
	}
	r = e.run("", "api", "com.atproto.repo.createRecord", "--describe")
	wantCode(t, r, exitOK)
	for _, line := range []string{
		"com.atproto.repo.createRecord: procedure (POST)\nparameters: none\ninput: application/json\n",
		"\n  repo        string (at-identifier), required\n", "\n  validate    boolean\n",
		"\noutput: application/json\nerrors: InvalidSwap\n",
	} {
		if !strings.Contains(r.stdout, line) {
			t.Errorf("--describe createRecord lacks %q:\n%s", line, r.stdout)
		}
	}
	r = e.run("", "api", "--describe", "com.atproto.sync.subscribeRepos")
	if wantCode(t, r, exitOK); !strings.Contains(r.stdout, ": subscription\n") || !strings.Contains(r.stdout, "output: a stream of messages over a WebSocket\nerrors: FutureCursor") {
		t.Errorf("--describe subscribeRepos:\n%s", r.stdout)
	}
	// Not in the table: a failure that says api still calls it; not an
	// NSID, or none: usage errors.
	wantError(t, e.run("", "api", "--describe", "com.example.echo"), exitFailure, "com.example.echo is not in the lexicons", "gh's rules")
	wantError(t, e.run("", "api", "--describe", "describeRepo"), exitUsage, "not an NSID")
	wantError(t, e.run("", "api", "--describe"), exitUsage, "--describe names a method")
	if n := e.guard.requests() - before; n != 0 {
		t.Errorf("--describe sent %d requests", n)
	}
}
