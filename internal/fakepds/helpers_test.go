package fakepds_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// testPassword is a fixed password for test accounts.
const testPassword = "correct horse battery staple"

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newServer starts a server with a fake clock and one account, alice.test.
func newServer(t *testing.T, opts fakepds.Options) (*fakepds.Server, *fakeClock, fakepds.Account) {
	t.Helper()
	clock := newClock()
	if opts.Now == nil {
		opts.Now = clock.Now
	}
	s := fakepds.New(opts)
	t.Cleanup(s.Close)
	a := s.AddAccount(fakepds.Account{Handle: "alice.test", Email: "alice@example.com", Password: testPassword, EmailConfirmed: true})
	return s, clock, a
}

// answer is what the server answered.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// call sends an XRPC request (nsid may carry a query string): with in
// encoded as its JSON body when in is non-nil, else without a body.
func call(t *testing.T, s *fakepds.Server, method, nsid, token string, in any) answer {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL()+"/xrpc/"+nsid, body)
	if err != nil {
		t.Fatal(err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("User-Agent", "fakepds-test/1")
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, nsid, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, nsid, err)
	}
	return answer{resp.StatusCode, resp.Header, b}
}

func (a answer) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("decoding %q: %v", a.body, err)
	}
}

// wantError checks an XRPC error answer.
func (a answer) wantError(t *testing.T, status int, name, msg string) {
	t.Helper()
	var e struct{ Error, Message string }
	_ = json.Unmarshal(a.body, &e)
	if a.status != status || e.Error != name || (msg != "" && e.Message != msg) {
		t.Fatalf("got %d %s, want %d {%q %q}", a.status, a.body, status, name, msg)
	}
}

func (a answer) wantOK(t *testing.T) {
	t.Helper()
	if a.status != http.StatusOK {
		t.Fatalf("got %d %s, want 200", a.status, a.body)
	}
}

// session is the decoded answer of the session endpoints.
type session struct {
	AccessJwt       string          `json:"accessJwt"`
	RefreshJwt      string          `json:"refreshJwt"`
	DID             string          `json:"did"`
	Handle          string          `json:"handle"`
	Email           string          `json:"email"`
	EmailConfirmed  bool            `json:"emailConfirmed"`
	EmailAuthFactor bool            `json:"emailAuthFactor"`
	Active          bool            `json:"active"`
	Status          string          `json:"status"`
	DIDDoc          json.RawMessage `json:"didDoc"`
}

type login struct {
	Identifier      string `json:"identifier"`
	Password        string `json:"password"`
	AuthFactorToken string `json:"authFactorToken,omitempty"`
}

// mustLogin logs in and returns the session.
func mustLogin(t *testing.T, s *fakepds.Server, identifier, password string) session {
	t.Helper()
	a := call(t, s, "POST", "com.atproto.server.createSession", "", login{Identifier: identifier, Password: password})
	a.wantOK(t)
	var out session
	a.decode(t, &out)
	return out
}

// refresh calls refreshSession with a refresh token.
func refresh(t *testing.T, s *fakepds.Server, tok string) answer {
	t.Helper()
	return call(t, s, "POST", "com.atproto.server.refreshSession", tok, nil)
}

func mustRefresh(t *testing.T, s *fakepds.Server, tok string) session {
	t.Helper()
	a := refresh(t, s, tok)
	a.wantOK(t)
	var out session
	a.decode(t, &out)
	return out
}
