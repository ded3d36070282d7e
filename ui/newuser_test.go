package ui_test

// What a new user trips on: an applied filter that esc does not clear,
// a filter that outlives the account it matched, a login form whose focus
// order is not the order it is drawn in, and pastes (their own message in
// Bubble Tea v2) that must reach every text field.

import (
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/ui"
)

// The steps: filter on carol, apply it, log carol out. The list
// says the filter matches nothing and that esc clears it; esc on the list
// brings the others back.
func TestEscClearsAnAppliedFilter(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	threeAccounts(w)
	d := w.start(ui.Options{})
	d.key("/")
	d.typ("carol")
	d.key("enter")
	d.has("@carol.test", "/carol", "esc clear filter")
	d.hasNot("@alice.test", "@bob.test")
	d.logOut()
	d.has("Logged out @carol.test", `No account left matches the filter "carol"; esc clears it.`,
		"no account matches the filter (esc clears it)")
	d.key("esc")
	d.has("@alice.test", "@bob.test")
	d.hasNot("/carol", "no account matches", "esc clear filter")
}

// With a note showing, the first esc dismisses the note, the next clears
// the filter.
func TestEscDismissesANoteBeforeTheFilter(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	threeAccounts(w)
	d := w.start(ui.Options{Notes: []string{"the keyring did not answer"}})
	d.key("/")
	d.typ("bob")
	d.key("enter")
	d.has("Note: the keyring did not answer", "esc dismiss note", "/bob")
	d.hasNot("clear filter")
	d.key("esc")
	d.hasNot("Note:", "@alice.test")
	d.has("/bob", "esc clear filter")
	d.key("esc")
	d.has("@alice.test", "@bob.test", "@carol.test")
	d.hasNot("/bob")
}

// drawnFields is the login form's field labels in the order drawn.
var formLabels = []string{"Account", "Password", "Service"}

func drawnFields(t *testing.T, v string) []string {
	t.Helper()
	var order []string
	for _, l := range strings.Split(v, "\n") {
		for _, label := range formLabels {
			if strings.HasPrefix(strings.TrimSpace(l), label+" ") {
				order = append(order, label)
			}
		}
	}
	if len(order) != len(formLabels) {
		t.Fatalf("the form draws %v:\n%s", order, v)
	}
	return order
}

// fieldLine is the form's line of the field with this label.
func fieldLine(d *driver, label string) string {
	d.t.Helper()
	for _, l := range strings.Split(d.view(), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), label+" ") {
			return l
		}
	}
	d.t.Fatalf("no %s field", label)
	return ""
}

// Focus starts on the field drawn first, and tab goes down the form in
// the order it is drawn, shift+tab back up.
func TestLoginFocusFollowsTheDrawnOrder(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	d := w.start(ui.Options{})
	d.key("a")
	order := drawnFields(t, d.has("Add an account"))
	typed := map[string]string{}
	for i, label := range order {
		if i > 0 {
			d.key("tab")
		}
		text := strings.ToLower(label[:3]) + "typed"
		d.typ(text)
		typed[label] = text
	}
	for _, label := range order {
		l := fieldLine(d, label)
		want := typed[label]
		if label == "Password" {
			want = strings.Repeat("•", len(want))
		}
		if !strings.Contains(l, want) {
			t.Errorf("the %s field holds %q, not what was typed after %d tabs:\n%s", label, l, indexOf(order, label), d.redact(d.view()))
		}
	}
	// shift+tab from the first field goes round to the last.
	d.key("tab") // round to the first
	d.key("shift+tab")
	d.typ("X")
	if l := fieldLine(d, order[len(order)-1]); !strings.Contains(l, "X") {
		t.Errorf("shift+tab from %s did not reach %s: %q", order[0], order[len(order)-1], l)
	}
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// An app password pasted (with the line end a copied line brings) logs
// in, as do a pasted account, service and sign-in code.
func TestPasteFillsEveryField(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	alice := w.add(nil, "alice.test", false)
	w.add(nil, "carol.test", true)
	appPassword, err := w.srv.CreateAppPassword(alice.DID, "paste", false)
	if err != nil {
		t.Fatal(err)
	}
	d := w.start(ui.Options{})
	d.key("a")
	d.send(paste("alice.test"))
	d.key("tab")
	d.send(paste(appPassword + "\n"))
	d.key("tab")
	d.send(paste(w.srv.URL()))
	d.has("alice.test", w.srv.URL())
	if n := strings.Count(fieldLine(d, "Password"), "•"); n != len(appPassword) {
		t.Fatalf("the password field holds %d characters, want the %d pasted (the line end dropped)", n, len(appPassword))
	}
	d.key("enter")
	d.has("Added @alice.test")

	// The main password of a 2FA account asks for the emailed code.
	d.key("a")
	d.send(paste("carol.test"))
	d.key("tab")
	d.send(paste(password))
	d.key("tab")
	d.send(paste(w.srv.URL()))
	d.key("enter")
	d.has("A sign-in code was sent to your email")
	d.send(paste(w.srv.SignInCode(did("carol.test")) + "\r\n"))
	d.key("enter")
	d.has("Added @carol.test", "2 accounts")

	// The filter takes a paste; the list, not filtering, ignores one.
	d.send(paste("x"))
	d.has("@alice.test", "@carol.test")
	d.key("/")
	d.send(paste("carol\n"))
	d.has("/carol", "@carol.test")
	d.hasNot("@alice.test")
}
