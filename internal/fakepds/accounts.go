package fakepds

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"
)

// signInCodeLifetime is how long an emailed 2FA code is accepted.
const signInCodeLifetime = 15 * time.Minute

// Account statuses, as in the status field of session answers.
const (
	StatusActive      = ""
	StatusDeactivated = "deactivated"
	StatusTakendown   = "takendown"
)

// Account is an account on the server. Password is its main password;
// app passwords are added with CreateAppPassword.
type Account struct {
	DID             string
	Handle          string
	Email           string
	Password        string
	EmailConfirmed  bool
	EmailAuthFactor bool // email 2FA: logging in with Password needs a sign-in code
}

type account struct {
	Account
	takendown    bool
	deactivated  bool
	appPasswords []appPassword
	signInCode   string // the last 2FA code sent, "" once used
	signInExpiry time.Time
	signingKey   string // publicKeyMultibase of the DID document
	pds          *string
	// sessionHandle, when set, is the handle session answers name (see
	// SetSessionHandle).
	sessionHandle string
}

type appPassword struct {
	name       string
	password   string
	privileged bool
	createdAt  time.Time
}

// AddAccount stores an account and returns it as stored. An empty DID gets a
// generated did:plc:<24 base32 characters>, an empty Handle a generated
// user<N>.test; the handle is lower-cased. Adding a DID that exists replaces
// its fields (its sessions and app passwords are kept). AddAccount panics if
// the handle belongs to another account: that is a mistake in the test.
func (s *Server) AddAccount(a Account) Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addAccount(a).Account
}

// addAccount is AddAccount for callers holding s.mu.
func (s *Server) addAccount(a Account) *account {
	if a.DID == "" {
		a.DID = "did:plc:" + randomString(lowerBase32, 24)
	}
	if a.Handle == "" {
		a.Handle = fmt.Sprintf("user%d.test", len(s.accounts)+1)
	}
	a.Handle = strings.ToLower(a.Handle)
	if owner, ok := s.handles[a.Handle]; ok && owner != a.DID {
		panic("fakepds: handle " + a.Handle + " already belongs to " + owner)
	}
	acct, ok := s.accounts[a.DID]
	if ok {
		delete(s.handles, acct.Handle)
		acct.Account = a
	} else {
		acct = &account{Account: a, signingKey: "zQ3sh" + randomString(base58, 44)}
		s.accounts[a.DID] = acct
	}
	s.handles[a.Handle] = a.DID
	s.remember(a.Password)
	return acct
}

// Account returns the stored account with this DID.
func (s *Server) Account(did string) (Account, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.accounts[did]; ok {
		return a.Account, true
	}
	return Account{}, false
}

// Status is the account's status: StatusActive, StatusDeactivated or
// StatusTakendown ("" also for an unknown DID).
func (s *Server) Status(did string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.accounts[did]; ok {
		return a.status()
	}
	return StatusActive
}

func (a *account) status() string {
	switch {
	case a.takendown:
		return StatusTakendown
	case a.deactivated:
		return StatusDeactivated
	}
	return StatusActive
}

// CreateAppPassword adds an app password to an account and returns it, in
// the form xxxx-xxxx-xxxx-xxxx. Logging in with it gives tokens of scope
// com.atproto.appPass, or com.atproto.appPassPrivileged when privileged.
func (s *Server) CreateAppPassword(did, name string, privileged bool) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[did]
	if !ok {
		return "", fmt.Errorf("no account %s", did)
	}
	ap, err := a.addAppPassword(name, privileged, s.now())
	s.remember(ap.password)
	return ap.password, err
}

// Errors of addAppPassword.
var (
	errNoAppPasswordName    = errors.New("app password name is empty")
	errDuplicateAppPassword = errors.New("app password name already in use")
)

func (a *account) addAppPassword(name string, privileged bool, now time.Time) (appPassword, error) {
	if strings.TrimSpace(name) == "" {
		return appPassword{}, errNoAppPasswordName
	}
	for _, ap := range a.appPasswords {
		if ap.name == name {
			return appPassword{}, errDuplicateAppPassword
		}
	}
	var groups []string
	for range 4 {
		groups = append(groups, randomString(lowerBase32, 4))
	}
	ap := appPassword{name, strings.Join(groups, "-"), privileged, now}
	a.appPasswords = append(a.appPasswords, ap)
	return ap, nil
}

// RevokeAppPassword deletes an app password and revokes the sessions logged
// in with it (their access tokens keep working until they expire, as on the
// real server). It reports whether the app password existed.
func (s *Server) RevokeAppPassword(did, name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[did]
	if !ok {
		return false
	}
	for i, ap := range a.appPasswords {
		if ap.name == name {
			a.appPasswords = append(a.appPasswords[:i], a.appPasswords[i+1:]...)
			for _, rec := range s.refresh {
				if rec.fam.did == did && rec.fam.appPassword == name {
					rec.fam.revoked = true
				}
			}
			return true
		}
	}
	return false
}

// Takedown takes the account down: logging in and refreshing then fail with
// 401 AccountTakedown, and its access tokens with 400 InvalidRequest "Could
// not find user info for account: <did>" (as on the reference PDS). There is
// no undoing it. Unknown DIDs are ignored.
func (s *Server) Takedown(did string) { s.setFlag(did, func(a *account) { a.takendown = true }) }

// Deactivate deactivates the account: it can still log in, with
// active:false and status "deactivated". Unknown DIDs are ignored.
func (s *Server) Deactivate(did string) { s.setFlag(did, func(a *account) { a.deactivated = true }) }

// Reactivate undoes Deactivate (not Takedown). Unknown DIDs are ignored.
func (s *Server) Reactivate(did string) { s.setFlag(did, func(a *account) { a.deactivated = false }) }

func (s *Server) setFlag(did string, set func(*account)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.accounts[did]; ok {
		set(a)
	}
}

// SignInCode is the last email 2FA code "sent" to the account and not yet
// used, or "" if none.
func (s *Server) SignInCode(did string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.accounts[did]; ok {
		return a.signInCode
	}
	return ""
}

// lookup finds an account by login identifier: handle, email or DID,
// case-insensitively. Like the reference PDS it takes anything with an "@"
// for an email address (so "@alice.test" matches nothing). Callers hold s.mu.
func (s *Server) lookup(identifier string) *account {
	id := strings.ToLower(identifier)
	if strings.HasPrefix(id, "did:") {
		return s.accounts[id]
	}
	if strings.Contains(id, "@") {
		for _, a := range s.accounts {
			if a.Email != "" && strings.ToLower(a.Email) == id {
				return a
			}
		}
		return nil
	}
	if did, ok := s.handles[id]; ok {
		return s.accounts[did]
	}
	return nil
}

// checkPassword tells whether password is the account's main password or
// one of its app passwords; for an app password it returns it.
func (a *account) checkPassword(password string) (ok bool, ap *appPassword) {
	if a.Password != "" && subtle.ConstantTimeCompare([]byte(password), []byte(a.Password)) == 1 {
		return true, nil
	}
	for i := range a.appPasswords {
		if subtle.ConstantTimeCompare([]byte(password), []byte(a.appPasswords[i].password)) == 1 {
			return true, &a.appPasswords[i]
		}
	}
	return false, nil
}

const (
	lowerBase32 = "abcdefghijklmnopqrstuvwxyz234567"
	upperBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	base58      = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
)

// randomString draws n characters of alphabet from crypto/rand.
func randomString(alphabet string, n int) string {
	b := randomBytes(n)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	return b
}
