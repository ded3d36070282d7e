package ui_test

// Every frame the switcher hands Bubble Tea passes one sanitiser: text
// from outside (a hand-edited accounts file, a server's words, an error
// quoting a certificate) can neither act on the terminal nor hide or
// reorder what is shown. Escapes in a field show as text (\x1b]0;…).

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/sanitize"
	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/ui"
)

// hostile is what an attacker puts in every string: a window title, a
// clipboard write (OSC 52), a cleared screen, a CSI in its C1 form, a
// carriage return, a bidi override and a zero-width space.
const hostile = "\x1b]0;pwned\a\x1b]52;c;cHduZWQ=\a\x1b[2J\u009b31m\r\u202eevil\u200b"

// titleShown is how the window-title sequence reads once made visible.
const titleShown = `\x1b]0;pwned\a`

// hostileState is a state whose every string field holds the hostile
// sequences: an account with all of them (DID, handle, email, status,
// service, PDS, last error), one whose session ended, one whose tokens the
// keyring would not give (with the keyring's words), one due for a
// refresh, and a pending logout.
func hostileState(t *testing.T) *storage.State {
	t.Helper()
	w, k := keyringWorld(t)
	k.Fail(errors.New("the keyring said " + hostile))
	unreadable := loadWith(t, w, k).Accounts[0]
	if unreadable.SecretsErr() == nil {
		t.Fatal("the keyring's failure did not make the account unreadable")
	}
	unreadable.Handle = "locked" + hostile + ".test"

	mk := func(name string, iat time.Time) storage.Account {
		d := did(name)
		return storage.Account{SessionData: auth.SessionData{
			AccessJwt:  fakeJWT("at+jwt", d, iat, 2*time.Hour),
			RefreshJwt: fakeJWT("refresh+jwt", d, iat, 90*24*time.Hour),
			DID:        d, Handle: name + hostile + ".test", Active: true,
			Service: "https://pds.example.test", PDSURL: "https://pds.example.test",
		}, AddedAt: iat, LastUsedAt: iat}
	}
	evil := mk("evil", t0)
	evil.DID = "did:plc:" + hostile
	evil.Email = "me" + hostile + "@example.test"
	evil.Status = "takendown" + hostile
	evil.Service = "https://svc" + hostile + ".example"
	evil.PDSURL = "https://pds" + hostile + ".example"
	evil.LastRefreshError = "x509: certificate is valid for " + hostile + ", not 127.0.0.1"
	ended := mk("ended", t0)
	ended.SessionEnded = true
	due := mk("due", t0.Add(-2*time.Hour+time.Minute)) // a minute left: due

	st := storage.NewState()
	st.Accounts = []storage.Account{ended, unreadable, due, evil}
	st.Active = evil.DID
	pending := mk("gone", t0).SessionData
	pending.PDSURL = "https://gone" + hostile + ".example"
	st.PendingLogouts = []storage.PendingLogout{{Session: pending, QueuedAt: t0, LastError: hostile}}
	return st
}

// hostileErr is a Go error as a TLS handshake with a forged certificate
// words it.
var hostileErr = errors.New("tls: failed to verify certificate: x509: certificate is valid for " + hostile + ", not 127.0.0.1")

// sgrRE is an SGR sequence (colours, weights), the one escape a frame may
// hold.
var sgrRE = regexp.MustCompile(`^\x1b\[[0-9;:]*m`)

// safeFrame fails the test if the frame holds an escape other than SGR, an
// unsafe rune or invalid UTF-8.
func safeFrame(t *testing.T, step, v string) {
	t.Helper()
	if !strings.HasPrefix(ansiRE.ReplaceAllString(v, ""), "skyswitch") {
		t.Errorf("%s: the frame lost its first line: %q", step, v)
	}
	if !utf8.ValidString(v) {
		t.Errorf("%s: the frame is not valid UTF-8: %q", step, v)
		return
	}
	for i, r := range v {
		if r == 0x1b && sgrRE.MatchString(v[i:]) {
			continue
		}
		if sanitize.Unsafe(r) {
			t.Errorf("%s: the frame holds %U at byte %d: %q", step, r, i, v[max(i-20, 0):min(i+40, len(v))])
			return
		}
	}
}

func TestHostileTextNeverReachesTheTerminal(t *testing.T) {
	for _, p := range []struct {
		name    string
		profile colorprofile.Profile
	}{{"ascii", colorprofile.Ascii}, {"truecolor", colorprofile.TrueColor}} {
		t.Run(p.name, func(t *testing.T) {
			withProfile(t, p.profile)
			walkHostile(t)
		})
	}
}

// walkHostile goes through every screen over the hostile state and checks
// each frame as Bubble Tea would receive it.
func walkHostile(t *testing.T) {
	svc := &stub{st: hostileState(t), err: hostileErr}
	// The walk starts on the first row, not on the active (evil) one.
	first := svc.st.Accounts[0].DID
	d := newDriver(t, svc, newClock(), ui.Options{Select: first, Notes: []string{"a note quoting " + hostile}})
	frame := func(step string) string {
		t.Helper()
		v := screenOf(ui.Program(d.m).View())
		safeFrame(t, step, v)
		return v
	}
	d.boot()
	d.send(tea.WindowSizeMsg{Width: 160, Height: 40})
	frame("list")
	d.tick() // the due account's refresh fails with the hostile error
	if svc.count("Refresh") == 0 {
		t.Fatal("the due account was not refreshed")
	}
	v := frame("refresh-failure banner")
	for _, want := range []string{"session expired or revoked", "keyring unreadable", "refresh failed"} {
		if !strings.Contains(flatten(ansiRE.ReplaceAllString(v, "")), want) {
			t.Errorf("no %q banner:\n%s", want, sanitize.Text(v))
		}
	}
	d.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	frame("list at 80×24")
	d.key("?")
	frame("help")
	d.key("?")
	for range 2 {
		d.key("j")
		frame("list, moving down")
	}
	d.key("enter") // switching to the due account fails with the hostile error
	if !strings.Contains(frame("status line"), "Could not switch") {
		t.Error("no status line")
	}
	d.key("esc") // the note goes
	d.key("j")
	d.send(tea.WindowSizeMsg{Width: 100, Height: 50})
	d.key("i") // the evil account: the check fails with the hostile error
	v = frame("inspector")
	plain := ansiRE.ReplaceAllString(v, "")
	// Each field shows the escape as text: the title (the handle), DID,
	// PDS, Service, Email, Server status, and the errors under Last error
	// and Status check.
	words := strings.Join(strings.Fields(plain), " ") // wrapped lines joined
	for _, want := range []string{"@evil" + titleShown, "DID did:plc:" + titleShown,
		"PDS https://pds" + titleShown, "Service https://svc" + titleShown,
		"Email me" + titleShown, "Server status takendown" + titleShown,
		"Last error x509: certificate is valid for " + titleShown, "Status check tls:"} {
		if !strings.Contains(words, want) {
			t.Errorf("the inspector lacks %q:\n%s", want, sanitize.Text(plain))
		}
	}
	if n := strings.Count(words, "certificate is valid for "+titleShown); n != 2 {
		t.Errorf("the last error and the status check show the escape as text %d times, want 2", n)
	}
	d.key("esc")
	d.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	d.key("/")
	d.typ("\u202eevil")
	frame("filter")
	d.key("esc")
	for range 4 {
		d.key("k")
	}
	d.key("enter") // the ended account: the form, prefilled
	frame("login, prefilled")
	d.typ(password)
	d.key("enter") // the login fails with the hostile error
	frame("login error")
	d.key("esc")
	svc.mu.Lock()
	svc.loadErr = fmt.Errorf("accounts.json: %w", hostileErr)
	svc.mu.Unlock()
	svc.replace(svc.st)
	d.tick()
	frame("unreadable file banner")
	svc.warn("a warning quoting " + hostile)
	d.tick()
	frame("notes")
}
