package ui_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/ui"
)

// rowOrder is the handles of the list's rows, top to bottom.
func rowOrder(d *driver) []string {
	var out []string
	re := regexp.MustCompile(`^(?:> |  )(?:● |  )@(\S+)`)
	for _, l := range strings.Split(ansiRE.ReplaceAllString(d.view(), ""), "\n") {
		if m := re.FindStringSubmatch(l); m != nil {
			out = append(out, m[1])
		}
	}
	return out
}

// endSession revokes handle's session behind skyswitch's back and lets the
// switcher find out, as a refresh that the server refuses.
func endSession(d *driver, w *world, handle string) {
	d.t.Helper()
	if err := w.mgr.Client.DeleteSession(d.t.Context(), w.account(handle).SessionData); err != nil {
		d.t.Fatal(err)
	}
	dueNow(d, w, handle)
	d.has("@" + handle + ": session expired or revoked")
}

// enter on an ended session opens a form that says whose session it
// renews, filled in with the account's handle and server; the login keeps
// the active identity and the row where it was, and says "Logged in
// again". a still opens the empty "Add an account" form.
func TestEnterOnAnEndedSessionLogsInAgainKeepingWhoIsActive(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "bob.test")
	w.login(nil, "carol.test")
	w.login(nil, "alice.test") // active
	d := w.start(ui.Options{})
	endSession(d, w, "bob.test")
	order := rowOrder(d)
	bob := w.account("bob.test")

	selectRow(d, "bob.test")
	d.key("enter")
	d.has("Log in again to @bob.test")
	d.hasNot("Add an account")
	if l := d.line("Account"); !strings.Contains(l, "bob.test") {
		t.Errorf("the account field is not filled in: %q", l)
	}
	if l := d.line("Service"); !strings.Contains(l, w.srv.URL()) {
		t.Errorf("the service field is not bob's server: %q", l)
	}
	d.typ(password) // the password field has the focus
	d.key("enter")

	d.has("Logged in again to @bob.test.")
	d.hasNot("Added", "session expired", "now the active account")
	st := w.load()
	if st.Active != did("alice.test") {
		t.Errorf("the active identity is %s, want alice's as before", st.Active)
	}
	if !strings.Contains(d.row("alice.test"), "●") || strings.Contains(d.row("bob.test"), "●") {
		t.Errorf("● is not on alice alone:\n%s", d.view())
	}
	if l := d.row("bob.test"); !strings.Contains(l, "valid") {
		t.Errorf("bob's row after the login: %q", l)
	}
	if got := rowOrder(d); strings.Join(got, " ") != strings.Join(order, " ") {
		t.Errorf("rows %v after the login, want %v as before", got, order)
	}
	if a := w.account("bob.test"); !a.AddedAt.Equal(bob.AddedAt) || a.RefreshJwt == bob.RefreshJwt {
		t.Errorf("bob added %v (want %v), session renewed: %v", a.AddedAt, bob.AddedAt, a.RefreshJwt != bob.RefreshJwt)
	}

	d.key("a")
	d.has("Add an account")
	d.hasNot("Log in again")
	if l := d.line("Account"); strings.Contains(l, "bob.test") {
		t.Errorf("the add form is filled in: %q", l)
	}
}

// With no active identity, the account logged in again becomes the active
// one, and the note says so.
func TestLoginAgainWithNobodyActiveMakesItActive(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "bob.test")
	w.login(nil, "alice.test")
	if err := w.mgr.Store.Update(func(st *storage.State) error { return st.SetActive("") }); err != nil {
		t.Fatal(err)
	}
	d := w.start(ui.Options{})
	endSession(d, w, "bob.test")
	selectRow(d, "bob.test")
	d.key("enter")
	d.typ(password)
	d.key("enter")
	d.has("Logged in again to @bob.test; it is now the active account.")
	if st := w.load(); st.Active != did("bob.test") {
		t.Errorf("active %q, want bob", st.Active)
	}
	if !strings.Contains(d.row("bob.test"), "●") {
		t.Errorf("● is not on bob:\n%s", d.view())
	}
}

// A login again that signs in to another account (its handle typed over
// the filled-in one) is refused: the form stays, says whose the password
// was, and nothing changes.
func TestLoginAgainAsAnotherAccountIsRefused(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "bob.test")
	w.login(nil, "alice.test")
	d := w.start(ui.Options{})
	endSession(d, w, "bob.test")
	selectRow(d, "bob.test")
	d.key("enter")
	d.key("shift+tab") // to the account field
	for range len("bob.test") {
		d.key("backspace")
	}
	d.typ("alice.test")
	d.key("tab")
	d.typ(password)
	d.key("enter")
	d.has("Log in again to @bob.test", "another account", "nothing was saved")
	st := w.load()
	if st.Active != did("alice.test") || !w.account("bob.test").SessionEnded {
		t.Errorf("the refused login changed the file: active %s", st.Active)
	}
	if n := w.srv.ActiveSessions(did("alice.test")); n != 1 {
		t.Errorf("alice has %d live sessions, want 1", n)
	}
}

// A handle that chooses nothing (two saved accounts claim it, or it was
// found unverified) names nobody for sure: the form is filled in with the
// DID, which names the account, and the login goes to LoginAgain for it.
func TestLoginAgainFillsInTheDIDWhenTheHandleChoosesNothing(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spoil func(st *storage.State)
	}{
		{"shared", func(st *storage.State) { st.Accounts[1].Handle = st.Accounts[0].Handle }},
		{"unverified", func(st *storage.State) {
			a := &st.Accounts[0]
			a.HandleCheck = storage.HandleCheck{Handle: a.Handle, Status: storage.HandleUnverified, Names: "did:plc:someoneelse", At: t0}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := manyAccounts(3, t0)
			st.Accounts[0].SessionEnded = true
			tc.spoil(st)
			svc := &stub{st: st}
			d := newDriver(t, svc, newClock(), ui.Options{})
			d.boot()
			ended := st.Accounts[0]
			// The first row, whatever its handle: with a shared handle the
			// active row shows the same one, and the cursor opens there.
			for range len(st.Accounts) {
				d.key("k")
			}
			d.key("enter")
			d.has("Log in again to @" + ended.Handle)
			if l := d.line("Account"); !strings.Contains(l, ended.DID) {
				t.Errorf("the account field is not the DID: %q", l)
			}
			d.typ("pw")
			d.key("enter")
			// count counts by prefix: the one Login… call is LoginAgain.
			if svc.count("LoginAgain "+ended.DID) != 1 || svc.count("Login") != 1 {
				t.Errorf("calls: %v", svc.calls)
			}
		})
	}
}

// The add form, given an account already saved, logs in again to it: the
// note does not call it added, it keeps its row, and (asked for through
// the add form, as skyswitch login does) it becomes the active one.
func TestAddingASavedAccountSaysLoggedInAgain(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "bob.test")
	w.login(nil, "alice.test") // active
	d := w.start(ui.Options{})
	order := rowOrder(d)
	d.key("a")
	d.key("shift+tab")
	d.typ(w.srv.URL())
	d.key("tab")
	d.typ("bob.test")
	d.key("tab")
	d.typ(password)
	d.key("enter")
	d.has("Logged in again to @bob.test; it is now the active account.")
	d.hasNot("Added")
	if st := w.load(); st.Active != did("bob.test") {
		t.Errorf("active %s, want bob", st.Active)
	}
	if got := rowOrder(d); strings.Join(got, " ") != strings.Join(order, " ") {
		t.Errorf("rows %v after the login, want %v as before", got, order)
	}
}

// The title names the account in one line that fits the window, however
// long its handle.
func TestLoginAgainTitleFitsTheWindow(t *testing.T) {
	st := manyAccounts(1, t0)
	st.Accounts[0].Handle = strings.Repeat("long", 15) + ".example.test"
	st.Accounts[0].SessionEnded = true
	d := newDriver(t, &stub{st: st}, newClock(), ui.Options{})
	d.boot()
	d.send(tea.WindowSizeMsg{Width: 50, Height: 16})
	d.key("enter")
	d.fits(d.has("Log in again to @longlong"), 50, 16)
}

// A session whose refresh token has run out is over too, though no
// refresh has told the file yet (the server is down): its row says "log in
// again", and enter opens the form for it instead of making it active.
func TestEnterOnARunOutRefreshTokenLogsInAgain(t *testing.T) {
	st := manyAccounts(3, t0)
	a := &st.Accounts[0]
	old := t0.Add(-91 * 24 * time.Hour)
	a.AccessJwt, a.RefreshJwt = fakeJWT("at+jwt", a.DID, old, 2*time.Hour), fakeJWT("refresh+jwt", a.DID, old, 90*24*time.Hour)
	svc := &stub{st: st, err: errTransient}
	d := newDriver(t, svc, newClock(), ui.Options{})
	d.boot()
	selectRow(d, a.Handle)
	d.key("enter")
	d.has("Log in again to @" + a.Handle)
	if n := svc.count("Switch"); n != 0 {
		t.Errorf("enter switched to an account whose session is over: %v", svc.calls)
	}
}
