package storage

import (
	"fmt"
	"iter"
	"strings"

	"github.com/skyswitch/skyswitch/auth"
)

// MaxFileSize is the largest accounts file Load reads; a larger one is
// refused with ErrTooLarge instead of being read into memory. A thousand
// accounts take about 1.7 MB.
const MaxFileSize = 64 << 20

// validate checks the invariants every stored state keeps.
func (s *State) validate() error { return s.validateSessions(true) }

// validateSessions is validate; with oauth false it leaves out the
// accounts' OAuth sessions, which decode's fieldCheck has just checked.
func (s *State) validateSessions(oauth bool) error {
	err := s.validateWith(len(s.Accounts), func(yield func(int, string) bool) {
		for i := range s.Accounts {
			if !yield(i, s.Accounts[i].DID) {
				return
			}
		}
	})
	if err != nil {
		return err
	}
	keyring := false
	for i := range s.Accounts {
		if c := s.Accounts[i].HandleCheck; c != (HandleCheck{}) && !c.valid() {
			return fmt.Errorf("account %d: handleCheck: %s", i, errHandleCheck)
		}
		if err := s.checkAccountSession(i, oauth); err != nil {
			return err
		}
		switch s.Accounts[i].Secrets {
		case "":
		case SecretsKeyring:
			keyring = true
		default:
			return fmt.Errorf("account %d: unknown secrets store", i)
		}
	}
	return s.checkSecrets(keyring)
}

// checkSecrets checks the keyring fields, keyring telling whether some
// account keeps its tokens there.
func (s *State) checkSecrets(keyring bool) error {
	switch {
	case s.Secrets != "" && s.Secrets != SecretsKeyring:
		return fmt.Errorf("unknown secrets store")
	case keyring && s.KeyringID == "":
		return fmt.Errorf("an account keeps its tokens in the keyring, but keyringId is missing")
	case s.Version < 2 && (keyring || s.Secrets != "" || s.KeyringID != ""):
		return fmt.Errorf("format version %d cannot hold the keyring fields", s.Version)
	}
	return nil
}

// checkAccountSession is checkSession for account i, when oauth.
func (s *State) checkAccountSession(i int, oauth bool) error {
	if !oauth {
		return nil
	}
	if err := s.checkSession(&s.Accounts[i].SessionData); err != nil {
		return fmt.Errorf("account %d: %w", i, err)
	}
	return nil
}

// checkSession checks what a session holds of OAuth, if anything, and
// that the document's version can hold it.
func (s *State) checkSession(d *auth.SessionData) error {
	if d.OAuth == nil {
		return nil
	}
	if err := checkOAuthVersion(s.Version); err != nil {
		return err
	}
	return checkOAuth(d.OAuth, d.RefreshJwt != "")
}

// validateWith is validate with the accounts' DIDs given by dids, n of
// them, for a state whose accounts were checked but not kept (decodeOne).
func (s *State) validateWith(n int, dids iter.Seq2[int, string]) error {
	if s.Version < 1 || s.Version > knownVersion {
		return fmt.Errorf("version %d, want 1 to %d", s.Version, knownVersion)
	}
	seen := make(map[string]bool, n)
	for i, did := range dids {
		if !strings.HasPrefix(did, "did:") {
			return fmt.Errorf("account %d: missing or malformed did", i)
		}
		if seen[did] {
			return fmt.Errorf("account %d: duplicate did %s", i, shownDID(did))
		}
		seen[did] = true
	}
	if s.Active != "" && !seen[s.Active] {
		return fmt.Errorf("active identity %s is not a saved account", shownDID(s.Active))
	}
	if s.Previous != "" && (!seen[s.Previous] || s.Previous == s.Active) {
		return fmt.Errorf("previous identity %s is not a saved inactive account", shownDID(s.Previous))
	}
	for i, p := range s.PendingLogouts {
		if p.Session.RefreshJwt == "" {
			return fmt.Errorf("pending logout %d: no refresh token", i)
		}
		if p.Attempts < 0 {
			return fmt.Errorf("pending logout %d: negative attempts", i)
		}
		if err := s.checkSession(&p.Session); err != nil {
			return fmt.Errorf("pending logout %d: %w", i, err)
		}
	}
	return s.validLoggedOut(seen)
}

// shownDID is did for an error message when it looks like a DID, and a
// placeholder when it does not: a file's content that may be a token is
// never quoted.
func shownDID(did string) string {
	rest, ok := strings.CutPrefix(did, "did:")
	if !ok || len(did) > 256 || strings.Contains(did, "eyJ") || strings.Contains(did, keyStart) {
		return "(not a DID)"
	}
	for _, c := range []byte(rest) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(":._%-", c) >= 0) {
			return "(not a DID)"
		}
	}
	return did
}
