package cli

// The secret hygiene sweep: every command, on its success and failure
// paths, with a hostile server that quotes the credentials it was sent back
// in its error answers. Nothing a command prints (stdout, stderr) or logs
// may contain the password, an access or refresh token, or a 16-character
// piece of a token's signature; the one exception is `token`'s stdout.
// (exec's commands here print only the token's length.)
//
// The secrets are known because the fake server lists every token it issued
// and every password it was sent (Secrets), and the accounts file is read
// after each step. New commands join the sweep as rows of the table in
// TestSecretSweep; each command's --help is swept from the commands table.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

// sweepPassword and sweepWrongPassword are typed by the sweep: distinctive,
// so a match cannot be chance.
const (
	sweepPassword      = "Qx7-sweep-PASSWORD-k4Tz9Lm2"
	sweepWrongPassword = "Wv3-not-the-PASSWORD-j8Rq1Np5"
)

// fragLen is the length of a signature piece that counts as a leak.
const fragLen = 16

// secretSet holds what must never be printed: passwords (whole) and tokens
// (whole, and every fragLen-byte piece of their signature).
type secretSet struct {
	mu        sync.Mutex
	passwords map[string]bool
	tokens    map[string]bool
	frags     map[string]bool
}

func newSecretSet(passwords ...string) *secretSet {
	s := &secretSet{passwords: map[string]bool{}, tokens: map[string]bool{}, frags: map[string]bool{}}
	for _, p := range passwords {
		s.passwords[p] = true
	}
	return s
}

// addToken remembers a token; anything that is not a three-part JWT with a
// signature of at least fragLen bytes is remembered whole only.
func (s *secretSet) addToken(tok string) {
	if tok == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tokens[tok] {
		return
	}
	s.tokens[tok] = true
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return
	}
	sig := parts[2]
	for i := 0; i+fragLen <= len(sig); i++ {
		s.frags[sig[i:i+fragLen]] = true
	}
}

// addKey remembers an OAuth session's DPoP key (made by skyswitch, not
// issued by the server), whole.
func (s *secretSet) addKey(d auth.SessionData) {
	if d.OAuth == nil || d.OAuth.DPoPKey == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.passwords[d.OAuth.DPoPKey] = true
}

// learn adds every secret srv has issued or been sent: JWTs as tokens, the
// rest as passwords.
func (s *secretSet) learn(srv *fakepds.Server) {
	for _, sec := range srv.Secrets() {
		if strings.Count(sec, ".") == 2 {
			s.addToken(sec)
			continue
		}
		s.mu.Lock()
		s.passwords[sec] = true
		s.mu.Unlock()
	}
}

func (s *secretSet) has(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens[tok]
}

func (s *secretSet) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.tokens)
}

// find reports the first secret in text, as a description that never
// quotes it: what kind of secret and at which byte. Text is also searched
// with its white space removed, so a secret cut across lines is found.
func (s *secretSet) find(text string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	squeezed := strings.Join(strings.Fields(text), "")
	for i, t := range []string{text, squeezed, jsonUnescaped(squeezed)} {
		where := [...]string{"at byte", "with white space removed, at byte", "with JSON escapes read, at byte"}[i]
		for p := range s.passwords {
			if at := strings.Index(t, p); at >= 0 {
				return fmt.Sprintf("a password (%d bytes) %s %d", len(p), where, at), true
			}
		}
		for tok := range s.tokens {
			if at := strings.Index(t, tok); at >= 0 {
				return fmt.Sprintf("a whole token (%d bytes) %s %d", len(tok), where, at), true
			}
		}
		for at := 0; at+fragLen <= len(t); at++ {
			if s.frags[t[at:at+fragLen]] {
				return fmt.Sprintf("a %d-byte piece of a token's signature %s %d", fragLen, where, at), true
			}
		}
	}
	return "", false
}

// jsonEscapeRE matches the JSON escapes that can stand for a token's
// characters: \u00XX (ASCII) and \/.
var jsonEscapeRE = regexp.MustCompile(`\\u00[0-7][0-9a-fA-F]|\\/`)

// jsonUnescaped is text with those escapes read, so that a token written
// as escapes in JSON output is found as well.
func jsonUnescaped(text string) string {
	return jsonEscapeRE.ReplaceAllStringFunc(text, func(esc string) string {
		if esc == `\/` {
			return "/"
		}
		var c byte
		fmt.Sscanf(esc[2:], "%04x", &c)
		return string(rune(c))
	})
}

// The check itself must catch what it is meant to catch, and only that.
func TestSecretSetCatchesPlantedSecrets(t *testing.T) {
	t.Parallel()
	srv := fakepds.New(fakepds.Options{})
	defer srv.Close()
	a := srv.AddAccount(fakepds.Account{Handle: "alice.test", Password: sweepPassword})
	tok := sampleToken(t, srv, a.Handle)
	s := newSecretSet()
	s.learn(srv)
	if !s.has(tok) {
		t.Fatal("the token is not learnt from the server")
	}
	sig := tok[strings.LastIndex(tok, ".")+1:]
	caught := map[string]string{
		"whole token":             "error: " + tok + "!",
		"signature piece":         "bad signature …" + sig[7:7+fragLen] + "…",
		"signature at the end":    "x" + sig[len(sig)-fragLen:],
		"password":                "login failed for " + sweepPassword,
		"password across lines":   sweepPassword[:9] + "\n   " + sweepPassword[9:],
		"signature across a wrap": sig[:10] + "\n" + sig[10:30],
		"token as JSON escapes":   `"` + jsonEscapesOf(tok) + `"`,
	}
	for name, text := range caught {
		if _, ok := s.find(text); !ok {
			t.Errorf("%s: not caught", name)
		}
	}
	missed := map[string]string{
		"the status mask":          "Token: app password (" + mask(tok) + ")",
		"the header":               tok[:strings.Index(tok, ".")],
		"a shorter piece":          sig[3 : 3+fragLen-1],
		"part of the password":     sweepPassword[:len(sweepPassword)-1],
		"an unrelated long string": strings.Repeat("A", 200),
	}
	for name, text := range missed {
		if what, ok := s.find(text); ok {
			t.Errorf("%s: caught as %s", name, what)
		}
	}
	// The description never quotes the secret.
	if what, _ := s.find(tok); strings.Contains(what, sig[:fragLen]) || strings.Contains(what, tok) {
		t.Error("the finding quotes the secret")
	}
}

// jsonEscapesOf is s with every byte written as a JSON \u escape.
func jsonEscapesOf(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		fmt.Fprintf(&b, `\u%04x`, c)
	}
	return b.String()
}

// sampleToken logs handle in on srv directly and returns its access token.
func sampleToken(t *testing.T, srv *fakepds.Server, handle string) string {
	t.Helper()
	body := fmt.Sprintf(`{"identifier":%q,"password":%q}`, handle, sweepPassword)
	resp, err := srv.Client().Post(srv.URL()+"/xrpc/"+nsidCreate, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ AccessJwt string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || strings.Count(out.AccessJwt, ".") != 2 {
		t.Fatalf("no token from the fake server (HTTP %d, %v)", resp.StatusCode, err)
	}
	return out.AccessJwt
}

// quoting is a hostile answer: an error of status, an XRPC error named name
// or an HTML page for "", whose message quotes the credentials the request
// carried as q says.
func quoting(status int, name string, q fakepds.Quote) fakepds.Fault {
	return fakepds.Fault{Kind: fakepds.FaultQuoteCredentials, Status: status, Name: name, Quote: q}
}

// echoing is a hostile raw answer: not HTTP, and Go's error about it
// quotes the request body (FaultEchoRequest) or its Authorization header
// (FaultEchoAuthorization).
func echoing(kind fakepds.FaultKind) fakepds.Fault { return fakepds.Fault{Kind: kind} }

// saysMalformed checks that a raw answer is said in our words: the
// server sent a malformed answer (never what it sent).
func saysMalformed(t *testing.T, s *sweep, r result) {
	if !strings.Contains(r.stderr, "the server sent a malformed answer") {
		t.Errorf("skyswitch %s: stderr does not say the answer was malformed (%d bytes)", shownArgs(r.args), len(r.stderr))
	}
}

// shownArgs is a command line for a failure message, any JWT in it (a
// step may pass the access token in -H) replaced.
func shownArgs(args []string) string {
	jwt := regexp.MustCompile(`[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`)
	return jwt.ReplaceAllString(strings.Join(args, " "), "(a token)")
}

// savedMalformed checks that the saved last error of a raw answer is
// our sentence too.
func savedMalformed(t *testing.T, s *sweep, r result) {
	if !strings.Contains(r.stdout, "the server sent a malformed answer") {
		t.Errorf("skyswitch %s: stdout does not show the last error as a malformed answer (%d bytes)", shownArgs(r.args), len(r.stdout))
	}
}

// echoBody is a 2xx JSON answer repeating the Authorization header, whole,
// alone, as JSON escapes and its signature's end, on every request to
// nsidEcho until the step ends (with a cursor on the first page).
var echoBody = fakepds.Fault{Kind: fakepds.FaultEchoAuthorizationBody}

// nsidEcho is a query the fake server knows nothing of: only echoBody answers it.
const nsidEcho = "com.example.debug.echo"

// bodyWithheld checks that the echoed token was there, and withheld: in
// stdout, or in the --output file.
func bodyWithheld(pages int) func(t *testing.T, s *sweep, r result) {
	return func(t *testing.T, s *sweep, r result) {
		text, where := r.stdout, "stdout"
		if slices.Contains(r.args, "--output") {
			b, err := os.ReadFile(s.out)
			if err != nil {
				t.Fatalf("skyswitch %s: %v", shownArgs(r.args), err)
			}
			text, where = string(b), "the --output file"
			if what, leaked := s.secrets.find(text); leaked {
				t.Errorf("skyswitch %s: %s holds %s", shownArgs(r.args), where, what)
			}
			_ = os.Remove(s.out)
		}
		if n := strings.Count(text, auth.BodyWithheld); n != 4*pages {
			t.Errorf("skyswitch %s: %s withholds %d echoes, want %d", shownArgs(r.args), where, n, 4*pages)
		}
	}
}

// sweep is the world of TestSecretSweep.
type sweep struct {
	*cliEnv
	out     string // the --output file of a step, {out}
	secrets *secretSet
	alice   fakepds.Account
	carol   fakepds.Account // email 2FA
}

// activeAccess is the active account's access token, for {access}.
func (s *sweep) activeAccess() string {
	a, ok := s.state().ActiveAccount()
	if !ok {
		s.t.Fatal("{access}: no active account")
	}
	return a.AccessJwt
}

// learnFile adds the server's secrets, and the tokens of the accounts file
// (and of a file moved aside), to the secrets. Each token in a file must
// have come from the server: else some traffic went elsewhere, and its
// faults were not tested.
func (s *sweep) learnFile() {
	s.secrets.learn(s.srv)
	add := func(tok string) {
		if !s.secrets.has(tok) {
			s.t.Errorf("a token in the file (%d bytes) was not issued by the fake server", len(tok))
		}
		s.secrets.addToken(tok)
	}
	paths, _ := filepath.Glob(s.path + "*")
	for _, p := range paths {
		if strings.HasSuffix(p, ".lock") {
			continue
		}
		st, err := storage.Open(p).Load()
		if err != nil {
			continue
		}
		for _, a := range st.Accounts {
			add(a.AccessJwt)
			add(a.RefreshJwt)
			s.secrets.addKey(a.SessionData)
		}
		for _, pl := range st.PendingLogouts {
			add(pl.Session.AccessJwt)
			add(pl.Session.RefreshJwt)
			s.secrets.addKey(pl.Session)
		}
	}
}

// sweepStep is one command line of the sweep. In args, {svc} stands for the
// fake server's URL, {code} for the sign-in code carol was sent and
// {access} for the active account's access token.
type sweepStep struct {
	name   string
	before func(s *sweep) // faults to inject, sessions to revoke; cleared after the step
	stdin  string
	args   []string
	env    map[string]string // the environment, beyond XDG_CONFIG_HOME
	code   int
	// tokenOut: stdout is the access token, which is its job; it must be
	// exactly one known token.
	tokenOut bool
	check    func(t *testing.T, s *sweep, r result) // more to assert, if any
}

// showsMask checks that status shows the active token masked.
func showsMask(t *testing.T, s *sweep, r result) {
	a, ok := s.state().ActiveAccount()
	if !ok || !strings.Contains(r.stdout, "("+mask(a.AccessJwt)+")") || !strings.HasSuffix(mask(a.AccessJwt), "************") {
		t.Errorf("status does not show the token masked (%d bytes of stdout)", len(r.stdout))
	}
}

func TestSecretSweep(t *testing.T) {
	// Parallel: the standard logger it reads is the process's, and tests
	// run beside it can only add lines of their own (none sets it).
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	e.passwords = append(e.passwords, sweepPassword, sweepWrongPassword)
	s := &sweep{cliEnv: e, secrets: newSecretSet(sweepPassword, sweepWrongPassword), out: filepath.Join(t.TempDir(), "answer.json")}
	s.alice = e.srv.AddAccount(fakepds.Account{Handle: "alice.test", Email: "alice@example.com", Password: sweepPassword, EmailConfirmed: true})
	s.carol = e.srv.AddAccount(fakepds.Account{Handle: "carol.test", Email: "carol@example.com", Password: sweepPassword, EmailAuthFactor: true})
	var logs bytes.Buffer
	log.SetOutput(&logs)
	defer log.SetOutput(os.Stderr)

	login := func(handle string, extra ...string) []string {
		return append([]string{"login", "--service", "{svc}", "--identifier", handle, "--password-stdin"}, extra...)
	}
	pw, wrong := sweepPassword+"\n", sweepWrongPassword+"\n"
	on := func(nsid string, f fakepds.Fault) func(*sweep) {
		return func(s *sweep) { s.srv.Inject(nsid, f) }
	}
	later := func(d time.Duration) func(*sweep) {
		return func(s *sweep) { s.clock.Set(s.clock.Now().Add(d)) }
	}
	revoke := func(handle string, faults ...fakepds.Fault) func(*sweep) {
		return func(s *sweep) {
			a, ok := s.state().Find(handle)
			if !ok {
				s.t.Fatalf("%s is not saved", handle)
			}
			s.revoke(a.RefreshJwt)
			for _, f := range faults {
				s.srv.Inject(nsidRefresh, f)
			}
		}
	}
	steps := []sweepStep{
		{name: "usage", args: []string{"--help"}},
		{name: "version", args: []string{"--version"}},
		{name: "login: wrong password", stdin: wrong, args: login("alice.test"), code: exitFailure},
		{name: "login: the server quotes the password (400)", stdin: pw, args: login("alice.test"), code: exitFailure,
			before: on(nsidCreate, quoting(400, "InvalidRequest", fakepds.QuoteRequest))},
		{name: "login: the server quotes the password (401)", stdin: pw, args: login("alice.test"), code: exitFailure,
			before: on(nsidCreate, quoting(401, "AuthenticationRequired", fakepds.QuoteRequest))},
		{name: "login: the server quotes the password (500)", stdin: pw, args: login("alice.test"), code: exitFailure,
			before: on(nsidCreate, quoting(500, "InternalServerError", fakepds.QuoteRequest))},
		{name: "login: an HTML page quotes the password", stdin: pw, args: login("alice.test"), code: exitFailure,
			before: on(nsidCreate, quoting(502, "", fakepds.QuoteRequest))},
		{name: "login: the server echoes the body (password) raw", stdin: pw, args: login("alice.test"), code: exitFailure,
			check:  saysMalformed,
			before: on(nsidCreate, echoing(fakepds.FaultEchoRequest))},
		{name: "login: the server echoes the Authorization header raw", stdin: pw, args: login("alice.test"), code: exitFailure,
			check:  saysMalformed,
			before: on(nsidCreate, echoing(fakepds.FaultEchoAuthorization))},
		{name: "login", stdin: pw, args: login("alice.test")},
		{name: "login: 2FA required", stdin: pw, args: login("carol.test"), code: exitNeedsCode},
		{name: "login: wrong code", stdin: pw, args: login("carol.test", "--auth-factor-token", "AAAAA-BBBBB"), code: exitFailure},
		{name: "login: 2FA required again", stdin: pw, args: login("carol.test"), code: exitNeedsCode},
		{name: "login with the code", stdin: pw, args: login("carol.test", "--auth-factor-token", "{code}")},
		{name: "list", args: []string{"list"}},
		{name: "list --json", args: []string{"list", "--json"}},
		{name: "status", args: []string{"status"}, check: showsMask},
		{name: "status --json", args: []string{"status", "--json"}},
		{name: "status of another", args: []string{"status", "alice.test"}},
		{name: "switch", args: []string{"switch", "alice.test"}},
		{name: "switch -", args: []string{"switch", "-"}},
		{name: "token", args: []string{"token"}, tokenOut: true},
		{name: "token of another", args: []string{"token", "@alice.test"}, tokenOut: true},
		{name: "refresh", args: []string{"refresh"}},
		{name: "refresh --all", args: []string{"refresh", "--all"}},
		{name: "--account token", args: []string{"--account", "@alice.test", "token"}, tokenOut: true},
		{name: "token --account", args: []string{"token", "--account", "alice.test"}, tokenOut: true},
		{name: "SKYSWITCH_ACCOUNT token", args: []string{"token"}, env: map[string]string{"SKYSWITCH_ACCOUNT": "alice.test"}, tokenOut: true},
		{name: "status --account", args: []string{"status", "--account", "alice.test"}},
		{name: "SKYSWITCH_ACCOUNT status --json", args: []string{"status", "--json"}, env: map[string]string{"SKYSWITCH_ACCOUNT": "alice.test"}},
		{name: "--account refresh", args: []string{"--account", "alice.test", "refresh"}},
		{name: "list --handles", args: []string{"list", "--handles"}},
		{name: "env", args: []string{"env"}},
		{name: "env of another, fish", args: []string{"env", "--shell", "fish", "alice.test"}},
		{name: "env --unset", args: []string{"env", "--unset"}},
		{name: "completion bash", args: []string{"completion", "bash"}},
		{name: "completion zsh", args: []string{"completion", "zsh"}},
		{name: "completion fish", args: []string{"completion", "fish"}},
		{name: "completion powershell", args: []string{"completion", "powershell"}},
		{name: "man", args: []string{"man"}},
		{name: "api", args: []string{"api", nsidGetSession}},
		{name: "api -i", args: []string{"api", "-i", nsidGetSession}},
		{name: "--account api", args: []string{"--account", "alice.test", "api", nsidGetSession}},
		{name: "SKYSWITCH_ACCOUNT api --paginate --slurp", args: []string{"api", "--paginate", "--slurp", nsidGetSession}, env: map[string]string{"SKYSWITCH_ACCOUNT": "alice.test"}},
		{name: "api: not an NSID", args: []string{"api", "getSession"}, code: exitUsage},
		{name: "api -H: the token as a header without a colon", args: []string{"api", "-H", "{access}", nsidGetSession}, code: exitUsage},
		{name: "api -H: the token in Authorization", args: []string{"api", "-H", "Authorization: Bearer {access}", nsidGetSession}, code: exitUsage},
		{name: "api -H: the token in a header name", args: []string{"api", "-H", "Bearer {access}: x", nsidGetSession}, code: exitUsage},
		{name: "api -H: the token and a line break in a value", args: []string{"api", "-H", "X-Debug: {access}\r\nX-More: y", nsidGetSession}, code: exitUsage},
		{name: "api -H: the token in a header, the server quotes the request (400)", args: []string{"api", "-i", "-H", "X-Debug: {access}", nsidGetSession}, code: exitFailure,
			before: on(nsidGetSession, quoting(400, "InvalidRequest", fakepds.QuoteRequest))},
		{name: "api -H: the token in a header, the server echoes the Authorization header raw", args: []string{"api", "-H", "X-Debug: {access}", nsidGetSession}, code: exitFailure,
			check:  saysMalformed,
			before: on(nsidGetSession, echoing(fakepds.FaultEchoAuthorization))},
		{name: "api -H -i: the token in a header", args: []string{"api", "-i", "-H", "X-Debug: {access}", nsidGetSession}},
		{name: "api -i: the server quotes the token (500)", args: []string{"api", "-i", nsidGetSession}, code: exitFailure,
			before: on(nsidGetSession, quoting(500, "InternalServerError", fakepds.QuoteTail))},
		{name: "api -i: an error answer echoes the Authorization header in a header (400)", args: []string{"api", "-i", nsidGetSession}, code: exitFailure,
			before: on(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultEchoAuthorizationHeader, Times: 1})},
		{name: "api -i --paginate: an error answer echoes the Authorization header in a header (503)", args: []string{"api", "-i", "--paginate", nsidGetSession}, code: exitFailure,
			before: on(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultEchoAuthorizationHeader, Status: 503, Times: 1})},
		{name: "api: a 2xx body echoes the token", args: []string{"api", nsidEcho}, before: on(nsidEcho, echoBody), check: bodyWithheld(1)},
		{name: "api -i: a 2xx body echoes the token", args: []string{"api", "-i", nsidEcho}, before: on(nsidEcho, echoBody), check: bodyWithheld(1)},
		{name: "api --output: a 2xx body echoes the token", args: []string{"api", "--output", "{out}", nsidEcho}, before: on(nsidEcho, echoBody), check: bodyWithheld(1)},
		{name: "api --paginate: 2xx bodies echo the token", args: []string{"api", "--paginate", nsidEcho}, before: on(nsidEcho, echoBody), check: bodyWithheld(2)},
		{name: "api --paginate --slurp --output: 2xx bodies echo the token", args: []string{"api", "--paginate", "--slurp", "--output", "{out}", nsidEcho},
			before: on(nsidEcho, echoBody), check: bodyWithheld(2)},
		{name: "api -X POST --account: a 2xx body echoes the token", args: []string{"api", "-X", "POST", "-f", "a=b", "--account", "alice.test", nsidEcho},
			before: on(nsidEcho, echoBody), check: bodyWithheld(1)},
		{name: "api: an XRPC error", args: []string{"api", "-X", "GET", "-f", "actor=alice.test", "app.bsky.actor.getProfile"}, code: exitFailure},
		{name: "api: the server quotes the token (500)", args: []string{"api", nsidGetSession}, code: exitFailure,
			before: on(nsidGetSession, quoting(500, "InternalServerError", fakepds.QuoteTail))},
		{name: "api: the server quotes the token and the body (400)", args: []string{"api", "-X", "POST", "-f", "a=b", nsidGetSession}, code: exitFailure,
			before: on(nsidGetSession, quoting(400, "InvalidRequest", fakepds.QuoteRequest))},
		{name: "api: the server quotes the token in a 401 (refreshed, refused again)", args: []string{"api", nsidGetSession}, code: exitFailure,
			before: on(nsidGetSession, quoting(401, "AuthenticationRequired", fakepds.QuoteSignature))},
		{name: "api: the server quotes the token as ExpiredToken (refreshed, refused again)", args: []string{"api", "--account", "alice.test", nsidGetSession}, code: exitFailure,
			before: on(nsidGetSession, quoting(400, "ExpiredToken", fakepds.QuoteTail))},
		{name: "api: an HTML page quotes the token", args: []string{"api", nsidGetSession}, code: exitFailure,
			before: on(nsidGetSession, quoting(502, "", fakepds.QuoteRequest))},
		{name: "api --paginate: the server quotes the token", args: []string{"api", "--paginate", nsidGetSession}, code: exitFailure,
			before: on(nsidGetSession, quoting(500, "InternalServerError", fakepds.QuoteRequest))},
		{name: "api: the server echoes the Authorization header raw", args: []string{"api", nsidGetSession}, code: exitFailure,
			check:  saysMalformed,
			before: on(nsidGetSession, echoing(fakepds.FaultEchoAuthorization))},
		{name: "api: the server echoes the body raw", args: []string{"api", "-X", "POST", "-f", "a=b", nsidGetSession}, code: exitFailure,
			check:  saysMalformed,
			before: on(nsidGetSession, echoing(fakepds.FaultEchoRequest))},
		{name: "api: refresh due, the server quotes the token", args: []string{"api", nsidGetSession}, code: exitFailure,
			before: func(s *sweep) {
				later(2 * time.Hour)(s)
				on(nsidRefresh, quoting(500, "InternalServerError", fakepds.QuoteTail))(s)
			}},
		{name: "api: refreshed", args: []string{"api", nsidGetSession}},
		{name: "exec", args: []string{"exec", "--", "sh", "-c", `echo "$ATP_HANDLE $ATP_DID $ATP_PDS_URL ${#ATP_ACCESS_TOKEN}"`}},
		{name: "exec --account, the command fails", args: []string{"exec", "--account", "alice.test", "--", "sh", "-c", "echo failing >&2; exit 3"}, code: 3},
		{name: "exec: no such command", args: []string{"exec", "--", "no-such-command-skyswitch"}, code: exitNotFound},
		{name: "exec: refresh due, the server quotes the token", args: []string{"exec", "--", "true"}, code: exitFailure,
			before: func(s *sweep) {
				later(2 * time.Hour)(s)
				on(nsidRefresh, quoting(500, "InternalServerError", fakepds.QuoteTail))(s)
			}},
		{name: "exec: refresh due, the server echoes the Authorization header raw", args: []string{"exec", "--", "true"}, code: exitFailure,
			check:  saysMalformed,
			before: on(nsidRefresh, echoing(fakepds.FaultEchoAuthorization))},
		{name: "exec: refreshed", args: []string{"exec", "--", "true"}},
		{name: "refresh: the server quotes the token (500)", args: []string{"refresh", "alice.test"}, code: exitFailure,
			before: on(nsidRefresh, quoting(500, "InternalServerError", fakepds.QuoteTail))},
		{name: "status shows the last error", args: []string{"status", "alice.test"}},
		{name: "list --json shows the last error", args: []string{"list", "--json"}},
		{name: "--account refresh: the server quotes the token (400)", args: []string{"--account", "alice.test", "refresh"}, code: exitFailure,
			before: on(nsidRefresh, quoting(400, "InvalidRequest", fakepds.QuoteTail))},
		{name: "refresh: an HTML page quotes the token", args: []string{"refresh", "alice.test"}, code: exitFailure,
			before: on(nsidRefresh, quoting(502, "", fakepds.QuoteRequest))},
		{name: "refresh: the server echoes the Authorization header (the refresh token) raw", args: []string{"refresh", "alice.test"}, code: exitFailure,
			check:  saysMalformed,
			before: on(nsidRefresh, echoing(fakepds.FaultEchoAuthorization))},
		{name: "status shows the last error after an echo", args: []string{"status", "alice.test"}, check: savedMalformed},
		{name: "list --json shows the last error after an echo", args: []string{"list", "--json"}, check: savedMalformed},
		{name: "refresh: the server echoes the (empty) body raw", args: []string{"refresh", "alice.test"}, code: exitFailure,
			check:  saysMalformed,
			before: on(nsidRefresh, echoing(fakepds.FaultEchoRequest))},
		{name: "refresh --all: the server echoes the Authorization header raw", args: []string{"refresh", "--all"}, code: exitFailure,
			check:  saysMalformed,
			before: on(nsidRefresh, echoing(fakepds.FaultEchoAuthorization))},
		{name: "refresh --all: the server quotes the token (503)", args: []string{"refresh", "--all"}, code: exitFailure,
			before: on(nsidRefresh, quoting(503, "NotEnoughResources", fakepds.QuoteTail))},
		{name: "token: refresh due, the server quotes the token", args: []string{"token"}, code: exitFailure,
			before: func(s *sweep) {
				later(2 * time.Hour)(s)
				on(nsidRefresh, quoting(500, "InternalServerError", fakepds.QuoteTail))(s)
			}},
		{name: "token: refreshed", args: []string{"token"}, tokenOut: true},
		{name: "token: refresh due, the server echoes the Authorization header raw", args: []string{"token"}, code: exitFailure,
			check: saysMalformed,
			before: func(s *sweep) {
				later(2 * time.Hour)(s)
				on(nsidRefresh, echoing(fakepds.FaultEchoAuthorization))(s)
			}},
		{name: "token: refreshed after the echo", args: []string{"token"}, tokenOut: true},
		{name: "refresh: revoked on the server", args: []string{"refresh", "carol.test"}, code: exitNoSession,
			before: revoke("carol.test")},
		{name: "status of an ended session", args: []string{"status", "carol.test"}, code: exitNoSession},
		{name: "token of an ended session", args: []string{"token", "carol.test"}, code: exitNoSession},
		{name: "api of an ended session", args: []string{"api", "--account", "carol.test", nsidGetSession}, code: exitNoSession},
		{name: "exec of an ended session", args: []string{"exec", "--account", "carol.test", "--", "true"}, code: exitNoSession},
		{name: "login again", stdin: pw, args: login("alice.test")},
		{name: "refresh: revoked, the server quotes the signature", args: []string{"refresh", "alice.test"}, code: exitNoSession,
			before: revoke("alice.test", quoting(400, "ExpiredToken", fakepds.QuoteSignature))},
		{name: "status --json of an ended session", args: []string{"status", "--json", "alice.test"}, code: exitNoSession},
		{name: "logout of an ended session", args: []string{"logout", "alice.test"}},
		{name: "login again", stdin: pw, args: login("alice.test")},
		{name: "logout: the server quotes the token", args: []string{"logout"}, code: exitFailure,
			before: on(nsidDelete, quoting(500, "InternalServerError", fakepds.QuoteTail))},
		{name: "list --json with a pending logout", args: []string{"list", "--json"}},
		{name: "login again", stdin: pw, args: login("alice.test")},
		{name: "logout: the server echoes the Authorization header raw", args: []string{"logout"}, code: exitFailure,
			check:  saysMalformed,
			before: on(nsidDelete, echoing(fakepds.FaultEchoAuthorization))},
		{name: "list --json with a pending logout after an echo", args: []string{"list", "--json"}},
		{name: "login again", stdin: pw, args: login("alice.test")},
		{name: "logout", args: []string{"logout", "alice.test"}},
		{name: "login again", stdin: pw, args: login("alice.test")},
		{name: "logout --all: an HTML page quotes the token", args: []string{"logout", "--all"}, code: exitFailure,
			before: on(nsidDelete, quoting(502, "", fakepds.QuoteRequest))},
		{name: "login again", stdin: pw, args: login("alice.test")},
		{name: "logout --all", args: []string{"logout", "--all"}},
		{name: "login again", stdin: pw, args: login("alice.test")},
		{name: "list: a file cut inside a token", args: []string{"list"}, code: exitFailure, before: cutFile},
		{name: "token: a file cut inside a token", args: []string{"token"}, code: exitFailure},
		{name: "move-aside", args: []string{"move-aside"}},
		{name: "list after move-aside", args: []string{"list", "--json"}},
	}
	// Every command's help.
	for _, cmd := range table() {
		steps = append(steps, sweepStep{name: cmd.name + " --help", args: []string{cmd.name, "--help"}})
	}

	var outputs []result
	for i, st := range steps {
		if st.before != nil {
			st.before(s)
		}
		s.learnFile()
		args := make([]string, len(st.args))
		for j, a := range st.args {
			a = strings.ReplaceAll(a, "{svc}", e.srv.URL())
			a = strings.ReplaceAll(a, "{out}", s.out)
			if strings.Contains(a, "{access}") {
				a = strings.ReplaceAll(a, "{access}", s.activeAccess())
			}
			args[j] = strings.ReplaceAll(a, "{code}", e.srv.SignInCode(s.carol.DID))
		}
		env := st.env
		r := e.runCLI(&App{Stdin: strings.NewReader(st.stdin), Getenv: func(k string) string { return env[k] }}, args...)
		e.srv.ClearFaults()
		s.learnFile()
		if r.code != st.code {
			// stderr is shown only once it is known not to hold a secret.
			if what, leaked := s.secrets.find(r.stderr); leaked {
				t.Errorf("step %d %q: exit %d, want %d (stderr holds %s)", i, st.name, r.code, st.code, what)
			} else {
				t.Errorf("step %d %q: exit %d, want %d; stderr:\n%s", i, st.name, r.code, st.code, r.stderr)
			}
		}
		if st.tokenOut && r.code == exitOK {
			if tok := strings.TrimSuffix(r.stdout, "\n"); !s.secrets.has(tok) || strings.Count(r.stdout, "\n") != 1 {
				t.Errorf("step %d %q: stdout (%d bytes) is not one known token", i, st.name, len(r.stdout))
			}
			r.stdout = ""
		}
		if st.check != nil {
			st.check(t, s, r)
		}
		outputs = append(outputs, r)
	}
	// The sweep saw the tokens it checks for: the logins, refreshes and the
	// 2FA login each made a session.
	// (An access token is the same for every login in the same second, so
	// there are fewer than one per session.)
	if n := s.secrets.count(); n < 12 {
		t.Errorf("only %d tokens known: the sweep is not watching", n)
	}
	// Checked at the end, against every token ever issued.
	for i, r := range outputs {
		for stream, text := range map[string]string{"stdout": r.stdout, "stderr": r.stderr} {
			if what, leaked := s.secrets.find(text); leaked {
				t.Errorf("step %d %q: %s holds %s", i, steps[i].name, stream, what)
			}
		}
	}
	if what, leaked := s.secrets.find(logs.String()); leaked {
		t.Errorf("the log holds %s", what)
	}
	// The sweep reached the server's error paths it was meant to: logins
	// the server answered itself, not with an injected fault.
	answered := 0
	for _, r := range e.srv.Requests(nsidCreate) {
		if !r.Faulted {
			answered++
		}
	}
	if answered < 8 {
		t.Errorf("only %d logins reached the server", answered)
	}
}

// cutFile cuts the accounts file in the middle of a refresh token's
// signature: unreadable, and the decoder's error must not quote it.
func cutFile(s *sweep) {
	data, err := os.ReadFile(s.path)
	if err != nil {
		s.t.Fatal(err)
	}
	a := s.state().Accounts[0]
	i := bytes.Index(data, []byte(a.RefreshJwt))
	if i < 0 {
		s.t.Fatal("the refresh token is not in the file")
	}
	if err := os.WriteFile(s.path, data[:i+len(a.RefreshJwt)-10], 0o600); err != nil {
		s.t.Fatal(err)
	}
}
