package storage

import (
	"fmt"
	"testing"
	"time"
)

// A logout is remembered by DID and handle, found by either, forgotten
// when the account is saved again, bounded in number and age, and written
// as version 4 (older builds refuse it rather than drop it).
func TestLoggedOutIsRemembered(t *testing.T) {
	now := time.Date(2026, 12, 7, 17, 0, 0, 0, time.UTC)
	st := three()
	a, _ := st.Remove("did:plc:a")
	st.NoteLoggedOut(a, now)
	for _, ident := range []string{"did:plc:a", "a.bsky.social", "@A.bsky.social"} {
		if l, ok := st.WasLoggedOut(ident); !ok || l.DID != "did:plc:a" || l.Handle != "a.bsky.social" || !l.At.Equal(now) {
			t.Errorf("WasLoggedOut(%q) = %+v, %v", ident, l, ok)
		}
	}
	if _, ok := st.WasLoggedOut("b.bsky.social"); ok {
		t.Error("a saved account was logged out")
	}
	if st.formatVersion() != 4 {
		t.Errorf("format version %d, want 4", st.formatVersion())
	}
	st.Version = st.formatVersion()
	data, err := encode(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	back, err := decode("accounts.json", data)
	if err != nil || len(back.LoggedOut) != 1 || back.LoggedOut[0] != st.LoggedOut[0] {
		t.Fatalf("read back: %+v, %v", back.LoggedOut, err)
	}

	st.Upsert(a) // logged in again
	if _, ok := st.WasLoggedOut("did:plc:a"); ok || st.LoggedOut != nil || st.formatVersion() == 4 {
		t.Errorf("still remembered after a new login: %+v", st.LoggedOut)
	}

	// A handle the file could not hold is left out; the DID is kept.
	var odd Account
	odd.DID, odd.Handle = "did:plc:odd", "\x1b[2Jodd"
	st.NoteLoggedOut(odd, now)
	if l, ok := st.WasLoggedOut("did:plc:odd"); !ok || l.Handle != "" {
		t.Errorf("odd handle: %+v %v", l, ok)
	}

	// The latest maxLoggedOut, none older than loggedOutKept.
	for i := range maxLoggedOut + 5 {
		var x Account
		x.DID, x.Handle = fmt.Sprintf("did:plc:x%d", i), fmt.Sprintf("x%d.test", i)
		st.NoteLoggedOut(x, now.Add(time.Duration(i)*time.Minute))
	}
	if len(st.LoggedOut) != maxLoggedOut || st.LoggedOut[0].DID != "did:plc:x5" {
		t.Errorf("%d remembered, the oldest %s", len(st.LoggedOut), st.LoggedOut[0].DID)
	}
	var late Account
	late.DID, late.Handle = "did:plc:late", "late.test"
	st.NoteLoggedOut(late, now.Add(loggedOutKept+time.Hour))
	if len(st.LoggedOut) != 1 || st.LoggedOut[0].DID != "did:plc:late" {
		t.Errorf("after %v: %+v", loggedOutKept, st.LoggedOut)
	}
}
