package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Secrets is an OS keyring: where an account's two tokens (and an OAuth
// session's DPoP key) are kept when
// State.Secrets says so (package oskeyring implements it). Implementations
// need not honour ctx: the store bounds every call by KeyringTimeout itself
// and gives up on a call that does not return.
type Secrets interface {
	// Get returns the secret of service and user, or an error wrapping
	// ErrSecretNotFound when there is none.
	Get(ctx context.Context, service, user string) (string, error)
	// Set creates or replaces the secret of service and user.
	Set(ctx context.Context, service, user, secret string) error
	// Delete removes it; an error wrapping ErrSecretNotFound when there is
	// none.
	Delete(ctx context.Context, service, user string) error
}

// ErrSecretNotFound: the keyring answered, and has no such item.
var ErrSecretNotFound = errors.New("no such item in the OS keyring")

const (
	// KeyringService is the service of every keyring item skyswitch makes;
	// the user is "<did> <State.KeyringID>".
	KeyringService = "skyswitch"
	// KeyringTimeout bounds each keyring call: a Secret Service that is
	// missing, locked behind a prompt nobody answers or hung must never
	// hang skyswitch.
	KeyringTimeout = 3 * time.Second
	// KeyringRetryAfter is how long a keyring that failed is left alone:
	// one dead keyring costs a command one KeyringTimeout, and a switcher
	// left running finds it again once it works.
	KeyringRetryAfter = time.Minute
	// maxSecretSize is the largest item skyswitch puts in a keyring: the
	// Windows Credential Manager takes 2,560 bytes. Both tokens of a
	// Bluesky session take about 1,100.
	maxSecretSize = 2500
)

// UseSecrets gives the store its keyring. Without one (nil, the default),
// accounts whose tokens are in the keyring load without them, with
// Account.SecretsErr saying why, and new tokens stay in the file.
func (s *Store) UseSecrets(k Secrets) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.secrets = k
}

// errNoKeyring is the keyring error of a store given none.
var errNoKeyring = errors.New("this program has no OS keyring support")

// keyringCall runs op on the keyring with a deadline of KeyringTimeout. A
// keyring that fails other than with ErrSecretNotFound, or does not answer
// in time, is down for KeyringRetryAfter: calls meanwhile fail at once with
// the same error, so one dead keyring costs one timeout a minute.
func (s *Store) keyringCall(ctx context.Context, op func(Secrets, context.Context) error) error {
	now := s.now()
	s.mu.Lock()
	k, down, timeout := s.secrets, s.keyringDown, s.keyringTimeout
	if down != nil && !now.Before(s.keyringDownAt.Add(KeyringRetryAfter)) {
		down = nil // time to ask again
	}
	s.mu.Unlock()
	switch {
	case k == nil:
		return errNoKeyring
	case down != nil:
		return down
	}
	if timeout == 0 {
		timeout = KeyringTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	done := make(chan error, 1) // buffered: a late answer is dropped
	go func() { done <- op(k, ctx) }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		err = fmt.Errorf("the OS keyring did not answer within %v", timeout)
	}
	s.mu.Lock()
	switch {
	case err == nil || errors.Is(err, ErrSecretNotFound):
		s.keyringDown = nil // it answered
	case s.keyringDown == nil || !now.Before(s.keyringDownAt.Add(KeyringRetryAfter)):
		s.keyringDown, s.keyringDownAt = err, now
	}
	s.mu.Unlock()
	return err
}

// remember keeps what the keyring holds for user, as tagged.
func (s *Store) remember(user string, it secretItem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen == nil {
		s.seen = make(map[string]secretItem)
	}
	s.seen[user] = it
}

// recall returns the tokens this store last put in or read from the
// keyring for user, if they are the ones tag names.
func (s *Store) recall(user, tag string) (secretItem, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.seen[user]
	return it, ok && tag != "" && it.tag() == tag
}

// forget drops what the store keeps of user's item.
func (s *Store) forget(user string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.seen, user)
}

// fetchSecrets reads the tokens of a from the keyring into it, or records
// in a.secretsErr why it could not. The keyring is asked only when this
// store has not yet seen the tokens the file's SecretsTag names: a running
// switcher reloads many times, and each item read costs a D-Bus round trip
// (about 4 ms with GNOME Keyring).
func (s *Store) fetchSecrets(ctx context.Context, keyringID string, a *Account) error {
	user := keyringUser(keyringID, a.DID)
	if it, ok := s.recall(user, a.SecretsTag); ok && itemErr(a, it) == nil {
		setSecrets(a, it)
		return nil
	}
	var v string
	err := s.keyringCall(ctx, func(k Secrets, ctx context.Context) (err error) {
		v, err = k.Get(ctx, KeyringService, user)
		return err
	})
	var item secretItem
	switch {
	case errors.Is(err, ErrSecretNotFound):
		err = errors.New("its tokens are missing from the OS keyring: log in again")
	case err != nil:
		err = fmt.Errorf("its tokens are in the OS keyring, which failed: %w", err)
	case json.Unmarshal([]byte(v), &item) != nil:
		err = errors.New("its OS keyring item does not hold skyswitch tokens: log in again")
	default:
		err = itemErr(a, item)
	}
	if err != nil {
		a.secretsErr = err
		return err
	}
	s.remember(user, item)
	setSecrets(a, item)
	return nil
}

// fetchAll reads the tokens of every account kept in the keyring, and
// warns once about those it could not read.
func (s *Store) fetchAll(ctx context.Context, st *State) {
	var failed []string
	var last error
	for i := range st.Accounts {
		a := &st.Accounts[i]
		if a.Secrets != SecretsKeyring {
			continue
		}
		if err := s.fetchSecrets(ctx, st.KeyringID, a); err != nil {
			failed = append(failed, "@"+a.Handle)
			last = err
		}
	}
	if len(failed) > 0 {
		s.warnOnce("cannot read the tokens of %s: %v", strings.Join(failed, ", "), last)
	}
}

// before is what Update read of one account's secrets, to know what fn
// changed.
type before struct {
	keyring bool // its tokens were in the keyring
	known   bool // and were read (always true for the file)
	secrets secretItem
}

// snapshotSecrets records each account's secrets before Update's fn runs.
// It is nil when neither the setting nor any account involves the keyring,
// the usual case, which then costs nothing.
func snapshotSecrets(st *State) map[string]before {
	keyring := st.Secrets != ""
	for i := 0; i < len(st.Accounts) && !keyring; i++ {
		keyring = st.Accounts[i].Secrets != ""
	}
	if !keyring {
		return nil
	}
	m := make(map[string]before, len(st.Accounts))
	for i := range st.Accounts {
		a := &st.Accounts[i]
		m[a.DID] = before{
			keyring: a.Secrets == SecretsKeyring,
			known:   a.secretsErr == nil,
			secrets: secretsOf(a),
		}
	}
	return m
}

// placeSecrets decides, after Update's fn, where each account's tokens go,
// and puts in the keyring those that go there, before the file is written:
// a token is in the keyring before the file stops holding it, and a failed
// keyring write leaves it in the file. Where each account's tokens go:
//
//   - after State.UseSecrets, to the chosen place;
//   - a new account, where State.Secrets says;
//   - else where they were.
//
// It returns the keyring items to delete once the file is written (tokens
// moved out, accounts removed).
func (s *Store) placeSecrets(ctx context.Context, st *State, was map[string]before) (stale []string) {
	if was == nil && st.Secrets == "" && !st.moveSecrets {
		for i := range st.Accounts {
			st.Accounts[i].Secrets, st.Accounts[i].SecretsTag = "", "" // fn cannot put tokens in the keyring
		}
		return nil
	}
	var fellBack, stuck []string
	var fellErr, stuckErr error
	present := make(map[string]bool, len(st.Accounts))
	for i := range st.Accounts {
		a := &st.Accounts[i]
		present[a.DID] = true
		b, existed := was[a.DID]
		want := st.Secrets
		if existed && !st.moveSecrets {
			want = ""
			if b.keyring {
				want = SecretsKeyring
			}
		}
		changed := !existed || secretsOf(a) != b.secrets
		known := !existed || b.known || changed
		switch {
		case want == SecretsKeyring && b.keyring && !changed:
			a.Secrets = SecretsKeyring // already there (or unreadable: left there)
		case want == SecretsKeyring && secretsOf(a) == secretItem{}:
			a.Secrets, a.SecretsTag = "", "" // nothing to keep
		case want == SecretsKeyring:
			if err := s.storeSecrets(ctx, st, a); err != nil {
				// The tokens stay in the file. (Had the keyring
				// older ones, they stay there until it works.)
				a.Secrets, a.SecretsTag = "", ""
				fellBack, fellErr = append(fellBack, "@"+a.Handle), err
				break
			}
			a.Secrets = SecretsKeyring
		case b.keyring && !known:
			// Cannot move tokens nobody could read: they stay.
			a.Secrets = SecretsKeyring
			stuck, stuckErr = append(stuck, "@"+a.Handle), a.secretsErr
		case b.keyring:
			a.Secrets, a.SecretsTag = "", ""
			stale = append(stale, keyringUser(st.KeyringID, a.DID))
		default:
			a.Secrets, a.SecretsTag = "", ""
		}
	}
	for did, b := range was {
		if b.keyring && !present[did] {
			stale = append(stale, keyringUser(st.KeyringID, did))
		}
	}
	if len(fellBack) > 0 {
		s.warnOnce("the OS keyring failed (%v): the tokens of %s are kept in the accounts file instead; "+
			"`skyswitch secrets keyring` moves them once it works", fellErr, strings.Join(fellBack, ", "))
	}
	if len(stuck) > 0 {
		s.warnOnce("the tokens of %s stay in the OS keyring: %v", strings.Join(stuck, ", "), stuckErr)
	}
	keyring := false
	for i := range st.Accounts {
		keyring = keyring || st.Accounts[i].Secrets == SecretsKeyring
	}
	if !keyring && st.Secrets == "" {
		st.KeyringID = "" // the file is version 1 again
	}
	st.moveSecrets = false
	return stale
}

// storeSecrets puts a's tokens (and key) in the keyring, naming this file
// with a new KeyringID if it has none.
func (s *Store) storeSecrets(ctx context.Context, st *State, a *Account) error {
	item := secretsOf(a)
	v, _ := json.Marshal(item)
	if len(v) > maxSecretSize {
		return fmt.Errorf("the tokens take %d bytes, more than a keyring item holds everywhere (%d)", len(v), maxSecretSize)
	}
	if st.KeyringID == "" {
		id := make([]byte, 8)
		rand.Read(id)
		st.KeyringID = hex.EncodeToString(id)
	}
	user := keyringUser(st.KeyringID, a.DID)
	err := s.keyringCall(ctx, func(k Secrets, ctx context.Context) error {
		return k.Set(ctx, KeyringService, user, string(v))
	})
	if err != nil {
		s.forget(user) // the item may hold either
		return err
	}
	s.remember(user, item)
	a.SecretsTag, a.secretsErr = item.tag(), nil
	return nil
}

// deleteSecrets removes keyring items whose tokens the file no longer
// refers to. One that cannot be deleted is named in a warning: it holds
// tokens of a session that is moved to the file or logged out.
func (s *Store) deleteSecrets(ctx context.Context, users []string) {
	for _, u := range users {
		s.forget(u)
		err := s.keyringCall(ctx, func(k Secrets, ctx context.Context) error {
			return k.Delete(ctx, KeyringService, u)
		})
		if err != nil && !errors.Is(err, ErrSecretNotFound) {
			s.warnOnce("could not delete the OS keyring item %q of service %q (%v): delete it with your keyring's tool", u, KeyringService, err)
		}
	}
}
