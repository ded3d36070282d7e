package cli

// Issue 23, end to end in tmux: the switcher never changes or shows the
// identity wrongly. It opens on the active account, so enter pressed at
// once changes nothing; and a note about the active account follows a
// `skyswitch switch` made in another shell, as ● does.

import (
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

func TestTUIIdentityIsNeverShownWrongly(t *testing.T) {
	t.Parallel()
	srv := newProcServer(t, fakepds.Options{})
	for _, h := range []string{"alice.test", "bob.test", "carol.test"} {
		srv.AddAccount(fakepds.Account{Handle: h, Email: h + "@example.com", Password: testPassword})
	}
	p := newProcEnv(t, srv)
	for _, h := range []string{"alice.test", "bob.test", "carol.test"} {
		p.login(h) // carol, logged in last, is active: the third row
	}
	saved := func() *storage.State {
		t.Helper()
		st, err := storage.Open(p.path()).Load()
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	before := saved()

	tt := startTUI(t, p)
	tt.waitText("> ● @carol.test")
	tt.keys("Enter") // at once: the active account stays active
	tt.waitText("@carol.test is now the active account.")
	if st := saved(); st.Active != before.Active || st.Previous != before.Previous {
		t.Fatalf("enter pressed at once changed the identity: active %s, previous %s", st.Active, st.Previous)
	}

	tt.keys("k") // bob
	tt.waitText(">   @bob.test")
	tt.keys("Enter")
	tt.waitText("@bob.test is now the active account.")
	wantCode(t, p.run(nil, "switch", "alice.test"), exitOK) // another shell
	s := tt.waitText("@alice.test is now the active account (changed by another skyswitch).")
	if strings.Contains(s, "@bob.test is now the active account") || !strings.Contains(s, "● @alice.test") {
		t.Fatalf("the note or ● disagrees with the file:\n%s", s)
	}
	tt.keys("q")
	tt.until("q to end the program", tt.paneDead)
}
