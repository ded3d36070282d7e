package ui_test

// What the inspector says of an account, field by field, and the colours
// the banners draw in.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/ui"
)

// account is a saved account for a stub's state, its tokens issued at t0
// with the access token's scope given.
func account(handle, scope string) storage.Account {
	d := did(handle)
	return storage.Account{SessionData: auth.SessionData{
		AccessJwt:  scopedJWT("at+jwt", scope, d, t0, 2*time.Hour),
		RefreshJwt: fakeJWT("refresh+jwt", d, t0, 90*24*time.Hour),
		DID:        d, Handle: handle, Email: handle + "@example.com", EmailConfirmed: true, Active: true,
		Service: "https://pds.example.test", PDSURL: "https://pds.example.test",
	}, AddedAt: t0, LastUsedAt: t0}
}

// inspect opens the inspector on the account with this handle (the
// state's first is selected at start) and returns its lines.
func inspect(t *testing.T, st *storage.State, handle string) string {
	t.Helper()
	d := newDriver(t, &stub{st: st}, newClock(), ui.Options{Select: handle})
	d.boot()
	d.key("i")
	return d.has("@"+handle, "Server status")
}

// field is the value of a field of the inspector, spaces trimmed.
func field(t *testing.T, view, name string) string {
	t.Helper()
	for _, l := range strings.Split(view, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), name+" "); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no field %q:\n%s", name, view)
	return ""
}

func TestInspectorShowsTwoFactorStatusAndFullAccess(t *testing.T) {
	twoFA := account("twofa.test", auth.ScopeAppPass)
	twoFA.EmailAuthFactor = true
	full := account("full.test", auth.ScopeAccess)
	down := account("down.test", auth.ScopeAppPass)
	down.Status = "takendown"
	plain := account("plain.test", auth.ScopeAppPass)
	st := storage.NewState()
	st.Accounts = []storage.Account{twoFA, full, down, plain}

	const fullWarning = "⚠ can do anything, even delete the account: prefer an app password"
	cases := []struct {
		handle            string
		twoFA, status     string
		kind              string
		warnsOfFullAccess bool
	}{
		{"twofa.test", "on", "active", "app password", false},
		{"full.test", "off", "active", "full account access", true},
		{"down.test", "off", "takendown", "app password", false},
		{"plain.test", "off", "active", "app password", false},
	}
	for _, c := range cases {
		v := inspect(t, st, c.handle)
		if got := field(t, v, "2FA by email"); got != c.twoFA {
			t.Errorf("@%s: 2FA by email %q, want %q", c.handle, got, c.twoFA)
		}
		if got := field(t, v, "Server status"); !strings.HasPrefix(got, c.status) {
			t.Errorf("@%s: server status %q, want %q", c.handle, got, c.status)
		}
		if got := field(t, v, "Token kind"); !strings.HasPrefix(got, c.kind) {
			t.Errorf("@%s: token kind %q, want %q", c.handle, got, c.kind)
		}
		if got := strings.Contains(flatten(v), fullWarning); got != c.warnsOfFullAccess {
			t.Errorf("@%s: full-access warning shown %v, want %v:\n%s", c.handle, got, c.warnsOfFullAccess, v)
		}
	}
}

// The ended-session banner is drawn in the error colour, the retry banner
// in the warning colour: the goldens have no colour, so only this notices
// a swap.
func TestBannerColours(t *testing.T) {
	withProfile(t, colorprofile.TrueColor)
	alarmHex, warnHex := ui.ThemeColours()
	alarm, warn := trueColour(t, alarmHex), trueColour(t, warnHex) // 38;2;r;g;b
	if alarm == warn || !strings.HasPrefix(alarm, "38;2;") {
		t.Fatalf("colour sequences %q and %q", alarm, warn)
	}

	ended := account("ended.test", auth.ScopeAppPass)
	ended.SessionEnded = true
	due := account("due.test", auth.ScopeAppPass)
	due.AccessJwt = fakeJWT("at+jwt", due.DID, t0.Add(-2*time.Hour+time.Minute), 2*time.Hour)
	st := storage.NewState()
	st.Accounts = []storage.Account{ended, due}
	svc := &stub{st: st, err: errTransient}
	d := newDriver(t, svc, newClock(), ui.Options{})
	d.boot()
	d.tick() // due.test's refresh fails: a retry banner
	for _, c := range []struct {
		banner, want, not string
	}{
		{"@ended.test: session expired or revoked", alarm, warn},
		{"@due.test: refresh failed", warn, alarm},
	} {
		l := d.line(c.banner)
		if !strings.Contains(l, "│") {
			t.Fatalf("%q is not a banner: %q", c.banner, l)
		}
		if !strings.Contains(l, c.want) || strings.Contains(l, c.not) {
			t.Errorf("%q: want colour %s, not %s: %q", c.banner, c.want, c.not, l)
		}
	}
}

// errTransient is a refresh failure worth retrying.
var errTransient = &auth.Error{Status: 503, Name: "ServiceUnavailable", Message: "try later"}

// trueColour is the SGR parameters that set the foreground to hex (#rrggbb)
// in true colour.
func trueColour(t *testing.T, hex string) string {
	t.Helper()
	var r, g, b uint8
	if _, err := fmt.Sscanf(hex, "#%02x%02x%02x", &r, &g, &b); err != nil {
		t.Fatalf("colour %q: %v", hex, err)
	}
	return fmt.Sprintf("38;2;%d;%d;%d", r, g, b)
}
