package auth

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestServerTextIsMadeHarmless(t *testing.T) {
	base := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(400)
		w.Write([]byte(`{"error":"Expired\u001b[2JToken","message":"bad \u001b]0;pwned\u0007 token\u009b31m \u202eevil\r\nnext"}`))
	})
	err := (&Client{}).Query(context.Background(), base, "x.y.z", "", nil, nil)
	var xe *Error
	if !errors.As(err, &xe) {
		t.Fatal(err)
	}
	if xe.Name != "Expired2JToken" {
		t.Errorf("name %q", xe.Name)
	}
	for _, bad := range []string{"\x1b", "\a", "\u009b", "\u202e", "\r", "\n"} {
		if strings.Contains(err.Error(), bad) {
			t.Errorf("error text keeps %q: %q", bad, err.Error())
		}
	}
}

func TestApplyWireCleansIdentity(t *testing.T) {
	var d SessionData
	// The email passes the one rule every sink applies (internal/sanitize):
	// made visible, the zero-width space too, which login's own filter
	// once let through.
	applyWire(&d, wireSession{DID: "did:plc:abc", Handle: "Evil\x1b[31m.test", Email: "a\x1b[0m@b\u200b.c", Status: "deactivated\x1b[5m"})
	if d.Handle != "handle.invalid" || d.Email != `a\x1b[0m@b\u200b.c` || d.Status != "deactivated5m" {
		t.Fatalf("got handle %q email %q status %q", d.Handle, d.Email, d.Status)
	}
	applyWire(&d, wireSession{DID: "did:plc:abc", Handle: "Alice.Test"})
	if d.Handle != "alice.test" {
		t.Fatalf("valid handle: %q", d.Handle)
	}
}
