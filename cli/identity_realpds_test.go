package cli

// Issue 23's points 6 and 2 against the real reference PDS, in tmux: the
// switcher opens on the active account, and a note about the active
// account follows a switch made in another shell.

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestRealPDSTUIIdentityIsNeverShownWrongly(t *testing.T) {
	t.Parallel()
	r := newRealLogout(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	alice, _ := r.account(ctx, "alice")
	bob, _ := r.account(ctx, "bob")
	carol, carolDID := r.account(ctx, "carol") // logged in last: active, the third row
	before := r.state()

	tt := startPane(t, r.procEnv, append(r.env(), r.bin)...)
	// Point 6: the cursor opens on the active account, so enter at once
	// changes nothing.
	tt.waitFor("the cursor on the active account", regexp.MustCompile(`(?m)^> ● @`+regexp.QuoteMeta(carol)+` `).MatchString)
	tt.keys("Enter")
	tt.waitText("@" + carol + " is now the active account.")
	if st := r.state(); st.Active != carolDID || st.Active != before.Active || st.Previous != before.Previous {
		t.Fatalf("enter pressed at once changed the identity: active %s, previous %s", st.Active, st.Previous)
	}

	// Point 2: enter on bob, then another shell switches to alice; the
	// note must not go on saying bob is active.
	tt.keys("k")
	tt.waitText(">   @" + bob)
	tt.keys("Enter")
	tt.waitText("@" + bob + " is now the active account.")
	wantCode(t, r.run("switch", alice), exitOK)
	// Long handles wrap the note: it is read with its lines joined.
	note := "@" + alice + " is now the active account (changed by another skyswitch)."
	s := tt.waitFor(note, func(s string) bool { return strings.Contains(flatNote(s), note) })
	if strings.Contains(flatNote(s), "@"+bob+" is now the active account") || !strings.Contains(s, "● @"+alice) {
		t.Fatalf("the note or ● disagrees with the file:\n%s", s)
	}
	tt.keys("q")
	tt.until("q to end the program", tt.paneDead)
}

// flatNote is a screen with its note's frame and line breaks made single
// spaces, so a note that wraps reads as one line.
func flatNote(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "│", " ")), " ")
}
