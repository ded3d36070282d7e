package cli

// The built binary against what the network and the file can say about
// where credentials go: a TLS server on loopback whose certificate (made
// here, trusted through SSL_CERT_FILE) names terminal escape sequences, and
// an accounts file whose pdsUrl is plain http to another host.

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/internal/testcert"
	"github.com/skyswitch/skyswitch/storage"
)

// hostileTLSServer starts a TLS server on 127.0.0.1 whose certificate,
// issued by a CA made for the test, names testcert.Hostile and no IP
// address. It returns the port and the path of the CA's PEM file.
func hostileTLSServer(t *testing.T) (port, caFile string) {
	t.Helper()
	ca := testcert.NewCA(t)
	now := time.Now()
	cert := ca.Leaf(t, testcert.Hostile, nil, now.Add(-time.Hour), now.Add(time.Hour))
	port = testcert.Serve(t, cert, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("a request got through the certificate check: %s %s", r.Method, r.URL.Path)
	}))
	return port, ca.PEMFile(t)
}

// A certificate's names never reach the terminal: login says, in our
// words, that the certificate is not valid for the host, and prints no
// escape, BEL or other unsafe rune (nor the names made harmless: a cleaned
// quote would still be the server's text, not ours).
func TestProcessLoginHostileCertificate(t *testing.T) {
	t.Parallel()
	port, caFile := hostileTLSServer(t)
	p := newProcEnv(t, nil)
	for _, host := range []string{"localhost", "127.0.0.1"} {
		r := p.runEnv([]string{"SSL_CERT_FILE=" + caFile, "SSL_CERT_DIR=" + filepath.Dir(caFile)}, strings.NewReader(testPassword+"\n"),
			"login", "--service", "https://"+host+":"+port, "--identifier", "alice.test", "--password-stdin")
		out := r.stdout + r.stderr
		if c := unsafeRune(out); c != -1 {
			t.Errorf("login at %s: the output holds %U", host, c)
		}
		for _, quoted := range []string{"pwned", "52;c", "[2J", "evil.example"} {
			if strings.Contains(out, quoted) {
				t.Errorf("login at %s: the output quotes the certificate (%q):\n%q", host, quoted, out)
			}
		}
		wantError(t, r, exitFailure, "certificate is not valid for this host", host+":"+port)
	}
	if _, err := os.Stat(p.path()); err == nil {
		if st, err := storage.Open(p.path()).Load(); err == nil && len(st.Accounts) > 0 {
			t.Error("a login refused by TLS saved an account")
		}
	}
}

// proxyRecorder is an HTTP proxy on loopback that answers nothing and
// counts what reached it: the binary sends plain-http requests to other
// hosts through HTTP_PROXY, so a request to the file's http pdsUrl would
// arrive here.
type proxyRecorder struct {
	mu sync.Mutex
	n  int
}

func (p *proxyRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.n++
	p.mu.Unlock()
	http.Error(w, "test proxy: no", http.StatusBadGateway)
}

func (p *proxyRecorder) requests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

// A pdsUrl read from the file is held to the network's rules: refresh
// refuses to send the refresh token to plain http on another host, says
// why and names the URL, sends nothing, and the file keeps its tokens.
func TestProcessRefreshRefusesPlainHTTPFromFile(t *testing.T) {
	t.Parallel()
	srv, _, p := newAliceProc(t, fakepds.Options{})
	const plain = "http://pds.example.com"
	var before storage.Account
	err := storage.Open(p.path()).Update(func(st *storage.State) error {
		st.Accounts[0].PDSURL = plain
		before = st.Accounts[0]
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	proxy := &proxyRecorder{}
	ps := httptest.NewServer(proxy)
	t.Cleanup(ps.Close)
	refreshes := srv.Calls("com.atproto.server.refreshSession")

	r := p.runEnv([]string{"HTTP_PROXY=" + ps.URL, "http_proxy=" + ps.URL}, nil, "refresh")
	wantError(t, r, exitFailure, "refusing to send credentials to "+plain, "plain http")
	if n := proxy.requests(); n != 0 {
		t.Errorf("%d requests went out to the plain-http URL", n)
	}
	if n := srv.Calls("com.atproto.server.refreshSession"); n != refreshes {
		t.Errorf("%d refreshes reached the fake PDS", n-refreshes)
	}
	after, ok := storage.Open(p.path()).Load()
	if ok != nil || len(after.Accounts) != 1 {
		t.Fatalf("the account is gone: %v", ok)
	}
	if a := after.Accounts[0]; a.AccessJwt != before.AccessJwt || a.RefreshJwt != before.RefreshJwt || a.RefreshJwt == "" {
		t.Error("the file lost or changed its tokens")
	}
}

// A refresh refused by TLS is saved as the account's last error in our
// words, so status and list --json show no certificate name either.
func TestProcessRefreshHostileCertificateSavedInOurWords(t *testing.T) {
	t.Parallel()
	port, caFile := hostileTLSServer(t)
	_, _, p := newAliceProc(t, fakepds.Options{})
	err := storage.Open(p.path()).Update(func(st *storage.State) error {
		st.Accounts[0].PDSURL = "https://localhost:" + port
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"SSL_CERT_FILE=" + caFile, "SSL_CERT_DIR=" + filepath.Dir(caFile)}
	wantError(t, p.runEnv(env, nil, "refresh"), exitFailure, "certificate is not valid for this host")
	st, err := storage.Open(p.path()).Load()
	if err != nil || len(st.Accounts) != 1 || !strings.Contains(st.Accounts[0].LastRefreshError, "certificate is not valid for this host") {
		t.Fatalf("the last error saved is not ours (%v)", err)
	}
	for _, args := range [][]string{{"status"}, {"list", "--json"}} {
		r := p.runEnv(env, nil, args...)
		out := r.stdout + r.stderr
		if !strings.Contains(out, "certificate is not valid for this host") {
			t.Errorf("skyswitch %s does not show the last error:\n%s", strings.Join(args, " "), out)
		}
		for _, quoted := range []string{"pwned", "52;c", "[2J", "evil.example"} {
			if strings.Contains(out, quoted) {
				t.Errorf("skyswitch %s quotes the certificate (%q)", strings.Join(args, " "), quoted)
			}
		}
	}
}
