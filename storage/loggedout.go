package storage

// What the file remembers of accounts logged out lately: their DID and
// handle, nothing else, so that an override (SKYSWITCH_ACCOUNT, --account)
// still naming one can say what happened, with both names.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/skyswitch/skyswitch/auth"
)

// LoggedOut is an account logged out here: its DID and handle then, and
// when. No token.
type LoggedOut struct {
	DID    string    `json:"did"`
	Handle string    `json:"handle"`
	At     time.Time `json:"at"`
}

// How much is remembered: the latest maxLoggedOut logouts, none older than
// loggedOutKept.
const (
	maxLoggedOut  = 20
	loggedOutKept = 30 * 24 * time.Hour
)

// NoteLoggedOut remembers that a was logged out at now (the latest first
// wins), and forgets what is too old or too many.
// A DID or handle the file could not hold is not remembered (a handle
// that is not one is left out).
func (s *State) NoteLoggedOut(a Account, now time.Time) {
	s.ForgetLoggedOut(a.DID)
	if !auth.ValidDID(a.DID) {
		return
	}
	l := LoggedOut{DID: a.DID, Handle: a.Handle, At: now.UTC()}
	if !auth.ValidHandle(l.Handle) {
		l.Handle = ""
	}
	s.LoggedOut = append(s.LoggedOut, l)
	s.LoggedOut = slices.DeleteFunc(s.LoggedOut, func(l LoggedOut) bool { return now.Sub(l.At) > loggedOutKept })
	if n := len(s.LoggedOut); n > maxLoggedOut {
		s.LoggedOut = slices.Delete(s.LoggedOut, 0, n-maxLoggedOut)
	}
	if len(s.LoggedOut) == 0 {
		s.LoggedOut = nil
	}
}

// ForgetLoggedOut drops what is remembered of did's logout (it is saved
// again).
func (s *State) ForgetLoggedOut(did string) {
	s.LoggedOut = slices.DeleteFunc(s.LoggedOut, func(l LoggedOut) bool { return l.DID == did })
	if len(s.LoggedOut) == 0 {
		s.LoggedOut = nil
	}
}

// WasLoggedOut finds the latest logout of the account ident names: a DID,
// or a handle with or without "@". An account saved now was not.
func (s *State) WasLoggedOut(ident string) (LoggedOut, bool) {
	ident = strings.TrimPrefix(strings.TrimSpace(ident), "@")
	for i := len(s.LoggedOut) - 1; i >= 0; i-- {
		l := s.LoggedOut[i]
		if l.DID != ident && (l.Handle == "" || !SameHandle(l.Handle, ident)) {
			continue
		}
		if _, saved := s.Account(l.DID); saved {
			return LoggedOut{}, false
		}
		return l, true
	}
	return LoggedOut{}, false
}

// validLoggedOut checks what the file remembers of logouts: a DID and a
// handle (or none) of the right syntax each, as they are shown in
// messages, and none for an account saved now.
func (s *State) validLoggedOut(saved map[string]bool) error {
	if len(s.LoggedOut) > 0 && s.Version < 4 {
		return fmt.Errorf("format version %d cannot hold loggedOut", s.Version)
	}
	for i, l := range s.LoggedOut {
		switch {
		case !auth.ValidDID(l.DID):
			return fmt.Errorf("loggedOut %d: missing or malformed did", i)
		case l.Handle != "" && !auth.ValidHandle(l.Handle):
			return fmt.Errorf("loggedOut %d: malformed handle", i)
		case saved[l.DID]:
			return fmt.Errorf("loggedOut %d: %s is a saved account", i, l.DID)
		}
	}
	return nil
}

// WasLoggedOut reads what the file remembers of the logout of the account
// ident names (see State.WasLoggedOut), without reading any tokens: the
// slow path of a name that finds no saved account.
func (s *Store) WasLoggedOut(ctx context.Context, ident string) (l LoggedOut, ok bool, err error) {
	release, err := s.readLock(ctx)
	if err != nil || release == nil {
		return l, false, err
	}
	defer release()
	err = s.mapped(func(data []byte) error {
		st, _, err := indexAccounts(s.path, data)
		if err == nil {
			l, ok = st.WasLoggedOut(ident)
		}
		return err
	})
	return l, ok, err
}
