package storage

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Handles are claims, the DID is the identity. Any server can answer a
// login or a refresh with any handle, another saved account's included, so
// a handle chooses an account only when exactly one saved account claims it
// and no check found it false (State.Choose). Whether a handle is really
// the account's is checked both ways elsewhere (accounts, auth); the file
// keeps the last outcome (Account.HandleCheck), so that list, token and the
// switcher know it without the network.

// Outcomes of checking a handle both ways (HandleCheck.Status).
const (
	// HandleVerified: the handle resolves to the account's DID, and the
	// DID document names the handle.
	HandleVerified = "verified"
	// HandleUnverified: a lookup that answered names another DID for the
	// handle, or the DID document names another handle. Such a handle
	// never chooses an account.
	HandleUnverified = "unverified"
	// HandleUnchecked: the lookups failed (offline, no record, a server
	// that did not answer). Nothing is marked.
	HandleUnchecked = "unchecked"
)

// HandleCheck is the last outcome of checking an account's handle both
// ways. It says something only about Handle: once the account's handle
// changes it no longer applies (Account.HandleStatus), and the next check
// replaces it. Written only when set: a file holding one is format
// version 3.
type HandleCheck struct {
	// Handle is the handle checked, lower-cased.
	Handle string `json:"handle"`
	// Status is HandleVerified, HandleUnverified or HandleUnchecked.
	Status string `json:"status"`
	// Names is, for HandleUnverified, what the lookup named instead: the
	// DID the handle resolves to ("did:…"), or the handle the DID
	// document names.
	Names string `json:"names,omitempty"`
	// At is when the lookups were made.
	At time.Time `json:"at,omitzero"`
}

// errHandleCheck: a HandleCheck without a handle or a known status.
const errHandleCheck = "want a handle and the status verified, unverified or unchecked"

// valid tells whether c names a handle and a known status.
func (c HandleCheck) valid() bool {
	switch c.Status {
	case HandleVerified, HandleUnverified, HandleUnchecked:
		return c.Handle != ""
	}
	return false
}

// HandleStatus is the outcome of the last check of a's current handle, and
// what it named instead when unverified; HandleUnchecked when there is none
// (never checked, or checked under another handle).
func (a *Account) HandleStatus() (status, names string) {
	c := a.HandleCheck
	if c.Status == "" || !SameHandle(c.Handle, a.Handle) {
		return HandleUnchecked, ""
	}
	return c.Status, c.Names
}

// SetHandleCheck stores the outcome of a check of the account's handle and
// reports whether it changed the file. It is dropped when the account is
// gone or its handle is no longer c.Handle (a refresh renamed it
// meanwhile). An unchecked outcome never replaces an answered one for the
// same handle: being offline says nothing against what a lookup said, and
// an unverified handle stays marked until a lookup says otherwise.
func (s *State) SetHandleCheck(did string, c HandleCheck) bool {
	a, ok := s.Account(did)
	if !ok || !SameHandle(a.Handle, c.Handle) {
		return false
	}
	c.Handle = strings.ToLower(c.Handle)
	if old, _ := a.HandleStatus(); c.Status == HandleUnchecked && old != HandleUnchecked {
		return false
	}
	a.HandleCheck = c
	return true
}

// SharedHandles maps each handle (lower-cased) that two or more saved
// accounts claim to their DIDs, in the file's order.
func (s *State) SharedHandles() map[string][]string {
	byHandle := make(map[string][]string, len(s.Accounts))
	shared := map[string][]string{}
	for i := range s.Accounts {
		h := strings.ToLower(s.Accounts[i].Handle)
		byHandle[h] = append(byHandle[h], s.Accounts[i].DID)
		if len(byHandle[h]) > 1 {
			shared[h] = byHandle[h]
		}
	}
	return shared
}

// ErrHandleChoice is wrapped by a *HandleError: a handle that cannot
// choose an account. The command line makes it a usage error.
var ErrHandleChoice = errors.New("a handle that cannot choose an account")

// HandleError says why a handle chooses no account: two or more saved
// accounts claim it (DIDs lists them), or its check found it false
// (Unverified; Names is what the lookup named instead). A DID always
// chooses.
type HandleError struct {
	Handle     string
	DIDs       []string
	Unverified bool
	Names      string
}

// maxListedDIDs bounds the DIDs a HandleError lists.
const maxListedDIDs = 5

// Error says which accounts, and to choose by DID.
func (e *HandleError) Error() string {
	if e.Unverified {
		what := "its DID document names @" + e.Names
		if strings.HasPrefix(e.Names, "did:") {
			what = "the handle resolves to " + e.Names
		}
		return fmt.Sprintf("@%s is not verified for %s (%s): a handle is only a claim, so choose the account by its DID", e.Handle, strings.Join(e.DIDs, ", "), what)
	}
	dids := e.DIDs
	more := ""
	if len(dids) > maxListedDIDs {
		dids, more = dids[:maxListedDIDs], fmt.Sprintf(" and %d more", len(e.DIDs)-maxListedDIDs)
	}
	return fmt.Sprintf("@%s names %d saved accounts (%s%s): a handle is only a claim, so choose one by its DID", e.Handle, len(e.DIDs), strings.Join(dids, ", "), more)
}

// Unwrap gives ErrHandleChoice.
func (e *HandleError) Unwrap() error { return ErrHandleChoice }

// Choose finds the account a DID or a handle names (a leading "@" is
// ignored; handles compare case-insensitively, DIDs exactly). A DID always
// chooses. A handle chooses only when exactly one saved account claims it
// and it is not unverified; otherwise the error is a *HandleError. ok is
// false, with no error, when nothing matches.
func (s *State) Choose(ident string) (a *Account, ok bool, err error) {
	match := matcher(ident)
	if match == nil {
		return nil, false, nil
	}
	var dids []string
	for i := range s.Accounts {
		if match(s.Accounts[i].DID, s.Accounts[i].Handle) {
			if a == nil {
				a = &s.Accounts[i]
			}
			dids = append(dids, s.Accounts[i].DID)
		}
	}
	if err := handleChoice(ident, a, dids); err != nil {
		return nil, false, err
	}
	return a, a != nil, nil
}

// handleChoice is Choose's verdict when ident found a first (nil for
// none) among the accounts of dids: nil, or why the handle cannot choose.
func handleChoice(ident string, a *Account, dids []string) error {
	if a == nil || isDID(ident) {
		return nil
	}
	if len(dids) > 1 {
		return &HandleError{Handle: strings.ToLower(a.Handle), DIDs: dids}
	}
	if status, names := a.HandleStatus(); status == HandleUnverified {
		return &HandleError{Handle: strings.ToLower(a.Handle), DIDs: dids, Unverified: true, Names: names}
	}
	return nil
}

// isDID tells whether ident, as matcher reads it, names a DID.
func isDID(ident string) bool {
	return strings.HasPrefix(strings.TrimPrefix(strings.TrimSpace(ident), "@"), "did:")
}

// HandleErrors says, once per handle and in the file's order, why each
// saved handle that chooses no account cannot: one *HandleError for each
// handle two or more accounts claim, and one for each unverified handle.
func (s *State) HandleErrors() []*HandleError {
	shared := s.SharedHandles()
	var out []*HandleError
	for i := range s.Accounts {
		a := &s.Accounts[i]
		h := strings.ToLower(a.Handle)
		if dids := shared[h]; len(dids) > 0 {
			if dids[0] == a.DID {
				out = append(out, &HandleError{Handle: h, DIDs: dids})
			}
			continue
		}
		if status, names := a.HandleStatus(); status == HandleUnverified {
			out = append(out, &HandleError{Handle: h, DIDs: []string{a.DID}, Unverified: true, Names: names})
		}
	}
	return out
}
