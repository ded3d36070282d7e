package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"runtime/debug"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// LoadAccount returns the account that Load followed by State.Choose(ident)
// would return (ident "" means the active account), and ok false when none
// matches: a handle that two saved accounts claim, or an unverified one,
// gives Choose's *HandleError. It checks the whole file as Load does and
// fails whenever Load would, but copies out only that one account, from a
// memory mapping of the file: `skyswitch token` needs one account of
// perhaps a thousand. It never looks a handle up on the network: it reads
// the outcome of the last check from the file.
func (s *Store) LoadAccount(ctx context.Context, ident string) (a *Account, ok bool, err error) {
	a, _, ok, err = s.loadAccount(ctx, ident, false)
	return a, ok, err
}

// LoadAccountClaims is LoadAccount that also returns the DIDs of the other
// saved accounts that claim the returned account's handle (as
// State.SharedHandles would have them), from the same reading of the file:
// `skyswitch prompt` marks a handle that chooses nothing without decoding
// the other accounts.
func (s *Store) LoadAccountClaims(ctx context.Context, ident string) (a *Account, others []string, ok bool, err error) {
	return s.loadAccount(ctx, ident, true)
}

func (s *Store) loadAccount(ctx context.Context, ident string, claims bool) (a *Account, others []string, ok bool, err error) {
	release, err := s.readLock(ctx)
	if err != nil || release == nil {
		return nil, nil, false, err
	}
	defer release()
	var keyringID string
	err = s.mapped(func(data []byte) (err error) {
		var spans []accountSpan
		a, keyringID, spans, ok, err = decodeOneSpans(s.path, data, ident)
		if ok && claims {
			others = claimants(spans, a)
		}
		return err
	})
	if err != nil {
		return nil, nil, false, err
	}
	if ok && a.Secrets == SecretsKeyring {
		// Only now, and only for an account kept there: a file
		// without such accounts never connects to the keyring.
		if err := s.fetchSecrets(ctx, keyringID, a); err != nil {
			s.warnOnce("cannot read the tokens of @%s: %v", a.Handle, err)
		}
	}
	return a, others, ok, nil
}

// claimants are the DIDs of the spans other than a's that claim a's
// handle, compared as SharedHandles compares them.
func claimants(spans []accountSpan, a *Account) []string {
	var others []string
	h := strings.ToLower(a.Handle)
	for _, sp := range spans {
		if sp.did != a.DID && strings.ToLower(sp.handle) == h {
			others = append(others, sp.did)
		}
	}
	return others
}

// decodeOne is decode for one account: every account is read and checked
// as decode does (indexAccounts), and only the one that matches ident is
// read again, from its bytes, to return; a handle that more than one
// account claims, or an unverified one, gives Choose's *HandleError. It
// also returns the file's KeyringID. Nothing returned points into data.
func decodeOne(path string, data []byte, ident string) (*Account, string, bool, error) {
	a, keyringID, _, ok, err := decodeOneSpans(path, data, ident)
	return a, keyringID, ok, err
}

// decodeOneSpans is decodeOne that also returns where each account is in
// data and what finds it (indexAccounts' spans).
func decodeOneSpans(path string, data []byte, ident string) (*Account, string, []accountSpan, bool, error) {
	st, spans, err := indexAccounts(path, data)
	if err != nil {
		return nil, "", nil, false, err
	}
	if ident == "" && st.Active != "" {
		ident = st.Active
	}
	match := matcher(ident)
	if match == nil {
		return nil, "", nil, false, nil
	}
	first, dids := -1, []string(nil)
	for i, sp := range spans {
		if match(sp.did, sp.handle) {
			if first < 0 {
				first = i
			}
			dids = append(dids, sp.did)
		}
	}
	if first < 0 {
		return nil, "", nil, false, nil
	}
	a := new(Account)
	if len(dids) == 1 {
		one := data[spans[first].start:spans[first].end]
		if err := jsonv2.Unmarshal(one, a, readOptionsFor(one)); err != nil {
			// Cannot happen: indexAccounts read it.
			return nil, "", nil, false, fileErr(path, ErrCorrupt, "%s", describe(err))
		}
	} else {
		a.Handle = spans[first].handle // all that handleChoice reads of it
	}
	if err := handleChoice(ident, a, dids); err != nil {
		return nil, "", nil, false, err
	}
	return a, st.KeyringID, spans, true, nil
}

// accountSpan is where an account is in the file, and what finds it.
type accountSpan struct {
	did, handle string
	start, end  int64
}

// indexAccounts reads and checks a document as decode does, but keeps of
// each account only its span: every account is read into one scratch
// Account, whose strings but those that find it and that its checks need
// are checked and skipped, as is its DID document. It returns the state
// without its accounts. The accounts are read by hand (scanAccount); a
// document that reading refuses is read again by reflection (checkOnly),
// which accepts the same and more, and says in Load's words what is wrong.
func indexAccounts(path string, data []byte) (*State, []accountSpan, error) {
	st, spans, err := indexWith(path, data, false)
	if err != nil {
		st, spans, err = indexWith(path, data, true)
	}
	return st, spans, err
}

// indexWith is indexAccounts reading the accounts by hand, or with full
// by reflection.
func indexWith(path string, data []byte, full bool) (*State, []accountSpan, error) {
	var (
		st      = new(State)
		spans   []accountSpan
		scratch Account
		keyring fieldCheck
	)
	read := accountReader(full, &scratch)
	err := readDocument(path, data, st, func(dec *jsontext.Decoder) error {
		before := dec.InputOffset()
		scratch = Account{}
		if err := read(dec); err != nil {
			return err
		}
		end := dec.InputOffset()
		start := before + int64(max(0, bytes.IndexByte(data[before:end], '{')))
		keyring.add(&scratch)
		spans = append(spans, accountSpan{scratch.DID, scratch.Handle, start, end})
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	err = keyring.err(st)
	if err == nil {
		err = st.validateWith(len(spans), func(yield func(int, string) bool) {
			for i, sp := range spans {
				if !yield(i, sp.did) {
					return
				}
			}
		})
	}
	if err != nil {
		return nil, nil, fileErr(path, ErrCorrupt, "%v", err)
	}
	return st, spans, nil
}

// accountReader reads the account at a decoder into a, which must be
// zero: by hand (scanAccount), or with full by reflection (checkOnly).
func accountReader(full bool, a *Account) func(*jsontext.Decoder) error {
	if !full {
		return func(dec *jsontext.Decoder) error { return scanAccount(dec, a) }
	}
	skip := checkOnly(a)
	return func(dec *jsontext.Decoder) error { return jsonv2.UnmarshalDecode(dec, a, skip) }
}

// checkOnly are the options reading into a, which check every string and
// DID document as usual but keep only a's DID, handle, Secrets,
// SecretsTag, its HandleCheck (all of it: one that holds only Names is
// malformed) and its OAuth session, whose checks need them; of its refresh
// token, only whether there is one (a.RefreshJwt is then a stand-in, "-").
func checkOnly(a *Account) jsonv2.Options {
	var doc jsontext.Value
	return jsonv2.WithUnmarshalers(jsonv2.JoinUnmarshalers(
		jsonv2.UnmarshalFromFunc(func(dec *jsontext.Decoder, s *string) error {
			switch s {
			case &a.DID, &a.Handle, &a.Secrets, &a.SecretsTag, &a.HandleCheck.Handle, &a.HandleCheck.Status, &a.HandleCheck.Names:
				return errors.ErrUnsupported // read as usual
			case &a.RefreshJwt:
				return skipStringNoting(dec, s)
			}
			if o := a.OAuth; o != nil { // allocated before its members are read
				switch s {
				case &o.ClientID, &o.Issuer, &o.TokenEndpoint, &o.RevocationEndpoint, &o.DPoPKey, &o.Scope, &o.AuthServerNonce, &o.PDSNonce:
					return errors.ErrUnsupported
				}
			}
			return skipString(dec)
		}),
		jsonv2.UnmarshalFromFunc(func(dec *jsontext.Decoder, _ *json.RawMessage) error {
			if dec.PeekKind() == 'n' {
				return errors.ErrUnsupported
			}
			return readDoc(dec, &doc)
		}),
	))
}

// skipString checks the next value, when it is a string, as reading it
// would, without keeping it. Other kinds are left to the usual reading,
// which reports them.
func skipString(dec *jsontext.Decoder) error {
	if dec.PeekKind() != '"' {
		return errors.ErrUnsupported
	}
	_, err := dec.ReadValue()
	return err
}

// skipStringNoting is skipString that sets *s to "-" when the string is
// not empty.
func skipStringNoting(dec *jsontext.Decoder, s *string) error {
	if dec.PeekKind() != '"' {
		return errors.ErrUnsupported
	}
	v, err := dec.ReadValue()
	if err == nil && len(v) > 2 {
		*s = "-"
	}
	return err
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
