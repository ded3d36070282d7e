package cli

// Helpers of the login --oauth tests: a command run in the background,
// whose stderr is read while it runs and whose stdin is a pipe the test
// writes to (a person pasting), and the browser played for it.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
)

// lineTap is a stderr read while the command writes it.
type lineTap struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	notify chan struct{}
}

func newLineTap() *lineTap { return &lineTap{notify: make(chan struct{}, 1)} }

func (l *lineTap) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.buf.Write(p)
	l.mu.Unlock()
	select {
	case l.notify <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (l *lineTap) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// lines are the complete lines written so far.
func (l *lineTap) lines() []string {
	s := l.String()
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return strings.Split(s[:i], "\n")
	}
	return nil
}

// started is a command running in the background.
type started struct {
	t      *testing.T
	stderr *lineTap
	stdin  *io.PipeWriter
	cancel context.CancelFunc
	done   chan result
	res    *result
}

// startApp runs args as a in the background, with stdin a pipe (unless a
// has one) and stderr a lineTap; record is given the result when it ends.
func startApp(t *testing.T, a *App, record func(result), args ...string) *started {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	s := &started{t: t, stderr: newLineTap(), cancel: cancel, done: make(chan result, 1)}
	if a.Stdin == nil {
		pr, pw := io.Pipe()
		a.Stdin, s.stdin = pr, pw
		t.Cleanup(func() { pw.Close() })
	}
	var stdout bytes.Buffer
	a.Stdout, a.Stderr = &stdout, s.stderr
	go func() {
		code := a.Run(ctx, args)
		r := result{args: args, code: code, stdout: stdout.String(), stderr: s.stderr.String()}
		record(r)
		s.done <- r
	}()
	t.Cleanup(func() { cancel(); s.wait() })
	return s
}

// wait is the command's result once it ended.
func (s *started) wait() result {
	s.t.Helper()
	if s.res == nil {
		select {
		case r := <-s.done:
			s.res = &r
		case <-time.After(90 * time.Second):
			s.t.Fatalf("the command did not end; stderr so far:\n%s", s.stderr)
		}
	}
	return *s.res
}

// running reports whether the command has not ended yet.
func (s *started) running() bool {
	if s.res != nil {
		return false
	}
	select {
	case r := <-s.done:
		s.res = &r
		return false
	default:
		return true
	}
}

// waitLine waits for a line of stderr that match accepts and returns it,
// with the line before it ("" for none). The command ending first fails
// the test.
func (s *started) waitLine(what string, match func(string) bool) (line, before string) {
	s.t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		lines := s.stderr.lines()
		for i, l := range lines {
			if match(l) {
				if i > 0 {
					before = lines[i-1]
				}
				return l, before
			}
		}
		if !s.running() {
			s.t.Fatalf("ended before stderr had %s: %s", what, *s.res)
		}
		select {
		case <-s.stderr.notify:
		case r := <-s.done:
			s.res = &r
		case <-deadline:
			s.t.Fatalf("stderr never had %s:\n%s", what, s.stderr)
		}
	}
}

// paste writes a line to the command's stdin.
func (s *started) paste(line string) {
	s.t.Helper()
	if _, err := io.WriteString(s.stdin, line+"\n"); err != nil {
		s.t.Fatalf("writing to stdin: %v", err)
	}
}

// authorizeLine is a match for the line holding the authorization URL of
// the issuer alone.
func authorizeLine(issuer string) func(string) bool {
	return func(l string) bool {
		return strings.HasPrefix(l, issuer+"/oauth/authorize?") && !strings.ContainsAny(l, " \t")
	}
}

// start runs args in the background in e's world, as runCLI runs them.
func (e *cliEnv) start(a *App, args ...string) *started {
	e.t.Helper()
	a.Version = version
	a.Getenv = func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return e.config
		}
		return ""
	}
	a.ReadSecret = func() (string, error) { e.t.Error("ReadSecret called"); return "", io.EOF }
	a.Now = e.clock.Now
	a.Manager = &accounts.Manager{Store: storage.Open(e.path), Client: e.client, Now: e.clock.Now, Handles: e.handles}
	return startApp(e.t, a, func(r result) {
		e.mu.Lock()
		e.runs = append(e.runs, r)
		e.mu.Unlock()
		e.noteTokens()
	}, args...)
}

// follow has the browser follow a redirect to callback: a GET of it, the
// listener's answer's status returned.
func follow(t *testing.T, callback string) int {
	t.Helper()
	resp, err := http.Get(callback)
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its text quotes the URL, code and all
	}
	if err != nil {
		t.Errorf("the browser's return to %s: %v", hostPath(callback), err)
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// hostPath is a URL without its query (which may hold a code), for test
// messages.
func hostPath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable)"
	}
	return u.Scheme + "://" + u.Host + u.Path
}

// callbackSecrets are the code and state a callback URL carries, which no
// output may hold.
func callbackSecrets(t *testing.T, callback string) []string {
	t.Helper()
	u, err := url.Parse(callback)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range []string{"code", "state"} {
		if v := u.Query().Get(k); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// wantNoneOf fails when the output holds any of secrets.
func wantNoneOf(t *testing.T, r result, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(r.stdout+r.stderr, s) {
			t.Errorf("skyswitch %s printed a code or state of the callback", strings.Join(r.args, " "))
		}
	}
}

// sessionWorks calls getSession with the saved session d as its kind
// wants (DPoP for OAuth) and returns the status and the DID answered.
func sessionWorks(t *testing.T, c *auth.Client, d auth.SessionData) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	resp, err := c.RawSession(ctx, d, auth.RawRequest{Method: http.MethodGet, NSID: "com.atproto.server.getSession"})
	if err != nil {
		t.Fatalf("getSession: %v", err)
	}
	defer resp.Body.Close()
	var body struct {
		DID string `json:"did"`
	}
	json.NewDecoder(resp.Body).Decode(&body)
	return resp.Status, body.DID
}
