package cli

// Tests of the per-shell and per-command account override (--account,
// SKYSWITCH_ACCOUNT), the env and completion commands, and the rate-limit
// messages, run as command functions against the fake PDS.

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/ui"
)

// commandOf is the command of a command line, after the global --account.
func commandOf(args []string) string {
	for i := 0; i < len(args); i++ {
		switch {
		case args[i] == "--account" || args[i] == "-a":
			i++
		case strings.HasPrefix(args[i], "--account=") || strings.HasPrefix(args[i], "-a"):
		default:
			return args[i]
		}
	}
	return ""
}

// runEnv runs one command line with these environment variables.
func (e *cliEnv) runEnv(env map[string]string, args ...string) result {
	e.t.Helper()
	return e.runCLI(&App{Stdin: strings.NewReader(""), Getenv: func(k string) string { return env[k] }}, args...)
}

// threeSaved logs in alice, bob and carol; carol, the last, is active.
func threeSaved(e *cliEnv) (alice, bob, carol fakepds.Account) {
	alice, bob, carol = e.addAccount("alice.test"), e.addAccount("bob.test"), e.addAccount("carol.test")
	for _, h := range []string{"alice.test", "bob.test", "carol.test"} {
		e.login(h)
	}
	return alice, bob, carol
}

// statusOf runs status --json and returns its did and activeSource.
func statusOf(t *testing.T, r result) (did, source string) {
	t.Helper()
	wantCode(t, r, exitOK)
	var got map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%v: not JSON: %v", r.args, err)
	}
	did, _ = got["did"].(string)
	source, _ = got["activeSource"].(string)
	return did, source
}

func TestOverridePrecedence(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	alice, bob, carol := threeSaved(e)
	tokenOf := func(did string) string { return e.account(did).AccessJwt + "\n" }
	env := func(v string) map[string]string { return map[string]string{envAccount: v} }
	calls := e.guard.requests()

	for _, tc := range []struct {
		name      string
		env       map[string]string
		args      []string // before the command …
		after     []string // … and after it
		want      fakepds.Account
		source    string
		wantTitle string // status's first line
	}{
		{"saved", nil, nil, nil, carol, "saved", "@carol.test (active)"},
		{"empty env is unset", env(""), nil, nil, carol, "saved", "@carol.test (active)"},
		{"blank env is unset", env("  "), nil, nil, carol, "saved", "@carol.test (active)"},
		{"env", env("bob.test"), nil, nil, bob, "env", "@bob.test (from SKYSWITCH_ACCOUNT; the saved active account is @carol.test)"},
		{"env by DID", env(bob.DID), nil, nil, bob, "env", "@bob.test (from SKYSWITCH_ACCOUNT; the saved active account is @carol.test)"},
		{"env naming the saved one", env("@carol.test"), nil, nil, carol, "env", "@carol.test (active, from SKYSWITCH_ACCOUNT)"},
		{"flag", nil, []string{"--account", "alice.test"}, nil, alice, "flag", "@alice.test (from --account; the saved active account is @carol.test)"},
		{"flag beats env", env("bob.test"), []string{"--account", "@alice.test"}, nil, alice, "flag", "@alice.test (from --account; the saved active account is @carol.test)"},
		{"flag=value", env("bob.test"), []string{"--account=" + alice.DID}, nil, alice, "flag", "@alice.test (from --account; the saved active account is @carol.test)"},
		{"flag after the command", env("bob.test"), nil, []string{"--account", "alice.test"}, alice, "flag", "@alice.test (from --account; the saved active account is @carol.test)"},
		{"argument beats all", env("bob.test"), []string{"--account", "alice.test"}, []string{"carol.test"}, carol, "argument", "@carol.test (active)"},
		{"argument beats an unknown env", env("nobody.test"), nil, []string{"bob.test"}, bob, "argument", "@bob.test"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := func(name string, extra ...string) []string {
				return slices.Concat(tc.args, []string{name}, extra, tc.after)
			}
			r := e.runEnv(tc.env, cmd("token")...)
			wantCode(t, r, exitOK)
			if r.stdout != tokenOf(tc.want.DID) {
				t.Errorf("token printed another account's token than %s's", tc.want.Handle)
			}
			did, source := statusOf(t, e.runEnv(tc.env, cmd("status", "--json")...))
			if did != tc.want.DID || source != tc.source {
				t.Errorf("status --json: did %s source %q, want %s (%s) %q", did, source, tc.want.DID, tc.want.Handle, tc.source)
			}
			r = e.runEnv(tc.env, cmd("status")...)
			wantCode(t, r, exitOK)
			if first, _, _ := strings.Cut(r.stdout, "\n"); first != tc.wantTitle {
				t.Errorf("status says %q, want %q", first, tc.wantTitle)
			}
		})
	}
	if n := e.guard.requests() - calls; n != 0 {
		t.Errorf("token and status with fresh tokens made %d requests", n)
	}

	// refresh renews the chosen account only.
	before := map[string]string{}
	for _, a := range []fakepds.Account{alice, bob, carol} {
		before[a.DID] = e.account(a.DID).RefreshJwt
	}
	r := e.runEnv(env("bob.test"), "--account", "alice.test", "refresh")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stderr, "Refreshed @alice.test") {
		t.Errorf("refresh with --account: %s", r)
	}
	wantCode(t, e.runEnv(env("bob.test"), "refresh"), exitOK)
	for _, a := range []fakepds.Account{alice, bob, carol} {
		changed := e.account(a.DID).RefreshJwt != before[a.DID]
		if changed != (a.DID != carol.DID) {
			t.Errorf("@%s refreshed: %v", a.Handle, changed)
		}
	}
	// The saved active account never moved.
	if st := e.state(); st.Active != carol.DID || st.Previous != bob.DID {
		t.Errorf("an override changed the saved active account: active %s previous %s", st.Active, st.Previous)
	}
}

// An override naming no saved account is exit 4 and says where the name
// came from; nothing falls back to the saved active account.
func TestOverrideUnknownAccount(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	threeSaved(e)
	before, _ := os.ReadFile(e.path)
	calls := e.guard.requests()
	unknownEnv := map[string]string{envAccount: "nobody.test"}
	for _, args := range [][]string{{"token"}, {"status"}, {"status", "--json"}, {"refresh"}, {"env"}} {
		wantError(t, e.runEnv(unknownEnv, args...), exitNoSession, "SKYSWITCH_ACCOUNT", "nobody.test", "not a saved account")
	}
	for _, args := range [][]string{{"--account", "nobody.test", "token"}, {"--account=nobody.test", "status"}, {"refresh", "--account", "@nobody.test"}, {"env", "--account", "nobody.test"}} {
		r := e.runEnv(map[string]string{envAccount: "carol.test"}, args...)
		wantError(t, r, exitNoSession, "--account", "nobody.test", "not a saved account")
		if strings.Contains(r.stderr, "SKYSWITCH_ACCOUNT") {
			t.Errorf("the error blames the environment for the flag: %s", r)
		}
	}
	if n := e.guard.requests() - calls; n != 0 {
		t.Errorf("an unknown override made %d requests", n)
	}
	if after, _ := os.ReadFile(e.path); string(after) != string(before) {
		t.Error("an unknown override changed the accounts file")
	}
	// Commands the override does not concern still work: list shows what exists.
	r := e.runEnv(unknownEnv, "list")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "@carol.test") {
		t.Errorf("list under an unknown override: %s", r)
	}
}

func TestOverrideUsage(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	alice, _, carol := threeSaved(e)
	pinned := map[string]string{envAccount: "alice.test"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--account"}, "needs a handle or DID"},
		{[]string{"--account", "", "token"}, "needs a handle or DID"},
		{[]string{"--account", "--json", "status"}, "needs a handle or DID"},
		{[]string{"token", "--account="}, "needs a handle or DID"},
		{[]string{"--account", "alice.test", "list"}, "not to list"},
		{[]string{"--account", "alice.test", "logout"}, "not to logout"},
		{[]string{"--account", "alice.test", "switch", "bob.test"}, "not to switch"},
		{[]string{"--account", "alice.test", "--demo"}, "does not apply to --demo"},
		{[]string{"--account", "alice.test", "refresh", "--all"}, "not both"},
	} {
		wantError(t, e.run("", tc.args...), exitUsage, tc.want)
	}
	// With the shell pinned, logout without a name asks for one instead of
	// logging out the saved active account.
	r := e.runEnv(pinned, "logout")
	wantError(t, r, exitUsage, "SKYSWITCH_ACCOUNT is set (to alice.test)", "name the account")
	if len(e.state().Accounts) != 3 || e.srv.Calls(nsidDelete) != 0 {
		t.Fatal("logout without a name logged an account out under a pinned shell")
	}
	wantCode(t, e.runEnv(pinned, "logout", "bob.test"), exitOK)
	if st := e.state(); len(st.Accounts) != 2 || st.Active != carol.DID {
		t.Fatalf("after logout bob.test: %d accounts, active %s", len(st.Accounts), st.Active)
	}
	// switch still sets the saved active account, and says the pin stays.
	r = e.runEnv(pinned, "switch", alice.DID)
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stderr, "SKYSWITCH_ACCOUNT=alice.test still chooses the account in this shell") || e.state().Active != alice.DID {
		t.Errorf("switch under a pinned shell: %s", r)
	}
	r = e.run("", "switch", carol.DID)
	if strings.Contains(r.stderr, "SKYSWITCH_ACCOUNT") {
		t.Errorf("switch mentions a pin that is not there: %s", r)
	}
}

func TestEnvCommand(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	alice, bob, _ := threeSaved(e)
	r := e.run("", "env", "@alice.test")
	wantCode(t, r, exitOK)
	if want := "export SKYSWITCH_ACCOUNT='" + alice.DID + "'  # @alice.test\n"; r.stdout != want {
		t.Errorf("env @alice.test:\n got %q\nwant %q", r.stdout, want)
	}
	r = e.run("", "env", "--shell", "fish", alice.DID)
	wantCode(t, r, exitOK)
	if want := "set -gx SKYSWITCH_ACCOUNT '" + alice.DID + "'  # @alice.test\n"; r.stdout != want {
		t.Errorf("env --shell fish:\n got %q\nwant %q", r.stdout, want)
	}
	// PowerShell: $env:NAME = 'value' (Invoke-Expression runs it).
	r = e.run("", "env", "--shell", "powershell", "alice.test")
	wantCode(t, r, exitOK)
	if want := "$env:SKYSWITCH_ACCOUNT = '" + alice.DID + "'  # @alice.test\n"; r.stdout != want {
		t.Errorf("env --shell powershell:\n got %q\nwant %q", r.stdout, want)
	}
	// Without an account: the one in effect, override included.
	r = e.runEnv(map[string]string{envAccount: "bob.test"}, "env", "--shell", "zsh")
	wantCode(t, r, exitOK)
	if r.stdout != "export SKYSWITCH_ACCOUNT='"+bob.DID+"'  # @bob.test\n" {
		t.Errorf("env under SKYSWITCH_ACCOUNT=bob.test: %s", r)
	}
	for shell, want := range map[string]string{"bash": "unset SKYSWITCH_ACCOUNT\n", "fish": "set -e SKYSWITCH_ACCOUNT\n",
		"powershell": "$env:SKYSWITCH_ACCOUNT = $null\n"} {
		r = e.run("", "env", "--unset", "--shell", shell)
		if wantCode(t, r, exitOK); r.stdout != want {
			t.Errorf("env --unset --shell %s: %q", shell, r.stdout)
		}
	}
	wantError(t, e.run("", "env", "nobody.test"), exitNoSession, "nobody.test")
	wantError(t, e.run("", "env", "--shell", "csh"), exitUsage, "bash, zsh, sh, fish or powershell")
	wantError(t, e.run("", "env", "--unset", "alice.test"), exitUsage, "not both")

	e2 := newCLIEnv(t, fakepds.Options{})
	wantError(t, e2.run("", "env"), exitNoSession, "no active account")
}

// The quoting holds for any value, though DIDs never need it: a value
// read back by the shell is the value written.
func TestEnvQuoting(t *testing.T) {
	t.Parallel()
	weird := `did:web:a'b\c$(x)` + "`y`\n;z"
	if got, want := shQuote(weird), `'did:web:a'\''b\c$(x)`+"`y`\n;z'"; got != want {
		t.Errorf("shQuote = %q, want %q", got, want)
	}
	if got, want := fishQuote(weird), `'did:web:a\'b\\c$(x)`+"`y`\n;z'"; got != want {
		t.Errorf("fishQuote = %q, want %q", got, want)
	}
	// PowerShell: in single quotes only a quote is special (the
	// typographic ones too), and it is doubled; $(x), ` and \ stay text.
	if got, want := envLines("", weird+"’", "powershell"), "$env:SKYSWITCH_ACCOUNT = 'did:web:a''b\\c$(x)`y`\n;z’’'\n"; got != want {
		t.Errorf("envLines powershell = %q, want %q", got, want)
	}
	// A handle that is not one is left out of the comment, so nothing from
	// the file can end it.
	for shell, want := range map[string]string{"bash": "export SKYSWITCH_ACCOUNT='did:plc:abc'\n", "powershell": "$env:SKYSWITCH_ACCOUNT = 'did:plc:abc'\n"} {
		if got := envLines("x\nrm -rf ~", "did:plc:abc", shell); got != want {
			t.Errorf("envLines %s with a bad handle: %q", shell, got)
		}
	}
}

// The completion offers every command, in the usage's order, with exactly
// the flags its --help lists, and knows which take a value. (One table
// drives them all; this holds the scripts to what --help says.)
func TestCompletionMatchesTheCommands(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	bash := e.run("", "completion", "bash").stdout
	var names []string
	for _, m := range regexp.MustCompile(`(?m)^  skyswitch ([a-z][a-z-]*).*\n      \S`).FindAllStringSubmatch(e.run("", "--help").stdout, -1) {
		names = append(names, m[1])
	}
	if want := "\t'') _skyswitch_add " + strings.Join(names, " ") + " help version ;;\n"; len(names) < 11 || !strings.Contains(bash, want) {
		t.Fatalf("the usage lists %v; the completion does not offer them in that order:\n%s", names, bash)
	}
	m := regexp.MustCompile(`(?m)^\t\t(-[^)]*)\) \[\[ \$\{COMP_WORDS\[i\+1\]\} == = \]\] && \(\(i\+\+\)\); \(\(i\+\+\)\) ;;$`).FindStringSubmatch(bash)
	if m == nil {
		t.Fatalf("no value flags in the bash completion:\n%s", bash)
	}
	valueFlags := strings.Split(m[1], "|")
	// GNU style: "  -H, --header key:value   usage", "      --paginate   usage".
	flagLine := regexp.MustCompile(`(?m)^  (?:(-\w)(?:, (--[\w-]+))?|    (--[\w-]+))( \S+)?   `)
	for _, name := range names {
		r := e.run("", name, "--help")
		var listed []string
		for _, m := range flagLine.FindAllStringSubmatch(r.stdout, -1) {
			for _, f := range m[1:4] {
				if f == "" {
					continue
				}
				listed = append(listed, f)
				if takesValue := m[4] != ""; takesValue != slices.Contains(valueFlags, f) {
					t.Errorf("%s %s: takes a value %v, but valueFlags says otherwise", name, f, takesValue)
				}
			}
		}
		var offered []string
		if m := regexp.MustCompile(`(?m)^\t\t` + name + `\) _skyswitch_add ([^;]*)`).FindStringSubmatch(bash); m != nil {
			for _, w := range strings.Fields(m[1]) {
				if strings.HasPrefix(w, "-") {
					offered = append(offered, w)
				}
			}
		}
		slices.Sort(listed)
		slices.Sort(offered)
		if !slices.Equal(listed, offered) {
			t.Errorf("%s: --help lists %v, completion offers %v", name, listed, offered)
		}
	}
}

func TestCompletionCommand(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		r := e.run("", "completion", shell)
		wantCode(t, r, exitOK)
		if !strings.Contains(r.stdout, "list --handles") || r.stderr != "" {
			t.Errorf("completion %s: %s", shell, r)
		}
	}
	wantError(t, e.run("", "completion"), exitUsage, "bash, zsh, fish or powershell")
	wantError(t, e.run("", "completion", "cmd.exe"), exitUsage, "bash, zsh, fish or powershell")
	if _, err := os.Stat(e.path); !os.IsNotExist(err) {
		t.Errorf("completion touched the accounts file: %v", err)
	}
}

func TestListHandles(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	threeSaved(e)
	r := e.run("", "list", "--handles")
	wantCode(t, r, exitOK)
	if r.stdout != "carol.test\nalice.test\nbob.test\n" {
		t.Errorf("list --handles: %q", r.stdout)
	}
	wantError(t, e.run("", "list", "--handles", "--json"), exitUsage, "not both")
}

// A 429 names the time from RateLimit-Reset; a refused login adds that
// logins are far scarcer than refreshes. skyswitch never logs in again.
func TestRateLimitMessages(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	start := time.Date(2030, 3, 4, 10, 0, 0, 0, time.Local) // messages say local time
	e.clock.Set(start)
	e.addAccount("alice.test")
	reset := start.Add(17*time.Minute + 20*time.Second)

	e.srv.Inject(nsidCreate, fakepds.Fault{Kind: fakepds.FaultRateLimit, ResetAt: reset, Times: 1})
	r := e.run(testPassword+"\n", "login", "--service", e.srv.URL(), "--identifier", "alice.test", "--password-stdin")
	wantError(t, r, exitFailure, "rate limited by the server until 10:18 (in 18 minutes)",
		"the bsky.social entryway allows far fewer logins a day than token refreshes", "rather than logging in again")
	if len(e.state().Accounts) != 0 {
		t.Fatal("a refused login saved an account")
	}

	e.login("alice.test")
	logins := e.srv.Calls(nsidCreate)
	e.srv.Inject(nsidRefresh, fakepds.Fault{Kind: fakepds.FaultRateLimit, ResetAt: reset.Add(24 * time.Hour), Times: 2})
	r = e.run("", "refresh")
	wantError(t, r, exitFailure, "rate limited by the server until Mar 5 10:18 (in 24h18m)")
	if strings.Contains(r.stderr, "logins") {
		t.Errorf("a rate-limited refresh talks about logins: %s", r)
	}
	e.clock.Set(start.Add(2 * time.Hour)) // the token expired: token must refresh
	wantError(t, e.run("", "token"), exitFailure, "rate limited by the server until Mar 5 10:18 (in 22h18m)")
	if n := e.srv.Calls(nsidCreate); n != logins {
		t.Errorf("skyswitch logged in again by itself (%d createSession calls)", n-logins)
	}
}

// The switcher starts on the account the override chooses, says so, and
// does not start at all on an unknown one.
func TestOverrideSelectsInTheSwitcher(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	_, bob, _ := threeSaved(e)
	for _, tc := range []struct {
		env, flag, by string
	}{
		{"", "", ""},
		{"@bob.test", "", "SKYSWITCH_ACCOUNT"},
		{"carol.test", bob.DID, "--account"},
	} {
		run := &invocation{app: &App{Getenv: func(k string) string { return map[string]string{envAccount: tc.env}[k] }}, account: tc.flag}
		opts, err := run.tuiOptions(e.state())
		if err != nil {
			t.Fatal(err)
		}
		want := ui.Pinned{DID: bob.DID, Handle: "bob.test", By: tc.by}
		if tc.by == "" {
			want = ui.Pinned{}
		}
		if opts.Select != want.DID || opts.Pinned != want || opts.Banner != "" || opts.Initial == nil {
			t.Errorf("env %q flag %q: select %q pinned %+v banner %q", tc.env, tc.flag, opts.Select, opts.Pinned, opts.Banner)
		}
	}
	for _, args := range [][]string{{"--account", "nobody.test"}, {}} {
		r := e.runEnv(map[string]string{envAccount: "nobody.test"}, args...)
		wantError(t, r, exitNoSession, "nobody.test", "not a saved account")
	}
}

// A shell pinned to an account that is then logged out: the next command
// fails (exit 4) and says what happened, with the handle and the DID,
// whether the variable holds the handle or the DID; so does --account, and
// a name given as argument. A new login ends it.
func TestOverrideNamingALoggedOutAccount(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	_, bob, _ := threeSaved(e)
	name := "@bob.test (" + bob.DID + ")"
	wantCode(t, e.runEnv(map[string]string{envAccount: "bob.test"}, "logout", "bob.test"), exitOK)
	for _, tc := range []struct {
		env  string
		args []string
		want string
	}{
		{"bob.test", []string{"token"}, "SKYSWITCH_ACCOUNT names " + name + ", which was logged out; unset it or log in again"},
		{bob.DID, []string{"token"}, "SKYSWITCH_ACCOUNT names " + name + ", which was logged out; unset it or log in again"},
		{bob.DID, []string{"status"}, "SKYSWITCH_ACCOUNT names " + name + ", which was logged out"},
		{"@bob.test", []string{"refresh"}, "SKYSWITCH_ACCOUNT names " + name + ", which was logged out"},
		{"", []string{"--account", bob.DID, "token"}, "--account names " + name + ", which was logged out; log in again or name another account"},
		{"", []string{"token", "bob.test"}, name + " was logged out: skyswitch login logs in to it again"},
		{"", []string{"switch", bob.DID}, name + " was logged out"},
	} {
		r := e.runEnv(map[string]string{envAccount: tc.env}, tc.args...)
		wantError(t, r, exitNoSession, tc.want)
	}
	// Never logged in here: no word of a logout.
	wantError(t, e.runEnv(map[string]string{envAccount: "dave.test"}, "token"), exitNoSession, "SKYSWITCH_ACCOUNT: dave.test is not a saved account")

	e.login("bob.test")
	r := e.runEnv(map[string]string{envAccount: bob.DID}, "token")
	wantCode(t, r, exitOK)
	if st := e.state(); len(st.LoggedOut) != 0 {
		t.Errorf("still remembered as logged out after a new login: %+v", st.LoggedOut)
	}
}

// A DID from the accounts file that is not one is never printed: env
// refuses it, as the switcher's s does. PowerShell's documented
// `skyswitch env --shell powershell | Invoke-Expression` runs each line
// on its own, so a newline in the quoted DID would end the quotes' line
// and run the rest of the DID as a command.
func TestEnvRefusesAMalformedDID(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	alice := e.addAccount("alice.test")
	e.login("alice.test")
	bad := alice.DID + "\nStart-Process calc #"
	err := storage.Open(e.path).Update(func(st *storage.State) error {
		a, _ := st.Account(alice.DID)
		a.DID = bad
		st.Active = bad
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, shell := range []string{"bash", "fish", "powershell"} {
		for _, args := range [][]string{{"env", "--shell", shell, "alice.test"}, {"env", "--shell", shell}} {
			r := e.run("", args...)
			if r.code == exitOK || r.stdout != "" || !strings.Contains(r.stderr, "malformed") {
				t.Errorf("%q with a malformed DID saved: %s", args, r)
			}
		}
	}
}
