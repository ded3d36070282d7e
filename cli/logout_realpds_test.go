package cli

// Logging out the active account against the real Bluesky reference PDS
// started by testdata/pds/run (see auth/realpds_test.go): with the built
// binary, and with x in the switcher running in tmux. No account is active
// afterwards, and both say so (issue 23, point 1).

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
)

// realLogout is a binary run against the real PDS with accounts made for
// the test.
type realLogout struct {
	*procEnv
	url, plc, password string
}

func newRealLogout(t *testing.T) *realLogout {
	pdsURL, plcURL := realPDS(t)
	b := make([]byte, 6)
	rand.Read(b)
	return &realLogout{
		procEnv:  &procEnv{t: t, bin: skyswitchBinary(t), config: t.TempDir()},
		url:      pdsURL,
		plc:      plcURL,
		password: "pw-" + hex.EncodeToString(b) + "-logout",
	}
}

func (r *realLogout) env() []string { return []string{"SKYSWITCH_PLC_URL=" + r.plc} }

// account makes an account with a unique handle on the real PDS, logs the
// binary in to it, and returns its handle and DID.
func (r *realLogout) account(ctx context.Context, prefix string) (handle, did string) {
	r.t.Helper()
	b := make([]byte, 4)
	rand.Read(b)
	name := prefix + hex.EncodeToString(b)
	client := &auth.Client{Timeout: 20 * time.Second, Resolver: &auth.Resolver{PLCURL: r.plc}}
	created, err := client.CreateAccount(ctx, auth.CreateAccountInput{
		Service: r.url, Handle: name + ".test", Email: name + "@example.com", Password: r.password}, auth.SessionOptions{})
	if err != nil {
		r.t.Fatalf("createAccount: %v", err)
	}
	res := r.runEnv(r.env(), strings.NewReader(r.password+"\n"), "login", "--service", r.url, "--identifier", name+".test", "--password-stdin")
	wantCode(r.t, res, exitOK)
	return name + ".test", created.Data().DID
}

func (r *realLogout) run(args ...string) result {
	r.t.Helper()
	res := r.runEnv(r.env(), nil, args...)
	if strings.Contains(res.stdout+res.stderr, r.password) {
		r.t.Errorf("skyswitch %s printed the password", strings.Join(args, " "))
	}
	return res
}

func (r *realLogout) state() *storage.State {
	r.t.Helper()
	st, err := storage.Open(r.path()).Load()
	if err != nil {
		r.t.Fatal(err)
	}
	return st
}

// `switch bob; switch erin; logout`: erin's session is revoked on the
// server, no account is active, stderr says so and how to go back, and
// the next token fails (exit 4) instead of printing bob's.
func TestRealPDSLogoutOfTheActiveAccountLeavesNoneActive(t *testing.T) {
	t.Parallel()
	r := newRealLogout(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bob, _ := r.account(ctx, "bob")
	erin, erinDID := r.account(ctx, "erin")
	wantCode(t, r.run("switch", bob), exitOK)
	wantCode(t, r.run("switch", erin), exitOK)
	erinRefresh := func() string { a, _ := r.state().Account(erinDID); return a.RefreshJwt }()

	res := r.run("logout")
	wantCode(t, res, exitOK)
	if !strings.Contains(res.stderr, "Logged out @"+erin) ||
		!strings.Contains(res.stderr, "No account is active now: skyswitch switch - makes @"+bob+" active again") {
		t.Errorf("%s", res)
	}
	if status, _ := rawXRPC(t, ctx, http.MethodPost, r.url, "com.atproto.server.refreshSession", erinRefresh); status != http.StatusBadRequest {
		t.Errorf("erin's refresh token after logout: HTTP %d, want 400", status)
	}
	if st := r.state(); st.Active != "" {
		t.Errorf("active after logging out the active account: %s", st.Active)
	}
	wantError(t, r.run("token"), exitNoSession, "no active account")
	wantCode(t, r.run("switch", "-"), exitOK)
	if res := r.run("status"); !strings.Contains(res.stdout, "@"+bob) {
		t.Errorf("switch - did not bring @%s back: %s", bob, res)
	}
}

// x on the active account in the switcher: no row keeps ●, the note says
// no account is active, and the binary's token agrees.
func TestRealPDSTUILogoutOfTheActiveAccount(t *testing.T) {
	t.Parallel()
	r := newRealLogout(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bob, _ := r.account(ctx, "bob")
	erin, _ := r.account(ctx, "erin") // active
	tt := startPane(t, r.procEnv, append(r.env(), r.bin)...)
	tt.waitText("@" + bob)
	selectedActive := regexp.MustCompile(`(?m)^> ● @` + regexp.QuoteMeta(erin) + ` `)
	for i := 0; !selectedActive.MatchString(tt.screen(false)); i++ {
		if i > 3 {
			t.Fatalf("the cursor never reached @%s:\n%s", erin, tt.screen(false))
		}
		before := tt.screen(false)
		tt.keys("Down")
		tt.waitFor("the cursor to move", func(s string) bool { return s != before })
	}
	tt.keys("x")
	s := tt.waitText("Logged out @" + erin)
	flat := strings.Join(strings.Fields(strings.ReplaceAll(s, "│", " ")), " ")
	if !strings.Contains(flat, "No account is active now") {
		t.Errorf("the note does not say that no account is active:\n%s", s)
	}
	if strings.Contains(s, "●") {
		t.Errorf("a row is still marked active:\n%s", s)
	}
	if st := r.state(); st.Active != "" {
		t.Errorf("active after x on the active account: %s", st.Active)
	}
	wantError(t, r.run("token"), exitNoSession, "no active account")
	tt.keys("q")
	tt.until("q to end the program", tt.paneDead)
}

// A shell pinned to dave, who is then logged out there: the next token
// exits 4 and names dave's handle and DID, whichever of them the variable
// holds (issue 23, point 3).
func TestRealPDSPinnedShellAfterLogout(t *testing.T) {
	t.Parallel()
	r := newRealLogout(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dave, daveDID := r.account(ctx, "dave")
	r.account(ctx, "alice") // the saved active one
	pinned := append(r.env(), envAccount+"="+dave)
	wantCode(t, r.runEnv(pinned, nil, "logout", dave), exitOK)
	for _, pin := range []string{dave, daveDID} {
		res := r.runEnv(append(r.env(), envAccount+"="+pin), nil, "token")
		wantError(t, res, exitNoSession, "SKYSWITCH_ACCOUNT names @"+dave+" ("+daveDID+"), which was logged out; unset it or log in again")
	}
}
