package cli

// Tests of `skyswitch api`, run as command functions against the fake PDS,
// behind a stub that answers what the fake has not: pages with a cursor, a
// blob, and an echo of the request it got.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

const nsidGetSession = "com.atproto.server.getSession"

// blobBytes is the stub's blob: terminal escapes and bytes that are not
// UTF-8, which the sanitiser would change and a pipe must get as they are.
const blobBytes = "\x00\x1b[31mBLOB\x9b\xff\xfe\n"

// stubRecords is how many records the stub's listRecords pages through.
const stubRecords = 7

// apiStub answers com.atproto.repo.listRecords (stubRecords records, limit
// per page, the cursor an index, an empty page last; none for the
// collection "empty"; no cursor with the last records for "tight", a null
// one for "null"; the second page cut in half for "cut"),
// com.example.endless (a new cursor on every page), com.example.loop
// (always the same cursor), com.example.spaced (JSON with spaces),
// com.atproto.sync.getBlob (blobBytes), com.example.echo (the request it
// got, as JSON, with a C1 control in a string, and the Authorization
// header echoed in a response header), com.example.fail (a 400 whose
// headers echo the Authorization header and hold a C1 CSI),
// com.example.cut (a body cut in half), com.example.big (a JSON answer
// whose length says it is over maxJQBytes, cut short), com.example.osc (a clipboard
// write: raw, or with json=1 as C1 controls in a JSON string), and passes
// the rest to the fake PDS.
func apiStub(t *testing.T, srv *fakepds.Server) *httptest.Server {
	target, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = nil
	proxy.Transport = transport
	t.Cleanup(transport.CloseIdleConnections)
	stub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch strings.TrimPrefix(r.URL.Path, "/xrpc/") {
		case "com.atproto.repo.listRecords":
			q := r.URL.Query()
			limit, _ := strconv.Atoi(q.Get("limit"))
			from, _ := strconv.Atoi(q.Get("cursor"))
			page := map[string]any{}
			var records []map[string]any
			for i := from; i < min(from+limit, stubRecords); i++ {
				records = append(records, map[string]any{"uri": fmt.Sprintf("at://did:plc:stub/com.example.item/%d", i)})
			}
			page["records"] = records
			switch end := from+len(records) >= stubRecords; {
			case len(records) == 0 || q.Get("collection") == "empty":
			case end && q.Get("collection") == "tight":
				// No cursor with the last records.
			case end && q.Get("collection") == "null":
				page["cursor"] = nil
			default:
				// As the reference PDS: a cursor with every page that has
				// records, so the last one is empty.
				page["cursor"] = strconv.Itoa(from + len(records))
			}
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			if q.Get("collection") == "cut" && from > 0 {
				// The second page is cut in half on its way.
				w.Header().Set("Content-Length", "1000")
				io.WriteString(w, `{"records":[{"uri":"at://`)
				return
			}
			json.NewEncoder(w).Encode(page)
		case "com.example.spaced":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{ "a" : [ 1 ] }`)
		case "com.example.endless":
			n, _ := strconv.Atoi(r.URL.Query().Get("cursor"))
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"items":[%d],"cursor":"%d"}`, n, n+1)
		case "com.example.loop":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"items":[1],"cursor":"same"}`)
		case "com.atproto.sync.getBlob":
			w.Header().Set("Content-Type", "application/octet-stream")
			io.WriteString(w, blobBytes)
		case "com.example.echo":
			body, _ := io.ReadAll(r.Body)
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Seen-Authorization", r.Header.Get("Authorization"))
			json.NewEncoder(w).Encode(map[string]string{
				"method": r.Method, "query": r.URL.RawQuery, "body": string(body),
				"contentType": r.Header.Get("Content-Type"), "proxy": r.Header.Get("Atproto-Proxy"),
				"note": "csi \u009b del \u007f here",
			})
		case "com.example.cut":
			// Half of what Content-Length promises, then the connection
			// closes.
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Length", "64")
			io.WriteString(w, "the first half of a blob ")
		case "com.example.osc":
			// A body that sets the terminal's clipboard (OSC 52), raw and as
			// a C1 control in JSON.
			if r.URL.Query().Get("json") != "" {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, "{\"note\":\"\u009d52;c;"+oscPayload+"\u009c\"}")
				return
			}
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, "\x1b]52;c;"+oscPayload+"\x07")
		case "com.example.big":
			// Says it is more JSON than --jq takes, and sends a little of
			// it before the connection closes.
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", strconv.Itoa(maxJQBytes+1))
			io.WriteString(w, `{"a":"`)
		case "com.example.fail":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Seen-Authorization", r.Header.Get("Authorization"))
			w.Header().Set("X-Csi", "\u009b31m red") // Go's client refuses ESC in a header
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"InvalidRequest","message":"no such thing"}`)
		default:
			proxy.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(stub.Close)
	return stub
}

// apiWorld logs alice in on the fake PDS and points her saved PDS at a stub
// in front of it.
func apiWorld(t *testing.T, opts fakepds.Options) (*cliEnv, fakepds.Account) {
	e := newCLIEnv(t, opts)
	alice := e.addAccount("alice.test")
	e.login("alice.test")
	stub := apiStub(t, e.srv)
	err := storage.Open(e.path).Update(func(st *storage.State) error {
		st.Accounts[0].PDSURL = stub.URL
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return e, alice
}

// runTerminal runs a command line as if stdout were a terminal.
func (e *cliEnv) runTerminal(args ...string) result {
	e.t.Helper()
	return e.runCLI(&App{StdoutTerminal: true}, args...)
}

// echoed runs the command line against com.example.echo and decodes what
// the stub got.
func echoed(t *testing.T, e *cliEnv, stdin string, args ...string) map[string]string {
	t.Helper()
	r := e.run(stdin, append([]string{"api", "com.example.echo"}, args...)...)
	wantCode(t, r, exitOK)
	var got map[string]string
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%s: not JSON: %v", r, err)
	}
	return got
}

func TestAPIGetSession(t *testing.T) {
	t.Parallel()
	e, alice := apiWorld(t, fakepds.Options{})
	r := e.run("", "api", nsidGetSession)
	wantCode(t, r, exitOK)
	var s map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil || s["handle"] != "alice.test" || s["did"] != alice.DID {
		t.Fatalf("getSession: %v\n%s", err, r)
	}
	// Compact on a pipe: one line.
	if strings.Count(r.stdout, "\n") != 1 || r.stderr != "" {
		t.Errorf("not one compact line:\n%s", r)
	}
	// Indented on a terminal.
	r = e.runTerminal("api", nsidGetSession)
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "\n  \"handle\": \"alice.test\"") {
		t.Errorf("not indented on a terminal:\n%s", r)
	}
	// --account and SKYSWITCH_ACCOUNT choose it too; an unknown one is exit 4.
	wantCode(t, e.run("", "--account", "alice.test", "api", nsidGetSession), exitOK)
	wantCode(t, e.run("", "api", "--account", "alice.test", nsidGetSession), exitOK)
	wantError(t, e.run("", "api", "--account", "nobody.test", nsidGetSession), exitNoSession, "--account")
	wantError(t, e.runEnv(map[string]string{envAccount: "nobody.test"}, "api", nsidGetSession), exitNoSession, envAccount)
}

func TestAPIUsageErrors(t *testing.T) {
	t.Parallel()
	e, _ := apiWorld(t, fakepds.Options{})
	before := e.guard.requests()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"api"}, "name the method"},
		{[]string{"api", "getSession"}, "not an NSID"},
		{[]string{"api", "com.atproto.server.getSession/../x"}, "not an NSID"},
		{[]string{"api", "--proxy", "did:web:api.bsky.chat", nsidGetSession}, "did#service_id"},
		{[]string{"api", "-X", "PUT", nsidGetSession}, "GET (a query) or POST"},
		{[]string{"api", "--slurp", nsidGetSession}, "--paginate"},
		{[]string{"api", "--paginate", "--max-pages", "0", nsidGetSession}, "at least 1"},
		{[]string{"api", "-X", "GET", "--input", "x.json", nsidGetSession}, "--input"},
		{[]string{"api", "--paginate", "-X", "POST", nsidGetSession}, "procedure"},
		{[]string{"api", "-f", "novalue", nsidGetSession}, "key=value"},
		{[]string{"api", "-X", "GET", "-f", "a[b]=c", nsidGetSession}, "plain keys"},
		{[]string{"api", "-f", "a=1", "-f", "a=2", "com.example.echo"}, "given twice"},
		{[]string{"api", nsidGetSession, "extra"}, "too many"},
	} {
		wantError(t, e.run("", tc.args...), exitUsage, tc.want)
	}
	if n := e.guard.requests() - before; n != 0 {
		t.Errorf("%d requests sent by command lines that were refused", n)
	}
}

func TestAPIFieldsAndInput(t *testing.T) {
	t.Parallel()
	e, _ := apiWorld(t, fakepds.Options{})
	dir := t.TempDir()
	textFile := filepath.Join(dir, "text.txt")
	os.WriteFile(textFile, []byte("from a file"), 0o600)

	// Fields make a JSON body, and a POST.
	got := echoed(t, e, "", "-f", "record[text]=hi", "-F", "record[n]=3", "-F", "ok=true", "-F", "none=null",
		"-f", "record[langs][]=en", "-f", "record[langs][]=de", "-F", "note=@"+textFile, "-f", "plain=12")
	if got["method"] != http.MethodPost || got["contentType"] != "application/json" || got["query"] != "" {
		t.Errorf("fields: %v", got)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(got["body"]), &body); err != nil {
		t.Fatal(err)
	}
	want := `{"none":null,"note":"from a file","ok":true,"plain":"12","record":{"langs":["en","de"],"n":3,"text":"hi"}}`
	if b, _ := json.Marshal(body); string(b) != want {
		t.Errorf("body %s, want %s", b, want)
	}

	// -X GET: the query string, repeated keys as arrays; no body.
	got = echoed(t, e, "", "-X", "GET", "-f", "a=1", "-f", "a=2", "-F", "b=true", "-F", "c=null")
	if got["method"] != http.MethodGet || got["query"] != "a=1&a=2&b=true" || got["body"] != "" {
		t.Errorf("-X GET: %v", got)
	}
	// One field is a body too: a POST, whatever the method's name says.
	for _, field := range [][]string{{"-f", "a=1"}, {"-F", "a=1"}} {
		if got = echoed(t, e, "", field...); got["method"] != http.MethodPost || got["body"] != `{"a":`+map[string]string{"-f": `"1"`, "-F": "1"}[field[0]]+`}` {
			t.Errorf("one %s field: %v", field[0], got)
		}
	}
	// No fields: a GET.
	if got = echoed(t, e, ""); got["method"] != http.MethodGet || got["body"] != "" {
		t.Errorf("no fields: %v", got)
	}
	// -X POST with nothing: no body.
	if got = echoed(t, e, "", "-X", "post"); got["method"] != http.MethodPost || got["body"] != "" {
		t.Errorf("-X post: %v", got)
	}

	// --input -: the body as it is; the fields go to the query string.
	got = echoed(t, e, `{"x": [1, 2]}`, "--input", "-", "-f", "q=v")
	if got["method"] != http.MethodPost || got["body"] != `{"x": [1, 2]}` || got["query"] != "q=v" || got["contentType"] != "application/json" {
		t.Errorf("--input -: %v", got)
	}
	// A body that is not JSON (a blob to upload) goes as it is, with the
	// type its bytes show, else as octets.
	blob := filepath.Join(dir, "blob.bin")
	os.WriteFile(blob, []byte("GIF89a\x00\x01"), 0o600)
	got = echoed(t, e, "", "--input", blob)
	if got["body"] != "GIF89a\x00\x01" || got["contentType"] != "image/gif" {
		t.Errorf("--input blob: %v", got)
	}
	os.WriteFile(blob, []byte("\x00\x01\x02 no known type"), 0o600)
	if got = echoed(t, e, "", "--input", blob); got["contentType"] != "application/octet-stream" {
		t.Errorf("--input of unknown bytes: %v", got)
	}
	// Standard input is read once.
	wantError(t, e.run("{}", "api", "com.example.echo", "--input", "-", "-F", "a=@-"), exitFailure, "only once")

	// --proxy sends atproto-proxy.
	if got = echoed(t, e, "", "--proxy", "did:web:api.bsky.chat#bsky_chat"); got["proxy"] != "did:web:api.bsky.chat#bsky_chat" {
		t.Errorf("--proxy: %v", got)
	}
}

func TestAPIOutput(t *testing.T) {
	t.Parallel()
	e, _ := apiWorld(t, fakepds.Options{})

	// JSON: unsafe runes in strings escaped as JSON escapes them (the
	// sanitiser alone would write DEL as \x7f), still valid JSON.
	r := e.run("", "api", "com.example.echo")
	wantCode(t, r, exitOK)
	if strings.Contains(r.stdout, "\u009b") || !strings.Contains(r.stdout, `csi \u009b del \u007f here`) || !json.Valid([]byte(r.stdout)) {
		t.Errorf("the C1 control is not escaped:\n%q", r.stdout)
	}

	// -i: the status line and headers, then a blank line and the body; a
	// header quoting the token is withheld.
	r = e.run("", "api", "-i", "com.example.echo")
	wantCode(t, r, exitOK)
	head, body, ok := strings.Cut(r.stdout, "\n\n")
	if !ok || !strings.HasPrefix(head, "HTTP 200 OK\n") || !strings.Contains(head, "\nContent-Type: application/json\n") ||
		!strings.Contains(head, "\nX-Seen-Authorization: (withheld") || !json.Valid([]byte(body)) {
		t.Errorf("-i:\n%s", r)
	}

	// A body that is not JSON goes to a pipe as it is, byte for byte.
	r = e.run("", "api", "-f", "did=did:plc:stub", "-f", "cid=bafystub", "com.atproto.sync.getBlob")
	wantCode(t, r, exitOK)
	if r.stdout != blobBytes {
		t.Errorf("blob to a pipe: %q, want %q", r.stdout, blobBytes)
	}
	// ... never to a terminal,
	wantError(t, e.runTerminal("api", "-f", "did=did:plc:stub", "-f", "cid=bafystub", "com.atproto.sync.getBlob"), exitFailure, "application/octet-stream", "--output")
	// ... but to --output's file.
	file := filepath.Join(t.TempDir(), "blob")
	r = e.runTerminal("api", "--output", file, "-f", "did=did:plc:stub", "-f", "cid=bafystub", "com.atproto.sync.getBlob")
	wantCode(t, r, exitOK)
	if data, err := os.ReadFile(file); err != nil || string(data) != blobBytes || r.stdout != "" {
		t.Errorf("--output: %q (%v); stdout %q", data, err, r.stdout)
	}
	// JSON: compact on a pipe; to --output as it came, nothing on stdout.
	if r := e.run("", "api", "com.example.spaced"); r.stdout != `{"a":[1]}`+"\n" {
		t.Errorf("JSON to a pipe: %q", r.stdout)
	}
	r = e.runTerminal("api", "--output", file, "com.example.spaced")
	wantCode(t, r, exitOK)
	if data, _ := os.ReadFile(file); string(data) != `{ "a" : [ 1 ] }` || r.stdout != "" {
		t.Errorf("--output JSON: %q; stdout %q", data, r.stdout)
	}
	// A failed call leaves the file as it was.
	wantError(t, e.run("", "api", "--output", file, "-f", "actor=alice.test", "app.bsky.actor.getProfile"), exitFailure, "MethodNotImplemented")
	if data, _ := os.ReadFile(file); string(data) != `{ "a" : [ 1 ] }` {
		t.Errorf("a failed call changed --output's file: %q", data)
	}
	// --paginate to --output: the pages, one a line.
	r = e.run("", "api", "--paginate", "--output", file, "-F", "limit=3", "-f", "repo=alice.test", "-f", "collection=com.example.item", "com.atproto.repo.listRecords")
	if data, _ := os.ReadFile(file); r.code != exitOK || r.stdout != "" || bytes.Count(data, []byte("\n")) != 3 {
		t.Errorf("--paginate --output: %q\n%s", data, r)
	}
}

// pages decodes --paginate's output: one JSON object per line.
func pages(t *testing.T, r result) [][]string {
	t.Helper()
	var out [][]string
	for _, line := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
		var page struct{ Records []struct{ URI string } }
		if err := json.Unmarshal([]byte(line), &page); err != nil {
			t.Fatalf("a line is not a JSON page: %v\n%s", err, r)
		}
		var uris []string
		for _, rec := range page.Records {
			uris = append(uris, rec.URI)
		}
		out = append(out, uris)
	}
	return out
}

func TestAPIPaginate(t *testing.T) {
	t.Parallel()
	e, _ := apiWorld(t, fakepds.Options{})
	// -F makes no POST with --paginate: only a query has pages.
	r := e.run("", "api", "--paginate", "-F", "limit=3", "-f", "repo=alice.test", "-f", "collection=com.example.item", "com.atproto.repo.listRecords")
	wantCode(t, r, exitOK)
	got := pages(t, r)
	seen := map[string]bool{}
	for _, p := range got {
		for _, uri := range p {
			seen[uri] = true
		}
	}
	if len(got) != 3 || len(got[0]) != 3 || len(got[2]) != 1 || len(seen) != stubRecords {
		t.Errorf("want 3 pages of %d different records (the empty last one left out), got %v", stubRecords, got)
	}
	// A last page without a cursor, or with a null one, is printed with its
	// records.
	for _, collection := range []string{"tight", "null"} {
		r = e.run("", "api", "--paginate", "-F", "limit=3", "-f", "collection="+collection, "-f", "repo=alice.test", "com.atproto.repo.listRecords")
		wantCode(t, r, exitOK)
		if got := pages(t, r); len(got) != 3 || len(got[2]) != 1 {
			t.Errorf("collection %s: want 3 pages, the last with 1 record; got %v", collection, got)
		}
	}
	// A first page is printed even when it brings nothing.
	r = e.run("", "api", "--paginate", "-f", "collection=empty", "-f", "repo=alice.test", "com.atproto.repo.listRecords")
	if wantCode(t, r, exitOK); r.stdout != "{\"records\":null}\n" {
		t.Errorf("an empty first page: %s", r)
	}

	// --slurp: one array of the pages.
	r = e.run("", "api", "--paginate", "--slurp", "-X", "GET", "-F", "limit=3", "-f", "repo=alice.test", "-f", "collection=com.example.item", "com.atproto.repo.listRecords")
	wantCode(t, r, exitOK)
	var all []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &all); err != nil || len(all) != 3 || strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("--slurp: %v\n%s", err, r)
	}
	// Pretty on a terminal.
	if r := e.runTerminal("api", "--paginate", "--slurp", "-F", "limit=3", "-f", "repo=alice.test", "-f", "collection=com.example.item", "com.atproto.repo.listRecords"); !strings.HasPrefix(r.stdout, "[\n  {\n") {
		t.Errorf("--slurp on a terminal:\n%s", r)
	}

	// --max-pages: what was read is printed, then an error.
	r = e.run("", "api", "--paginate", "--max-pages", "2", "-F", "limit=3", "-f", "repo=alice.test", "-f", "collection=com.example.item", "com.atproto.repo.listRecords")
	wantCode(t, r, exitFailure)
	if n := len(pages(t, r)); n != 2 || !strings.Contains(r.stderr, "--max-pages") {
		t.Errorf("--max-pages 2: %d pages\n%s", n, r)
	}
	// Without --max-pages, 1000 pages: what was read, then an error.
	r = e.run("", "api", "--paginate", "com.example.endless")
	wantCode(t, r, exitFailure)
	if n := strings.Count(r.stdout, "\n"); n != 1000 || !strings.Contains(r.stderr, "stopped after 1000 pages") || !strings.Contains(r.stderr, "--max-pages") {
		t.Errorf("endless pages: %d printed; stderr %s", n, r.stderr)
	}
	// A cursor that comes back is not followed forever.
	r = e.run("", "api", "--paginate", "com.example.loop")
	wantCode(t, r, exitFailure)
	if n := strings.Count(r.stdout, "\n"); n != 2 || !strings.Contains(r.stderr, "already followed") {
		t.Errorf("a looping cursor: %d pages\n%s", n, r)
	}
	// A page must be a JSON object.
	wantError(t, e.run("", "api", "--paginate", "-f", "did=did:plc:stub", "-f", "cid=bafystub", "com.atproto.sync.getBlob"), exitFailure, "not JSON")
}

func TestAPIErrors(t *testing.T) {
	t.Parallel()
	e, alice := apiWorld(t, fakepds.Options{})

	// An XRPC error: exit 1, Name: message.
	wantError(t, e.run("", "api", "-X", "GET", "-f", "actor=alice.test", "app.bsky.actor.getProfile"), exitFailure,
		"app.bsky.actor.getProfile: MethodNotImplemented: Method Not Implemented")

	// A 429 says when to try again.
	reset := e.clock.Now().Add(90 * time.Second)
	e.srv.Inject(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultRateLimit, ResetAt: reset, Times: 1})
	wantError(t, e.run("", "api", nsidGetSession), exitFailure, "rate limited by the server until", "(in 2 minutes)")

	// An error quoting the credentials does not print them (the env checks
	// every output against the saved tokens when the test ends).
	e.srv.Inject(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultQuoteCredentials, Name: "InvalidRequest", Status: 400, Times: 1})
	wantError(t, e.run("", "api", nsidGetSession), exitFailure, "InvalidRequest")

	// A rejected token: one refresh, then the call again, which succeeds.
	refreshes := e.srv.Calls(nsidRefresh)
	e.srv.Inject(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultQuoteCredentials, Name: "ExpiredToken", Status: 400, Quote: fakepds.QuoteTail, Times: 1})
	r := e.run("", "api", nsidGetSession)
	wantCode(t, r, exitOK)
	if n := e.srv.Calls(nsidRefresh) - refreshes; n != 1 || !strings.Contains(r.stdout, alice.DID) {
		t.Errorf("after ExpiredToken: %d refreshes\n%s", n, r)
	}
	// A token about to expire is refreshed first.
	e.clock.Set(e.clock.Now().Add(fakepds.DefaultAccessLifetime - 10*time.Second))
	refreshes = e.srv.Calls(nsidRefresh)
	wantCode(t, e.run("", "api", nsidGetSession), exitOK)
	if n := e.srv.Calls(nsidRefresh) - refreshes; n != 1 {
		t.Errorf("a token about to expire: %d refreshes", n)
	}

	// An ended session: exit 4, and no login.
	e.revoke(e.account(alice.DID).RefreshJwt)
	e.clock.Set(e.clock.Now().Add(3 * time.Hour))
	logins := e.srv.Calls(nsidCreate)
	wantError(t, e.run("", "api", nsidGetSession), exitNoSession)
	wantError(t, e.run("", "api", nsidGetSession), exitNoSession)
	if n := e.srv.Calls(nsidCreate) - logins; n != 0 {
		t.Errorf("%d logins", n)
	}
}

func TestAPINoAccount(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	wantError(t, e.run("", "api", nsidGetSession), exitNoSession, "no active account")
}
