package storage

import (
	"context"
	"runtime/debug"
	"strings"
)

// LoadAccount returns the account that Load followed by State.Find(ident)
// would return (ident "" means the active account), and ok false when none
// matches. It checks the whole file as Load does and fails whenever Load
// would, but copies out only that one account, from a memory mapping of the
// file: `skyswitch token` needs one account of perhaps a thousand.
func (s *Store) LoadAccount(ctx context.Context, ident string) (a *Account, ok bool, err error) {
	release, err := s.readLock(ctx)
	if err != nil || release == nil {
		return nil, false, err
	}
	defer release()
	var keyringID string
	err = s.mapped(func(data []byte) (err error) {
		a, keyringID, ok, err = decodeOne(s.path, data, ident)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	if ok && a.Secrets == SecretsKeyring {
		// Only now, and only for an account kept there: a file
		// without such accounts never connects to the keyring.
		if err := s.fetchSecrets(ctx, keyringID, a); err != nil {
			s.warnOnce("cannot read the tokens of @%s: %v", a.Handle, err)
		}
	}
	return a, ok, nil
}

// decodeOne is decode for one account: every account is read and checked
// as decode does, but in borrow mode, and only the one that matches ident is
// decoded again into copies, so nothing returned points into data. It also
// returns the file's KeyringID.
func decodeOne(path string, data []byte, ident string) (*Account, string, bool, error) {
	type entry struct {
		did, handle string // borrowed from data
		start, end  int
	}
	var (
		r       = &reader{data: data, borrow: true}
		st      = new(State) // all but the accounts
		entries []entry
		scratch Account
	)
	err := r.document(path, st, func() {
		start := r.pos
		scratch = Account{}
		r.account(&scratch)
		entries = append(entries, entry{scratch.DID, scratch.Handle, start, r.pos})
	})
	if err != nil {
		return nil, "", false, err
	}
	err = st.validateWith(func(yield func(int, string) bool) {
		for i, e := range entries {
			if !yield(i, e.did) {
				return
			}
		}
	})
	if err != nil {
		return nil, "", false, fileErr(path, ErrCorrupt, "%v", err)
	}
	match := matcher(ident)
	if ident == "" && st.Active != "" {
		match = matcher(st.Active)
	}
	if match == nil {
		return nil, "", false, nil
	}
	for _, e := range entries {
		if !match(e.did, e.handle) {
			continue
		}
		a := new(Account)
		r := &reader{data: data[:e.end], pos: e.start}
		if r.account(a); r.err != nil { // cannot happen: the first pass read it
			return nil, "", false, fileErr(path, ErrCorrupt, "%v", r.err)
		}
		// st is borrowed from data; the keyring call may outlive it.
		return a, strings.Clone(st.KeyringID), true, nil
	}
	return nil, "", false, nil
}

// mapped calls read with the accounts file's bytes, mapped into memory
// (see mapFile), which read must not keep: they are gone when it returns.
// It does not call read when there is no file. A file cut short in place
// while mapped (by another program: skyswitch only ever renames a new file
// over it) faults when read; SetPanicOnFault turns that into a panic
// recovered here, and an error, instead of a crash.
func (s *Store) mapped(read func(data []byte) error) (err error) {
	f, size, err := s.open()
	if err != nil || f == nil {
		return err
	}
	defer f.Close()
	data, unmap, err := mapFile(f, size)
	if err != nil {
		return s.readErr(err)
	}
	defer unmap()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			if _, fault := p.(interface{ Addr() uintptr }); !fault {
				panic(p)
			}
			err = fileErr(s.path, ErrCorrupt, "it was cut short while being read")
		}
	}()
	testHookMapped()
	return read(data)
}

// testHookMapped, set only by tests, runs once LoadAccount has mapped the
// file, so a test can cut the file short under the mapping.
var testHookMapped = func() {}
