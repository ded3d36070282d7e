package cli

// What list and status say of the kind of session.

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// list and status say the kind of session, and an OAuth session's end.
func TestListAndStatusSayTheSession(t *testing.T) {
	e := newCLIEnv(t, fakepds.Options{})
	alice, bob := e.addAccount("alice.test"), e.addAccount("bob.test")
	e.login("bob.test")
	open, _ := fakeBrowser(t, func(u string) (string, error) { return e.srv.ApproveOAuth(u, alice.DID) })
	wantCode(t, e.oauthLogin(open, "alice.test"), exitOK)
	ends := e.account(alice.DID).OAuth.SessionEndsAt
	if want := e.clock.Now().Add(auth.OAuthSessionLimit); !ends.Equal(want) {
		t.Fatalf("the session ends at %v, want %v", ends, want)
	}
	for _, s := range e.listJSON() {
		switch s["did"] {
		case alice.DID:
			if s["session"] != "oauth" || s["sessionEndsAt"] != ends.Format("2006-01-02T15:04:05Z07:00") {
				t.Errorf("list --json, the OAuth account: session %v, sessionEndsAt %v", s["session"], s["sessionEndsAt"])
			}
		case bob.DID:
			if _, has := s["sessionEndsAt"]; s["session"] != "password" || has {
				t.Errorf("list --json, the password account: session %v, sessionEndsAt %v", s["session"], s["sessionEndsAt"])
			}
		}
	}
	r := e.run("", "status", "--json")
	wantCode(t, r, exitOK)
	var st map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil || st["session"] != "oauth" || st["sessionEndsAt"] == nil {
		t.Errorf("status --json: %v %v", st, err)
	}
	r = e.run("", "status")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "Session:") || !strings.Contains(r.stdout, "OAuth, ends in 14d") {
		t.Errorf("status: %s", r)
	}
	r = e.run("", "list")
	wantCode(t, r, exitOK)
	lines := strings.Split(r.stdout, "\n")
	if !strings.Contains(lines[0], "SESSION") || !strings.Contains(lines[1], "oauth 14d") || !strings.Contains(lines[2], "password") {
		t.Errorf("list: %s", r)
	}
}
