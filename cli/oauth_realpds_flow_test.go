package cli

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
)

// api signs each request with a DPoP proof: getSession, and a createRecord
// (which needs transition:generic, the default scope). exec runs curl
// through its loopback proxy with the run's secret: the same two calls.
// No plain Bearer goes out; no output holds a token, the key or the secret.
func TestRealPDSOAuthAPIAndExec(t *testing.T) {
	t.Parallel()
	needTools(t, "sh", "curl")
	r := newRealOAuth(t)
	res := r.run(&App{}, "api", nsidGetSession)
	var s map[string]any
	if res.code != exitOK || json.Unmarshal([]byte(res.stdout), &s) != nil || s["did"] != r.did || s["handle"] != r.handle {
		t.Fatalf("api getSession: %s", res)
	}
	res = r.run(&App{}, "api", "-f", "repo="+r.did, "-f", "collection=app.bsky.feed.post", "-f", "record[$type]=app.bsky.feed.post",
		"-f", "record[text]=from api with OAuth", "-f", "record[createdAt]="+time.Now().UTC().Format(time.RFC3339), "com.atproto.repo.createRecord")
	if res.code != exitOK || !strings.Contains(res.stdout, `"uri":"at://`+r.did+`/app.bsky.feed.post/`) {
		t.Fatalf("api createRecord: %s", res)
	}

	dir := t.TempDir()
	script := `printf %s "$ATP_ACCESS_TOKEN" > "$1/secret"
h="Authorization: Bearer $ATP_ACCESS_TOKEN"
curl -sS --noproxy '*' -H "$h" "$ATP_PDS_URL/xrpc/com.atproto.server.getSession"; echo
curl -sS --noproxy '*' -H "$h" -H 'Content-Type: application/json' "$ATP_PDS_URL/xrpc/com.atproto.repo.createRecord" \
  -d '{"repo":"'"$ATP_DID"'","collection":"app.bsky.feed.post","record":{"$type":"app.bsky.feed.post","text":"from curl","createdAt":"` +
		time.Now().UTC().Format(time.RFC3339) + `"}}'; echo`
	res = r.run(&App{Environ: func() []string { return []string{"PATH=" + os.Getenv("PATH")} }}, "exec", "--", "sh", "-c", script, "sh", dir)
	secret, _ := os.ReadFile(filepath.Join(dir, "secret"))
	r.note(string(secret))
	lines := strings.Split(res.stdout, "\n")
	switch {
	case res.code != exitOK || len(lines) < 2:
		t.Fatalf("exec: %s", res)
	case len(secret) < 32 || string(secret) == r.saved().AccessJwt:
		t.Fatal("the command's ATP_ACCESS_TOKEN is not the run's secret")
	case !strings.Contains(lines[0], `"did":"`+r.did+`"`):
		t.Errorf("getSession through the proxy: %s", lines[0])
	case !strings.Contains(lines[1], `"uri":"at://`+r.did+`/app.bsky.feed.post/`):
		t.Errorf("createRecord through the proxy: %s", lines[1])
	}
}

// A refresh rotates both tokens; the old access token then gets 401 at
// once, the new one works.
func TestRealPDSOAuthRefresh(t *testing.T) {
	t.Parallel()
	r := newRealOAuth(t)
	before := r.saved()
	wantCode(t, r.run(&App{}, "refresh"), exitOK)
	after := r.saved()
	if after.RefreshJwt == before.RefreshJwt || after.AccessJwt == before.AccessJwt || r.wire.count() != 1 {
		t.Fatalf("refresh: rotated %v, %d refreshes sent", after.RefreshJwt != before.RefreshJwt, r.wire.count())
	}
	if got := r.getSession(before.SessionData); got != 401 {
		t.Errorf("the old access token got HTTP %d, want 401", got)
	}
	if got := r.getSession(after.SessionData); got != 200 {
		t.Errorf("the new access token got HTTP %d", got)
	}
}

// Processes that want a fresh token at once spend the refresh token once:
// four Managers in this process (each with its own store and client)
// calling getSession when the token is due, the server seeing one refresh;
// then two skyswitch processes running api at once. The session lives.
func TestRealPDSOAuthTwoProcessesRefresh(t *testing.T) {
	t.Parallel()
	r := newRealOAuth(t)
	r.dueSoon()
	before := r.saved()
	var wg sync.WaitGroup
	for i := range 4 {
		m := r.manager()
		wg.Go(func() {
			resp, _, err := m.Call(r.ctx, r.did, auth.RawRequest{Method: http.MethodGet, NSID: nsidGetSession})
			if err != nil {
				t.Errorf("process %d: %v", i, err)
				return
			}
			resp.Body.Close()
		})
	}
	wg.Wait()
	if n := r.wire.count(); n != 1 {
		t.Errorf("%d refreshes sent, want 1", n)
	}
	mid := r.saved()
	if mid.RefreshJwt == before.RefreshJwt || r.getSession(mid.SessionData) != 200 || mid.SessionEnded {
		t.Fatal("the session did not survive the refresh")
	}

	r.dueSoon()
	p := &procEnv{t: t, bin: skyswitchBinary(t), config: r.config}
	results := make([]result, 2)
	for i := range results {
		wg.Go(func() { results[i] = p.run(nil, "api", nsidGetSession) })
	}
	wg.Wait()
	for _, res := range results {
		r.runs = append(r.runs, res)
		if res.code != exitOK || !strings.Contains(res.stdout, r.did) {
			t.Errorf("a process: %s", res)
		}
	}
	r.note()
	last := r.saved()
	if last.RefreshJwt == mid.RefreshJwt || last.SessionEnded || last.LastRefreshError != "" {
		t.Fatalf("after the processes: rotated %v, ended %v, error %q", last.RefreshJwt != mid.RefreshJwt, last.SessionEnded, last.LastRefreshError)
	}
	wantCode(t, r.run(&App{}, "api", nsidGetSession), exitOK)
}

// Logout revokes at the revocation endpoint (which answers 200 whatever
// it did): the old access token then gets 401, and the account is gone.
func TestRealPDSOAuthLogout(t *testing.T) {
	t.Parallel()
	r := newRealOAuth(t)
	before := r.saved()
	if got := r.getSession(before.SessionData); got != 200 {
		t.Fatalf("before logout: HTTP %d", got)
	}
	res := r.run(&App{}, "logout")
	if res.code != exitOK || !strings.Contains(res.stderr, "revoked on its server") {
		t.Fatalf("logout: %s", res)
	}
	if got := r.getSession(before.SessionData); got != 401 {
		t.Errorf("the logged-out access token got HTTP %d, want 401", got)
	}
	if st, err := storage.Open(r.path()).Load(); err != nil || len(st.Accounts) != 0 || len(st.PendingLogouts) != 0 {
		t.Errorf("after logout: %v", err)
	}
}
