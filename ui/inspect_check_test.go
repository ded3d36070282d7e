package ui_test

// The inspector's status check: its result is shown only in the inspector
// of the account it checked, and only while that account is the one that
// was checked (not one logged out and added again since).

import (
	"context"
	"errors"
	"strings"
	"testing"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/ui"
)

// checks is a stub whose Check answers each account (by DID) with its own
// error, nil by default. Logout succeeds (the stub's err is nil).
type checks struct {
	*stub
	errs map[string]error
}

func (c *checks) Check(_ context.Context, ident string) (storage.Account, error) {
	c.record("Check " + ident)
	return storage.Account{}, c.errs[ident]
}

// inspectHeld presses i on the selected row and returns the status check
// it starts, not run.
func inspectHeld(d *driver) tea.Cmd {
	d.t.Helper()
	for _, c := range d.pending(keyMsg("i")) {
		if strings.Contains(cmdName(c), "checkCmd") {
			return c
		}
	}
	d.t.Fatal("i started no status check")
	return nil
}

// selectRow moves the cursor to the account with this handle.
func selectRow(d *driver, handle string) {
	d.t.Helper()
	for _, k := range []string{"j", "k"} {
		for range 10 {
			if d.selectedRow() == handle {
				return
			}
			d.key(k)
		}
	}
	d.t.Fatalf("cannot select @%s:\n%s", handle, d.redact(d.view()))
}

// busy reports whether the inspector shows its check in flight (the
// spinner after the server status).
func busy(t *testing.T, d *driver) bool {
	t.Helper()
	return strings.ContainsAny(field(t, d.view(), "Server status"), strings.Join(spinner.MiniDot.Frames, ""))
}

// A slow check of one account, answered after the inspector moved on to
// another, is not shown as the other's; the other's own answer is.
func TestACheckOfAnotherAccountIsNotShown(t *testing.T) {
	st := manyAccounts(2, t0)
	first, second := st.Accounts[0], st.Accounts[1]
	svc := &checks{stub: &stub{st: st}, errs: map[string]error{
		first.DID:  errors.New("the check of the first account failed"),
		second.DID: errors.New("the check of the second account failed"),
	}}
	d := newDriver(t, svc, newClock(), ui.Options{Select: first.Handle})
	d.boot()
	slow := inspectHeld(d)
	d.key("esc")
	selectRow(d, second.Handle)
	own := inspectHeld(d)
	d.has("@"+second.Handle, "Server status")

	d.deliver(slow)
	d.hasNot("the check of the first account failed", "Status check")
	if !busy(t, d) {
		t.Errorf("the first account's answer ended the second's check:\n%s", d.view())
	}
	d.deliver(own)
	d.has("@"+second.Handle, "Status check", "the check of the second account failed")
	if busy(t, d) {
		t.Errorf("still checking after the answer:\n%s", d.view())
	}
}

// A check sent before the account was logged out, answered after it was
// added again and inspected anew, is dropped: the new check's answer is
// the one shown.
func TestACheckFromBeforeALogoutIsNotShown(t *testing.T) {
	st := manyAccounts(2, t0)
	a := st.Accounts[0]
	svc := &checks{stub: &stub{st: st}, errs: map[string]error{a.DID: errors.New("an answer from before the logout")}}
	d := newDriver(t, svc, newClock(), ui.Options{Select: a.Handle})
	d.boot()
	old := inspectHeld(d)
	d.key("esc")
	d.logOut() // logged out; the stub's file still has it, as if added again
	d.has("Logged out", "@"+a.Handle)
	selectRow(d, a.Handle)
	fresh := inspectHeld(d)

	d.deliver(old)
	d.hasNot("an answer from before the logout", "Status check")
	if !busy(t, d) {
		t.Errorf("the old answer ended the new check:\n%s", d.view())
	}
	delete(svc.errs, a.DID)
	d.deliver(fresh)
	d.hasNot("an answer from before the logout", "Status check")
	d.has("Server status  active – checked 15:00:05") // after the logout's 5 s undo window
	if busy(t, d) {
		t.Errorf("still checking after the answer:\n%s", d.view())
	}
}

// The inspector of an account with nothing to check (its session ended)
// does not wait for another account's check.
func TestAnInspectorWithoutACheckIsNotBusy(t *testing.T) {
	st := manyAccounts(2, t0)
	first, ended := st.Accounts[0], &st.Accounts[1]
	ended.SessionEnded = true
	svc := &checks{stub: &stub{st: st}, errs: map[string]error{}}
	d := newDriver(t, svc, newClock(), ui.Options{Select: first.Handle})
	d.boot()
	slow := inspectHeld(d)
	d.key("esc")
	selectRow(d, ended.Handle)
	d.key("i")
	d.has("@"+ended.Handle, "Server status")
	if busy(t, d) {
		t.Errorf("the inspector of an ended session waits for the other account's check:\n%s", d.view())
	}
	d.deliver(slow)
	if busy(t, d) {
		t.Errorf("busy after the other account's answer:\n%s", d.view())
	}
}
