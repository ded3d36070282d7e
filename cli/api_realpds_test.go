package cli

// skyswitch api and exec against the real Bluesky reference PDS started by
// testdata/pds/run (see auth/realpds_test.go): records written with
// --input and with fields, read back, paged through; a CAR file; a token
// made to expire; a session ended; curl run by exec.

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
)

// refreshCounter counts the refreshSession requests that pass it.
type refreshCounter struct {
	mu sync.Mutex
	n  int
}

func (c *refreshCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.URL.Path, "/"+nsidRefresh) {
		c.mu.Lock()
		c.n++
		c.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(req)
}

func (c *refreshCounter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// realAPI is one test's account on the real PDS and the way to run
// commands as it.
type realAPI struct {
	t        *testing.T
	ctx      context.Context
	url      string
	did      string
	handle   string
	password string
	path     string
	client   *auth.Client
	refresh  *refreshCounter
	now      func() time.Time // the manager's clock; nil: real time
	runs     []result
	tokens   map[string]bool
}

func newRealAPI(t *testing.T) *realAPI {
	pdsURL, plcURL := realPDS(t)
	counter := &refreshCounter{}
	r := &realAPI{
		t: t, url: pdsURL, refresh: counter, tokens: map[string]bool{},
		path: filepath.Join(t.TempDir(), "skyswitch", "accounts.json"),
		client: &auth.Client{
			HTTP: &http.Client{
				Transport:     counter,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			},
			Timeout:  20 * time.Second,
			Resolver: &auth.Resolver{PLCURL: plcURL},
		},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	r.ctx = ctx
	a := newRealPDSAccount(ctx, t, r.client, pdsURL, "a", "api")
	r.did, r.handle, r.password = a.did, a.handle, a.password
	t.Cleanup(r.checkNoSecrets)
	wantCode(t, r.run(&App{}, r.password+"\n", "login", "--service", pdsURL, "--identifier", r.handle, "--password-stdin"), exitOK)
	return r
}

// run runs one command line as app (its streams, manager and clock set).
func (r *realAPI) run(app *App, stdin string, args ...string) result {
	r.t.Helper()
	var stdout, stderr bytes.Buffer
	app.Stdin, app.Stdout, app.Stderr = strings.NewReader(stdin), &stdout, &stderr
	app.Getenv = func(string) string { return "" }
	app.ReadSecret = func() (string, error) { r.t.Error("ReadSecret called"); return "", io.EOF }
	app.Manager = &accounts.Manager{Store: storage.Open(r.path), Client: r.client, Now: r.now}
	res := result{args: args, code: app.Run(r.ctx, args), stdout: stdout.String(), stderr: stderr.String()}
	r.runs = append(r.runs, res)
	r.noteTokens()
	return res
}

// api runs `skyswitch api` with stdout a pipe.
func (r *realAPI) api(stdin string, args ...string) result {
	r.t.Helper()
	return r.run(&App{}, stdin, append([]string{"api"}, args...)...)
}

// apiJSON runs api, wants success, and decodes its one JSON document.
func (r *realAPI) apiJSON(args ...string) map[string]any {
	r.t.Helper()
	res := r.api("", args...)
	wantCode(r.t, res, exitOK)
	var out map[string]any
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
		r.t.Fatalf("not JSON: %v\n%s", err, res)
	}
	return out
}

func (r *realAPI) saved() storage.Account {
	r.t.Helper()
	st, err := storage.Open(r.path).Load()
	if err != nil {
		r.t.Fatal(err)
	}
	a, ok := st.Account(r.did)
	if !ok {
		r.t.Fatalf("%s is not saved", r.did)
	}
	return *a
}

func (r *realAPI) noteTokens() {
	st, err := storage.Open(r.path).Load()
	if err != nil {
		return
	}
	for _, a := range st.Accounts {
		r.tokens[a.AccessJwt], r.tokens[a.RefreshJwt] = true, true
	}
}

// checkNoSecrets: no output held the password or a token the file held.
func (r *realAPI) checkNoSecrets() {
	for _, res := range r.runs {
		out := res.stdout + res.stderr
		for tok := range r.tokens {
			if tok != "" && strings.Contains(out, tok) {
				r.t.Errorf("skyswitch %s printed a token", strings.Join(res.args, " "))
			}
		}
		if strings.Contains(out, r.password) {
			r.t.Errorf("skyswitch %s printed the password", strings.Join(res.args, " "))
		}
	}
}

// setAccess saves tok as the account's access token.
func (r *realAPI) setAccess(tok string) {
	r.t.Helper()
	err := storage.Open(r.path).Update(func(st *storage.State) error {
		a, ok := st.Account(r.did)
		if !ok {
			return fmt.Errorf("%s is not saved", r.did)
		}
		a.AccessJwt = tok
		return nil
	})
	if err != nil {
		r.t.Fatal(err)
	}
	r.tokens[tok] = true
}

// expiredCopy re-signs an HS256 access token with the PDS's secret, issued
// three hours ago and expired one hour ago: genuine, but expired.
func expiredCopy(t *testing.T, tok string) string {
	t.Helper()
	secret := os.Getenv("SKYSWITCH_TEST_PDS_JWT_SECRET")
	if secret == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI must run the real-PDS tests: SKYSWITCH_TEST_PDS_JWT_SECRET is not set")
		}
		t.Skip("SKYSWITCH_TEST_PDS_JWT_SECRET is not set: cannot make a token expire")
	}
	head, payload, _ := strings.Cut(tok, ".")
	payload, _, _ = strings.Cut(payload, ".")
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	var claims map[string]any
	if err == nil {
		err = json.Unmarshal(raw, &claims)
	}
	if err != nil {
		t.Fatalf("the access token's claims: %v", err)
	}
	now := time.Now().Unix()
	claims["iat"], claims["exp"] = now-3*3600, now-3600
	raw, _ = json.Marshal(claims)
	signed := head + "." + base64.RawURLEncoding.EncodeToString(raw)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(signed))
	return signed + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func TestRealPDSAPIRecords(t *testing.T) {
	t.Parallel()
	r := newRealAPI(t)

	// getSession prints the handle.
	if s := r.apiJSON(nsidGetSession); s["handle"] != r.handle || s["did"] != r.did {
		t.Fatalf("getSession: %v", s)
	}

	// createRecord with --input.
	createdAt := time.Now().UTC().Format(time.RFC3339)
	input := filepath.Join(t.TempDir(), "post.json")
	body := fmt.Sprintf(`{"repo": %q, "collection": "app.bsky.feed.post", "record": {"$type": "app.bsky.feed.post", "text": "from --input", "createdAt": %q}}`, r.did, createdAt)
	if err := os.WriteFile(input, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	fromInput := r.apiJSON("--input", input, "com.atproto.repo.createRecord")
	// createRecord with -f and -F, nested.
	fromFields := r.apiJSON("-f", "repo="+r.did, "-f", "collection=app.bsky.feed.post",
		"-f", "record[$type]=app.bsky.feed.post", "-f", "record[text]=from fields", "-f", "record[createdAt]="+createdAt,
		"-f", "record[langs][]=en", "-f", "record[langs][]=de", "-F", "validate=true",
		"com.atproto.repo.createRecord")

	// getRecord reads both back.
	for want, created := range map[string]map[string]any{"from --input": fromInput, "from fields": fromFields} {
		uri, _ := created["uri"].(string)
		rkey := uri[strings.LastIndex(uri, "/")+1:]
		if !strings.HasPrefix(uri, "at://"+r.did+"/app.bsky.feed.post/") || rkey == "" {
			t.Fatalf("createRecord %s: %v", want, created)
		}
		got := r.apiJSON("-X", "GET", "-f", "repo="+r.did, "-f", "collection=app.bsky.feed.post", "-f", "rkey="+rkey, "com.atproto.repo.getRecord")
		value, _ := got["value"].(map[string]any)
		if got["uri"] != uri || value["text"] != want {
			t.Errorf("getRecord %s: %v", want, got)
		}
		if want == "from fields" && fmt.Sprint(value["langs"]) != "[en de]" {
			t.Errorf("langs: %v", value["langs"])
		}
	}

	// 120 records in one applyWrites (--input on stdin), then
	// listRecords --paginate, 50 a page.
	const collection, total = "com.example.skyswitch.item", 120
	var writes []map[string]any
	for i := range total {
		writes = append(writes, map[string]any{
			"$type": "com.atproto.repo.applyWrites#create", "collection": collection,
			"value": map[string]any{"$type": collection, "n": i}})
	}
	batch, _ := json.Marshal(map[string]any{"repo": r.did, "validate": false, "writes": writes})
	wantCode(t, r.api(string(batch), "--input", "-", "com.atproto.repo.applyWrites"), exitOK)

	list := []string{"--paginate", "-f", "repo=" + r.did, "-f", "collection=" + collection, "-F", "limit=50", "com.atproto.repo.listRecords"}
	res := r.api("", list...)
	wantCode(t, res, exitOK)
	lines := strings.Split(strings.TrimSuffix(res.stdout, "\n"), "\n")
	seen := map[string]bool{}
	n := 0
	for _, line := range lines {
		var page struct{ Records []struct{ URI string } }
		if err := json.Unmarshal([]byte(line), &page); err != nil {
			t.Fatalf("a page is not JSON: %v", err)
		}
		for _, rec := range page.Records {
			n++
			seen[rec.URI] = true
		}
	}
	if len(lines) != 3 || n != total || len(seen) != total {
		t.Errorf("listRecords --paginate: %d pages, %d records, %d different; want 3, %d, %d", len(lines), n, len(seen), total, total)
	}
	res = r.api("", append([]string{"--slurp"}, list...)...)
	wantCode(t, res, exitOK)
	var slurped []struct{ Records []any }
	if err := json.Unmarshal([]byte(res.stdout), &slurped); err != nil || len(slurped) != 3 || len(slurped[2].Records) != total-100 {
		t.Errorf("--slurp: %d pages (%v)", len(slurped), err)
	}

	// A CAR file: as it is to a pipe, refused on a terminal, written by --output.
	repo := []string{"-X", "GET", "-f", "did=" + r.did, "com.atproto.sync.getRepo"}
	res = r.api("", repo...)
	wantCode(t, res, exitOK)
	if json.Valid([]byte(res.stdout)) || !strings.Contains(res.stdout, "roots") || !strings.Contains(res.stdout, "version") {
		t.Errorf("getRepo: %d bytes that do not look like a CAR file", len(res.stdout))
	}
	wantError(t, r.run(&App{StdoutTerminal: true}, "", append([]string{"api"}, repo...)...), exitFailure, "application/vnd.ipld.car", "--output")
	car := filepath.Join(t.TempDir(), "repo.car")
	wantCode(t, r.run(&App{StdoutTerminal: true}, "", append([]string{"api", "--output", car}, repo...)...), exitOK)
	if data, err := os.ReadFile(car); err != nil || len(data) < len(res.stdout)/2 || !bytes.Contains(data, []byte("roots")) {
		t.Errorf("--output: %d bytes (%v)", len(data), err)
	}

	// An XRPC error, and a wrong NSID.
	wantError(t, r.api("", "-X", "GET", "-f", "repo="+r.did, "-f", "collection=app.bsky.feed.post", "-f", "rkey=nope", "com.atproto.repo.getRecord"),
		exitFailure, "com.atproto.repo.getRecord: RecordNotFound")
	wantError(t, r.api("", "com.atproto..getSession"), exitUsage, "not an NSID")
}

// After the access token was made to expire, a call succeeds after exactly
// one refresh: found before the call when our clock knows, and after the
// server's ExpiredToken when our clock is behind. Then, with the session
// revoked too, api and exec exit 4.
func TestRealPDSAPIExpiredToken(t *testing.T) {
	t.Parallel()
	r := newRealAPI(t)
	for _, clockBehind := range []bool{false, true} {
		r.now = nil
		if clockBehind {
			r.now = func() time.Time { return time.Now().Add(-3 * time.Hour) }
		}
		r.setAccess(expiredCopy(t, r.saved().AccessJwt))
		before := r.refresh.count()
		if s := r.apiJSON(nsidGetSession); s["did"] != r.did {
			t.Fatalf("getSession: %v", s)
		}
		if n := r.refresh.count() - before; n != 1 {
			t.Errorf("clock behind %v: %d refreshes, want 1", clockBehind, n)
		}
	}
	r.now = nil

	refreshJwt := r.saved().RefreshJwt
	if status, _ := rawXRPC(t, r.ctx, http.MethodPost, r.url, nsidDelete, refreshJwt); status != http.StatusOK {
		t.Fatalf("deleteSession: HTTP %d", status)
	}
	r.setAccess(expiredCopy(t, r.saved().AccessJwt))
	wantError(t, r.api("", nsidGetSession), exitNoSession)
	wantError(t, r.run(&App{}, "", "exec", "--", "true"), exitNoSession)
}

func TestRealPDSExecCurl(t *testing.T) {
	t.Parallel()
	needTools(t, "sh", "curl")
	r := newRealAPI(t)
	res := r.run(&App{Environ: func() []string { return []string{"PATH=" + os.Getenv("PATH")} }}, "",
		"exec", "--", "sh", "-c", curlGetSession)
	wantCode(t, res, exitOK)
	var s map[string]any
	if err := json.Unmarshal([]byte(res.stdout), &s); err != nil || s["handle"] != r.handle || s["did"] != r.did {
		t.Errorf("curl getSession through exec: %v\n%s", err, res)
	}
}

// A blob upload as the README shows it: the bytes of --input as they are,
// the type from -H or, without it, from the bytes; and -i on an error.
func TestRealPDSAPIUploadBlobAndHeaders(t *testing.T) {
	t.Parallel()
	r := newRealAPI(t)
	dir := t.TempDir()
	img := filepath.Join(dir, "dot.png")
	text := filepath.Join(dir, "note")
	if os.WriteFile(img, tinyPNG(t), 0o600) != nil || os.WriteFile(text, []byte("a note, not JSON\n"), 0o600) != nil {
		t.Fatal("writing the blobs")
	}
	for _, tc := range []struct {
		args []string
		want string
		size int
	}{
		{[]string{"--input", img, "-H", "Content-Type: image/png"}, "image/png", len(tinyPNG(t))},
		{[]string{"--input", text, "-H", "content-type:text/csv"}, "text/csv", 17},
		{[]string{"--input", text}, "text/plain", 17}, // the server sniffs nothing in text
	} {
		res := r.api("", append(tc.args, nsidUploadBlob)...)
		wantCode(t, res, exitOK)
		mt, size, link := blobRef(t, res)
		if mt != tc.want || size != tc.size || !strings.HasPrefix(link, "bafkrei") {
			t.Errorf("%v: %s, %d bytes, ref %q; want %s, %d bytes", tc.args, mt, size, link, tc.want, tc.size)
		}
	}

	// -i on an error answer: the head, then the error line.
	res := r.api("", "-i", "-X", "GET", "-f", "repo="+r.did, "-f", "collection=app.bsky.feed.post", "-f", "rkey=nope", "com.atproto.repo.getRecord")
	wantHead(t, res, "400 Bad Request", exitFailure, []string{"Content-Type: application/json; charset=utf-8"}, "com.atproto.repo.getRecord: RecordNotFound")
}
