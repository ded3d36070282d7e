package storage

import (
	"encoding/json"

	"github.com/skyswitch/skyswitch/auth"
)

// decode parses and validates an accounts document. Every failure is a
// *FileError naming path; none quotes the content.
func decode(path string, data []byte) (*State, error) {
	r := &reader{data: data}
	st := new(State)
	err := r.document(path, st, func() {
		st.Accounts = append(st.Accounts, Account{})
		r.account(&st.Accounts[len(st.Accounts)-1])
	})
	if err != nil {
		return nil, err
	}
	if err := st.validate(); err != nil {
		return nil, fileErr(path, ErrCorrupt, "%v", err)
	}
	return st, nil
}

// document reads a whole accounts document into st, except that each
// element of its accounts array is handed to account (which reads it), and
// checks the format version.
func (r *reader) document(path string, st *State, account func()) error {
	switch r.peek() {
	case 0:
		return fileErr(path, ErrCorrupt, "empty file")
	case '{':
	default:
		return fileErr(path, ErrCorrupt, "not a JSON object")
	}
	r.state(st, account)
	if r.err == nil && r.peek() != 0 {
		r.fail("invalid JSON: data after the document")
	}
	if r.err != nil {
		// A newer file is "too new", not "corrupt", even when this
		// build cannot parse the rest of it.
		if v, ok := versionOf(r.data); ok && v > CurrentVersion {
			return tooNew(path, v)
		}
		return fileErr(path, ErrCorrupt, "%v", r.err)
	}
	switch {
	case st.Version > CurrentVersion:
		return tooNew(path, st.Version)
	case st.Version == 0:
		return fileErr(path, ErrCorrupt, "no version field")
	case st.Version < 0:
		return fileErr(path, ErrCorrupt, "format version %d is not valid", st.Version)
	}
	if err := st.checkSecrets(r.keyring); err != nil {
		return fileErr(path, ErrCorrupt, "%v", err)
	}
	return nil
}

func tooNew(path string, v int) error {
	return fileErr(path, ErrTooNew, "format version %d, this build knows up to %d; upgrade skyswitch", v, CurrentVersion)
}

// versionOf reads only the version field of a document, leniently.
func versionOf(data []byte) (int, bool) {
	var head struct {
		Version int `json:"version"`
	}
	if json.Unmarshal(data, &head) != nil {
		return 0, false
	}
	return head.Version, true
}

func (r *reader) state(st *State, account func()) {
	r.object(func(key []byte) uint32 {
		switch string(key) {
		case "version":
			st.Version = r.integer()
			return 1 << 0
		case "active":
			st.Active = r.str()
			return 1 << 1
		case "previous":
			st.Previous = r.str()
			return 1 << 2
		case "accounts":
			r.array(func(int) { account() })
			return 1 << 3
		case "secrets":
			st.Secrets = r.str()
			return 1 << 5
		case "keyringId":
			st.KeyringID = r.str()
			return 1 << 6
		case "pendingLogouts":
			r.array(func(int) {
				st.PendingLogouts = append(st.PendingLogouts, PendingLogout{})
				r.pending(&st.PendingLogouts[len(st.PendingLogouts)-1])
			})
			return 1 << 4
		}
		return 0
	})
}

func (r *reader) account(a *Account) {
	r.object(func(key []byte) uint32 {
		switch string(key) {
		case "addedAt":
			a.AddedAt = r.timestamp()
			return 1 << 20
		case "lastUsedAt":
			a.LastUsedAt = r.timestamp()
			return 1 << 21
		case "lastRefreshError":
			a.LastRefreshError = r.str()
			return 1 << 22
		case "lastRefreshErrorAt":
			a.LastRefreshErrorAt = r.timestamp()
			return 1 << 23
		case "sessionEnded":
			a.SessionEnded = r.boolean()
			return 1 << 24
		case "secrets":
			a.Secrets = r.str()
			if a.Secrets == SecretsKeyring {
				r.keyring = true
			} else if a.Secrets != "" {
				r.fail("unknown secrets store")
			}
			return 1 << 25
		case "secretsTag":
			a.SecretsTag = r.str()
			r.keyring = true
			return 1 << 26
		}
		return r.sessionField(key, &a.SessionData)
	})
}

func (r *reader) pending(p *PendingLogout) {
	r.object(func(key []byte) uint32 {
		switch string(key) {
		case "session":
			r.object(func(key []byte) uint32 { return r.sessionField(key, &p.Session) })
			return 1 << 0
		case "queuedAt":
			p.QueuedAt = r.timestamp()
			return 1 << 1
		case "attempts":
			p.Attempts = r.integer()
			return 1 << 2
		case "lastError":
			p.LastError = r.str()
			return 1 << 3
		case "lastAttemptAt":
			p.LastAttemptAt = r.timestamp()
			return 1 << 4
		}
		return 0
	})
}

// sessionField decodes one key of auth.SessionData (bits 0–12).
func (r *reader) sessionField(key []byte, d *auth.SessionData) uint32 {
	switch string(key) {
	case "accessJwt":
		d.AccessJwt = r.str()
		return 1 << 0
	case "refreshJwt":
		d.RefreshJwt = r.str()
		return 1 << 1
	case "did":
		d.DID = r.str()
		return 1 << 2
	case "handle":
		d.Handle = r.str()
		return 1 << 3
	case "email":
		d.Email = r.str()
		return 1 << 4
	case "emailConfirmed":
		d.EmailConfirmed = r.boolean()
		return 1 << 5
	case "emailAuthFactor":
		d.EmailAuthFactor = r.boolean()
		return 1 << 6
	case "active":
		d.Active = r.boolean()
		return 1 << 7
	case "status":
		d.Status = r.str()
		return 1 << 8
	case "didDoc":
		d.DIDDoc = r.raw()
		return 1 << 9
	case "service":
		d.Service = r.str()
		return 1 << 10
	case "pdsUrl":
		d.PDSURL = r.str()
		return 1 << 11
	case "refreshedAt":
		d.RefreshedAt = r.timestamp()
		return 1 << 12
	}
	return 0
}
