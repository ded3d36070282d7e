package cli

// A server that answers a login or a refresh of alice with bob's working
// tokens (fakepds.FaultSubMismatch): skyswitch refuses them, saves none,
// and exec never hands one out under alice's ATP_DID.

import (
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
)

func TestExecNeverHandsOutAnotherAccountsToken(t *testing.T) {
	t.Parallel()
	needTools(t, "sh")
	e := newCLIEnv(t, fakepds.Options{Grace: fakepds.NoGrace})
	alice, bob := e.addAccount("alice.test"), e.addAccount("bob.test")
	e.login("bob.test")
	e.login("alice.test")
	before := e.account(alice.DID)
	e.clock.Set(e.clock.Now().Add(fakepds.DefaultAccessLifetime - 9*time.Minute)) // exec refreshes first
	e.srv.Inject(nsidRefresh, fakepds.Fault{Kind: fakepds.FaultSubMismatch, DID: bob.DID, Times: 1})
	r := e.runWith(nil, "exec", "--", "sh", "-c", `echo ran "$ATP_DID"`)
	wantError(t, r, exitFailure, "tokens for another account ("+bob.DID+")")
	if strings.Contains(r.stdout, "ran") {
		t.Errorf("the command ran:\n%s", r)
	}
	if a := e.account(alice.DID); a.AccessJwt != before.AccessJwt || a.RefreshJwt != before.RefreshJwt {
		t.Error("alice's saved tokens changed")
	}
	for tok := range e.tokens {
		if sub := subjectOf(t, tok); sub != alice.DID && sub != bob.DID {
			t.Errorf("a saved token names %s", sub)
		}
	}
	if a := e.account(alice.DID); subjectOf(t, a.AccessJwt) != alice.DID || subjectOf(t, a.RefreshJwt) != alice.DID {
		t.Error("alice's saved tokens are not alice's")
	}
}

func TestCLILoginRefusesAnotherAccountsTokens(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	e.addAccount("alice.test")
	bob := e.addAccount("bob.test")
	e.srv.Inject(nsidCreate, fakepds.Fault{Kind: fakepds.FaultSubMismatch, DID: bob.DID, Times: 1})
	r := e.run(testPassword+"\n", "login", "--service", e.srv.URL(), "--identifier", "alice.test", "--password-stdin")
	wantError(t, r, exitFailure, "tokens for another account ("+bob.DID+")")
	if st := e.state(); len(st.Accounts) != 0 {
		t.Errorf("a refused login saved %d accounts", len(st.Accounts))
	}
}

// subjectOf is a saved token's sub claim.
func subjectOf(t *testing.T, tok string) string {
	t.Helper()
	c, err := auth.ParseClaims(tok)
	if err != nil {
		t.Fatal(err)
	}
	return c.Subject
}
