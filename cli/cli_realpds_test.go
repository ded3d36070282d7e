package cli

// A round trip of the script commands against the real Bluesky reference
// PDS started by testdata/pds/run (see auth/realpds_test.go).

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
)

func TestRealPDSCLIRoundTrip(t *testing.T) {
	t.Parallel()
	pdsURL, plcURL := realPDS(t)
	client := &auth.Client{Timeout: 20 * time.Second, Resolver: &auth.Resolver{PLCURL: plcURL}}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// A fresh account with a unique handle.
	acct := newRealPDSAccount(ctx, t, client, pdsURL, "c", "cli")
	did, handle, password := acct.did, acct.handle, acct.password

	path := filepath.Join(t.TempDir(), "skyswitch", "accounts.json")
	run := func(stdin string, args ...string) result {
		t.Helper()
		var stdout, stderr bytes.Buffer
		c := &App{
			Stdin: strings.NewReader(stdin), Stdout: &stdout, Stderr: &stderr,
			Getenv:     func(string) string { return "" },
			ReadSecret: func() (string, error) { t.Error("readSecret called"); return "", io.EOF },
			Manager:    &accounts.Manager{Store: storage.Open(path), Client: client},
		}
		r := result{args: args, code: c.Run(ctx, args), stdout: stdout.String(), stderr: stderr.String()}
		if strings.Contains(r.stdout+r.stderr, password) {
			t.Errorf("skyswitch %s printed the password", strings.Join(args, " "))
		}
		return r
	}
	saved := func() storage.Account {
		t.Helper()
		st, err := storage.Open(path).Load()
		if err != nil {
			t.Fatal(err)
		}
		a, ok := st.Account(did)
		if !ok {
			t.Fatalf("%s is not saved", did)
		}
		return *a
	}

	r := run(password+"\n", "login", "--service", pdsURL, "--identifier", handle, "--password-stdin")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stderr, "Logged in as @"+handle) {
		t.Errorf("%s", r)
	}

	// The printed token works on the real server.
	r = run("", "token")
	wantCode(t, r, exitOK)
	tok := strings.TrimSpace(r.stdout)
	if r.stdout != tok+"\n" || tok != saved().AccessJwt {
		t.Fatal("token did not print exactly the saved access token")
	}
	if status, body := rawXRPC(t, ctx, http.MethodGet, pdsURL, "com.atproto.server.getSession", tok); status != http.StatusOK || body["did"] != did {
		t.Fatalf("getSession with the printed token: HTTP %d, did %v", status, body["did"])
	}

	// A refresh the real server accepts, then the new token works too.
	before := saved()
	wantCode(t, run("", "refresh"), exitOK)
	if after := saved(); after.RefreshJwt == before.RefreshJwt {
		t.Fatal("refresh did not save the rotated refresh token")
	}
	r = run("", "token")
	wantCode(t, r, exitOK)
	if status, _ := rawXRPC(t, ctx, http.MethodGet, pdsURL, "com.atproto.server.getSession", strings.TrimSpace(r.stdout)); status != http.StatusOK {
		t.Fatalf("getSession after refresh: HTTP %d", status)
	}
	r = run("", "status", "--json")
	wantCode(t, r, exitOK)
	var s map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil || s["did"] != did || s["state"] != accounts.StateValid || s["handle"] != handle {
		t.Errorf("status --json: %v (%v)", s, err)
	}

	// Logout revokes the refresh token on the server.
	refreshJwt := saved().RefreshJwt
	r = run("", "logout")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stderr, "revoked on its server") {
		t.Errorf("%s", r)
	}
	status, body := rawXRPC(t, ctx, http.MethodPost, pdsURL, "com.atproto.server.refreshSession", refreshJwt)
	if status != http.StatusBadRequest || body["error"] != "ExpiredToken" {
		t.Fatalf("refreshSession with the logged-out refresh token: HTTP %d %v, want 400 ExpiredToken", status, body["error"])
	}
	wantError(t, run("", "token"), exitNoSession)
	if st, err := storage.Open(path).Load(); err != nil || len(st.Accounts) != 0 || len(st.PendingLogouts) != 0 {
		t.Errorf("after logout: %v", err)
	}
}

// rawXRPC calls a method with a bearer token, without the auth package, and
// decodes the JSON answer.
func rawXRPC(t *testing.T, ctx context.Context, method, base, nsid, bearer string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(base, "/")+"/xrpc/"+nsid, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+bearer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", nsid, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out)
	return resp.StatusCode, out
}
