package ui_test

// What a new user trips on: pastes (their own message in Bubble Tea v2)
// must reach every text field.

import (
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/ui"
)

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
