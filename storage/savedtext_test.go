package storage

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/sanitize"
)

// What the file keeps of an error follows the terminal's rule: a refresh
// error or a failed revocation quoting escapes is saved with them made
// visible, on one line, and cut to size.
func TestSavedErrorsAreSanitized(t *testing.T) {
	hostile := "x509: certificate is valid for \x1b]0;pwned\x07, \x1b]52;c;ZXZpbA==\x07\n\u202eevil\u200b " + strings.Repeat("é", 600)
	st := NewState()
	st.Upsert(Account{SessionData: auth.SessionData{DID: "did:plc:a", Handle: "a.test", RefreshJwt: "r1"}})
	at := time.Unix(1_800_000_000, 0).UTC()
	if !st.RecordRefreshError("did:plc:a", "r1", hostile, at) {
		t.Fatal("not recorded")
	}
	st.QueueLogout(auth.SessionData{DID: "did:plc:b", RefreshJwt: "r2"}, at)
	p, _ := st.PendingLogout("r2")
	p.RecordAttempt(errors.New(hostile), at)

	a, _ := st.Account("did:plc:a")
	for name, got := range map[string]string{"lastRefreshError": a.LastRefreshError, "lastError": p.LastError} {
		for _, r := range got {
			if sanitize.Unsafe(r) || r == '\n' {
				t.Errorf("%s keeps %U: %q", name, r, got)
				break
			}
		}
		if !strings.Contains(got, `\x1b]0;pwned\a`) {
			t.Errorf("%s does not show the escape as text: %q", name, got)
		}
		if len(got) > maxSavedText+len("…") {
			t.Errorf("%s is %d bytes", name, len(got))
		}
	}
	if p.Attempts != 1 || !p.LastAttemptAt.Equal(at) {
		t.Errorf("attempt not counted: %+v", p)
	}
}
