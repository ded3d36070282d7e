package ui_test

// The TUI half of the secret hygiene sweep: a scripted session (login form
// with a wrong and a right password, the sign-in code form, the inspector,
// refreshes, logouts, every error banner) against a fake server that quotes
// the credentials it was sent back in its error answers, and lists every
// token it issued and password it was sent (fakepds' Secrets). Every frame the model
// renders along the way (a View after each Update, as Bubble Tea draws) must
// not hold the password, a token, or a 16-byte piece of a token's
// signature. The root package's secrets_test.go sweeps the commands.

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/ui"
)

const (
	sweepPassword = "Qx7-tui-sweep-PASSWORD-k4Tz9"
	wrongPassword = "Wv3-tui-not-the-PASSWORD-j8R"
	fragLen       = 16
)

// leakFinder holds the secrets: passwords whole, tokens whole and every
// fragLen-byte piece of their signature.
type leakFinder struct {
	mu        sync.Mutex
	passwords []string
	tokens    map[string]bool
	frags     map[string]bool
}

func newLeakFinder(passwords ...string) *leakFinder {
	return &leakFinder{passwords: passwords, tokens: map[string]bool{}, frags: map[string]bool{}}
}

func (f *leakFinder) addToken(tok string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if tok == "" || f.tokens[tok] {
		return
	}
	f.tokens[tok] = true
	if parts := strings.Split(tok, "."); len(parts) == 3 {
		for i := 0; i+fragLen <= len(parts[2]); i++ {
			f.frags[parts[2][i:i+fragLen]] = true
		}
	}
}

// learn adds every secret srv has issued or been sent: JWTs as tokens, the
// rest as passwords.
func (f *leakFinder) learn(srv *fakepds.Server) {
	for _, sec := range srv.Secrets() {
		if strings.Count(sec, ".") == 2 {
			f.addToken(sec)
			continue
		}
		f.mu.Lock()
		if !slices.Contains(f.passwords, sec) {
			f.passwords = append(f.passwords, sec)
		}
		f.mu.Unlock()
	}
}

func (f *leakFinder) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.tokens)
}

// find describes the first secret in a frame without quoting it. The frame
// is also searched with white space and borders removed, so a secret
// wrapped across lines is found.
func (f *leakFinder) find(frame string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	squeezed := strings.Join(strings.Fields(strings.ReplaceAll(frame, "│", " ")), "")
	for _, t := range []string{frame, squeezed} {
		for _, p := range f.passwords {
			if at := strings.Index(t, p); at >= 0 {
				return fmt.Sprintf("a password at byte %d", at), true
			}
		}
		for tok := range f.tokens {
			if at := strings.Index(t, tok); at >= 0 {
				return fmt.Sprintf("a whole token at byte %d", at), true
			}
		}
		for at := 0; at+fragLen <= len(t); at++ {
			if f.frags[t[at:at+fragLen]] {
				return fmt.Sprintf("a %d-byte piece of a token's signature at byte %d", fragLen, at), true
			}
		}
	}
	return "", false
}

func TestLeakFinderCatchesPlantedSecrets(t *testing.T) {
	tok := fakeJWT("at+jwt", "did:plc:abc", t0, 0)
	sig := tok[strings.LastIndex(tok, ".")+1:]
	f := newLeakFinder(sweepPassword)
	f.addToken(tok)
	for name, frame := range map[string]string{
		"token":                  "│ " + tok,
		"signature piece":        "err …" + sig[4:4+fragLen] + "…",
		"piece wrapped in a box": "│ x " + sig[:8] + "  │\n│ " + sig[8:20] + " │",
		"password":               "Password  " + sweepPassword,
	} {
		if _, ok := f.find(frame); !ok {
			t.Errorf("%s: not caught", name)
		}
	}
	for name, frame := range map[string]string{
		"bullets":         "Password  " + strings.Repeat("•", len(sweepPassword)),
		"header":          tok[:strings.Index(tok, ".")],
		"a shorter piece": sig[:fragLen-1],
	} {
		if what, ok := f.find(frame); ok {
			t.Errorf("%s: caught as %s", name, what)
		}
	}
	// What the server issued and was sent is learnt from it.
	w := newWorld(t, fakepds.Options{})
	a := w.login(nil, "alice.test")
	f = newLeakFinder()
	f.learn(w.srv)
	for name, frame := range map[string]string{"access token": a.AccessJwt, "refresh token": a.RefreshJwt, "password": password} {
		if _, ok := f.find("│ " + frame); !ok {
			t.Errorf("learnt %s: not caught", name)
		}
	}
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

// framer drives the model like driver.send, but renders a frame after
// every Update and keeps it, to be checked at the end against every secret
// known by then.
type framer struct {
	*driver
	leaks  *leakFinder
	frames []string
}

func (f *framer) send(msg tea.Msg) {
	f.t.Helper()
	var cmd tea.Cmd
	f.m, cmd = f.m.Update(msg)
	f.frame()
	queue := f.leaves(cmd)
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 1000 {
			f.t.Fatal("commands keep coming: a loop")
		}
		c := queue[0]
		queue = queue[1:]
		msg := c()
		if _, ok := msg.(spinner.TickMsg); ok {
			continue
		}
		var next tea.Cmd
		f.m, next = f.m.Update(msg)
		f.frame()
		queue = append(queue, f.leaves(next)...)
	}
}

func (f *framer) frame() {
	f.collect()
	for s := range f.secrets {
		f.leaks.addToken(s)
	}
	f.leaks.learn(f.w.srv)
	v := screenOf(f.m.View())
	// The forms' error lines, long ones included, fit the window. (The
	// inspector's are not checked here: a long status check error widens
	// it.)
	if strings.Contains(v, "Add an account") || strings.Contains(v, "Sign-in code") {
		for i, l := range strings.Split(v, "\n") {
			if w := lipgloss.Width(l); w > 80 {
				f.t.Errorf("frame %d, line %d: %d cells wide: %s", len(f.frames), i, w, f.redact(l))
			}
		}
	}
	f.frames = append(f.frames, v)
}

func (f *framer) key(k string) { f.t.Helper(); f.send(keyMsg(k)) }

func (f *framer) typ(s string) {
	f.t.Helper()
	for _, r := range s {
		f.send(runeKey(r))
	}
}

// expect fails the test unless the screen holds every piece. The screen
// is printed only if it holds no secret.
func (f *framer) expect(pieces ...string) string {
	f.t.Helper()
	v := screenOf(f.m.View())
	flat := flatten(v)
	for _, p := range pieces {
		if strings.Contains(v, p) || strings.Contains(flat, p) {
			continue
		}
		if what, leaked := f.leaks.find(v); leaked {
			f.t.Fatalf("the screen lacks %q, and holds %s (not shown)", p, what)
		}
		f.t.Fatalf("the screen lacks %q:\n%s", p, v)
	}
	return v
}

// fillLogin opens the login form and types service, account and password
// (the service field is last: shift+tab wraps to it), not submitting.
func (f *framer) fillLogin(service, account, password string) {
	f.t.Helper()
	f.key("a")
	f.key("shift+tab")
	f.typ(service)
	f.key("tab")
	f.typ(account)
	f.key("tab")
	f.typ(password)
}

// erase presses backspace n times.
func (f *framer) erase(n int) {
	for range n {
		f.key("backspace")
	}
}

func TestTUISecretSweep(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	leaks := newLeakFinder(sweepPassword, wrongPassword, password)
	for _, a := range []fakepds.Account{
		{DID: did("alice.test"), Handle: "alice.test", Email: "alice@example.com", Password: sweepPassword, EmailConfirmed: true},
		{DID: did("carol.test"), Handle: "carol.test", Email: "carol@example.com", Password: sweepPassword, EmailAuthFactor: true},
	} {
		w.srv.AddAccount(a)
	}
	d := w.start(ui.Options{})
	f := &framer{driver: d, leaks: leaks}
	step := func(_ string, nsid string, fault fakepds.Fault, keys ...string) {
		t.Helper()
		if nsid != "" {
			w.srv.Inject(nsid, fault)
		}
		for _, k := range keys {
			f.key(k)
			if k == "x" { // and its undo window closes
				w.clk.Advance(ui.UndoWindow)
				f.send(ui.Tick(time.Now()))
			}
		}
		w.srv.ClearFaults()
	}

	// The login form: a wrong password, then servers quoting the right one.
	f.fillLogin(w.srv.URL(), "alice.test", wrongPassword)
	f.expect("Password  " + strings.Repeat("•", len(wrongPassword))) // masked, one bullet a character
	f.key("enter")
	f.expect("Wrong identifier or password.")
	f.erase(len(wrongPassword))
	f.typ(sweepPassword)
	step("login, the server quotes the password (400)", nsidCreate, quoting(400, "InvalidRequest", fakepds.QuoteRequest), "enter")
	if v := f.expect("Add an account"); !strings.Contains(flatten(v), "withheld") {
		t.Error("the login error is not the withheld message")
	}
	step("login, the server quotes the password (401)", nsidCreate, quoting(401, "AuthenticationRequired", fakepds.QuoteRequest), "enter")
	step("login, an HTML page quotes the password", nsidCreate, quoting(502, "", fakepds.QuoteRequest), "enter")
	f.expect("Add an account")
	step("login, the server echoes the body (password) raw", nsidCreate, echoing(fakepds.FaultEchoRequest), "enter")
	f.expect("Add an account")
	step("login, the server echoes the Authorization header raw", nsidCreate, echoing(fakepds.FaultEchoAuthorization), "enter")
	f.expect("Add an account")
	step("login", "", fakepds.Fault{}, "enter")
	f.expect("Added @alice.test")

	// The sign-in code form.
	f.fillLogin(w.srv.URL(), "carol.test", sweepPassword)
	f.key("enter")
	f.expect("Sign-in code")
	f.typ("ZZZZZ-ZZZZZ")
	f.key("enter")
	f.expect("The sign-in code is wrong or has expired")
	f.erase(11)
	f.typ(w.srv.SignInCode(did("carol.test")))
	f.key("enter")
	f.expect("Added @carol.test")

	// The inspector: the tokens' lifetimes, never the tokens.
	step("inspect, the status check quotes the token", nsidGet, quoting(400, "InvalidRequest", fakepds.QuoteTail), "i")
	v := f.expect("Access token", "Refresh token", "Status check")
	if strings.Contains(v, "eyJ") {
		t.Error("the inspector shows a token, or the start of one")
	}
	if !strings.Contains(v, "withheld") {
		t.Error("the status check error is not the withheld message")
	}
	step("inspect again, the status check is echoed raw", nsidGet, echoing(fakepds.FaultEchoAuthorization), "esc", "i")
	f.expect("Status check")
	step("refresh in the inspector", "", fakepds.Fault{}, "r")
	step("refresh, the server quotes the token (500)", nsidRefresh, quoting(500, "InternalServerError", fakepds.QuoteTail), "r")
	f.expect("Last error")
	step("refresh, the server quotes the token (400)", nsidRefresh, quoting(400, "InvalidRequest", fakepds.QuoteTail), "r")
	f.expect("refresh failed")
	step("refresh, the server echoes the Authorization header raw", nsidRefresh, echoing(fakepds.FaultEchoAuthorization), "r")
	f.expect("Last error")
	step("refresh, the server echoes the (empty) body raw", nsidRefresh, echoing(fakepds.FaultEchoRequest), "r")
	step("refresh, an HTML page quotes the token", nsidRefresh, quoting(502, "", fakepds.QuoteRequest), "r")
	f.key("esc")
	step("refresh, revoked, the server quotes the signature", nsidRefresh, quoting(400, "ExpiredToken", fakepds.QuoteSignature), "r")
	f.expect("session expired or revoked")
	step("keys", "", fakepds.Fault{}, "?", "?", "/", "c", "esc")

	// Logout: the server quoting the token, then a clean one.
	step("logout, the server quotes the token", nsidDelete, quoting(500, "InternalServerError", fakepds.QuoteTail), "x")
	f.expect("logout is pending")
	step("logout", "", fakepds.Fault{}, "j", "x")

	// Alice (saved, not active) in again from the add form, then a logout
	// whose answer echoes the refresh token raw.
	f.fillLogin(w.srv.URL(), "alice.test", sweepPassword)
	f.key("enter")
	f.expect("Logged in again to @alice.test; it is now the active account.")
	step("logout, the server echoes the Authorization header raw", nsidDelete, echoing(fakepds.FaultEchoAuthorization), "x")
	f.expect("logout is pending")

	if n := leaks.count(); n < 4 {
		t.Fatalf("only %d tokens known: the sweep is not watching", n)
	}
	answered := 0 // refreshes the server answered itself, not with a fault
	for _, r := range w.srv.Requests(nsidRefresh) {
		if !r.Faulted {
			answered++
		}
	}
	if answered < 1 {
		t.Fatalf("no refresh reached the server")
	}
	for i, fr := range f.frames {
		if what, leaked := leaks.find(fr); leaked {
			t.Errorf("frame %d of %d holds %s", i, len(f.frames), what)
		}
	}
}
