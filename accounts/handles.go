package accounts

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
)

// Handles are claims, the DID is the identity. A server can answer a login
// or a refresh with any handle, another saved account's too. So:
//
//   - a handle that changes at a login, a refresh or a status check is
//     said (a note: stderr on the command line, the switcher's banner);
//   - a handle two saved accounts claim chooses neither (storage.Choose:
//     exit 2 naming the DIDs), and both are marked;
//   - handles are checked both ways (auth.CheckHandle) at login, by the
//     refresh and status commands and by the switcher as it starts; never
//     by token, env, api or exec, which read the last outcome from the
//     file. An unverified handle is marked and never chooses.
//
// An outcome is kept HandleCheckMaxAge when a lookup answered, and
// HandleRetryAfter when the lookups failed; a handle no lookup can be made
// for (alice.test) is not remembered at all.

// Time limits of handle checks.
const (
	// HandleCheckMaxAge is how long a verified or unverified outcome
	// stands before the handle is checked again. An unverified handle
	// stays marked until a check says otherwise.
	HandleCheckMaxAge = 24 * time.Hour
	// HandleRetryAfter is how long an unchecked outcome (the lookups
	// failed: offline, no record) stands before they are tried again.
	HandleRetryAfter = time.Hour
	// HandleLookupTimeout bounds the lookups of one check.
	HandleLookupTimeout = 3 * time.Second
)

// checksAtOnce is how many handles VerifyHandles checks at once.
const checksAtOnce = 8

// HandleCheckDue tells whether a's handle is to be checked (again) at now:
// never checked under this handle, or its outcome is older than its limit.
func HandleCheckDue(a *storage.Account, now time.Time) bool {
	status, _ := a.HandleStatus()
	if a.HandleCheck.At.IsZero() || !storage.SameHandle(a.HandleCheck.Handle, a.Handle) {
		return true
	}
	limit := HandleCheckMaxAge
	if status == storage.HandleUnchecked {
		limit = HandleRetryAfter
	}
	return !now.Before(a.HandleCheck.At.Add(limit))
}

// VerifyHandles checks both ways the handles of the accounts with these
// DIDs (every saved account when none is given) whose outcome is due (all
// of them with force), checksAtOnce at once within ctx, and stores what
// the lookups said. A handle found unverified is noted. It reports whether
// the file changed; an error is the file's, never a lookup's: a failed
// lookup leaves the handle unchecked. Without Manager.Handles it does
// nothing.
func (m *Manager) VerifyHandles(ctx context.Context, force bool, dids ...string) (bool, error) {
	if m.Handles == nil {
		return false, nil
	}
	st, err := m.Load(ctx)
	if err != nil {
		return false, err
	}
	now := m.now()
	var due []storage.Account
	for _, a := range st.Accounts {
		if (len(dids) == 0 || slices.Contains(dids, a.DID)) && (force || HandleCheckDue(&a, now)) && a.Handle != "" {
			due = append(due, a)
		}
	}
	results := m.checkAll(ctx, due)
	if len(results) == 0 {
		return false, nil
	}
	changed := false
	var unverified []storage.HandleError
	err = m.Store.UpdateContext(context.WithoutCancel(ctx), func(st *storage.State) error {
		changed, unverified = false, nil
		for did, c := range results {
			a, ok := st.Account(did)
			if !ok {
				continue
			}
			was, _ := a.HandleStatus()
			if st.SetHandleCheck(did, c) {
				changed = true
				if c.Status == storage.HandleUnverified && was != storage.HandleUnverified {
					unverified = append(unverified, storage.HandleError{Handle: c.Handle, DIDs: []string{did}, Unverified: true, Names: c.Names})
				}
			}
		}
		return nil
	})
	for _, he := range unverified {
		m.note(he.Error())
	}
	return changed && err == nil, err
}

// checkAll checks the accounts' handles, checksAtOnce at once, and returns
// the outcomes worth keeping by DID: those of lookups that were made.
func (m *Manager) checkAll(ctx context.Context, accts []storage.Account) map[string]storage.HandleCheck {
	var (
		mu    sync.Mutex
		out   = map[string]storage.HandleCheck{}
		wg    sync.WaitGroup
		slots = make(chan struct{}, checksAtOnce)
	)
	for _, a := range accts {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			res := auth.CheckHandle(ctx, m.Handles, a.DID, a.Handle)
			if !res.Made {
				return
			}
			c := storage.HandleCheck{Handle: strings.ToLower(a.Handle), Status: statusOf(res.Outcome), Names: res.Names, At: m.now().UTC()}
			mu.Lock()
			out[a.DID] = c
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

// statusOf is the file's word for an outcome.
func statusOf(o auth.HandleOutcome) string {
	switch o {
	case auth.HandleVerified:
		return storage.HandleVerified
	case auth.HandleUnverified:
		return storage.HandleUnverified
	}
	return storage.HandleUnchecked
}

// verifyNow checks the handle of one account at once, bounded by
// HandleLookupTimeout (login, which must not wait long for it).
func (m *Manager) verifyNow(ctx context.Context, did string) {
	vctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), HandleLookupTimeout)
	defer cancel()
	_, _ = m.VerifyHandles(vctx, true, did)
}

// HandleChanged notes that an answer of a server (a refresh, a status
// check) renamed the account from the handle was to now's, and whether
// another saved account claims the new one. Nothing is said when the
// handle stayed. refresh and Check call it with what they saved.
func (m *Manager) HandleChanged(ctx context.Context, was string, now storage.Account, by string) {
	if now.DID == "" || storage.SameHandle(was, now.Handle) {
		return
	}
	st, err := m.Store.LoadContext(context.WithoutCancel(ctx))
	var others []string
	if err == nil {
		others = otherClaimants(st, now.DID, now.Handle)
	}
	m.note(renamed(was, now, by, others))
}

// renamed is the note of a handle changed by a server, by (what it
// answered: "a refresh"), others the DIDs of the other saved accounts that
// claim the new handle.
func renamed(was string, now storage.Account, by string, others []string) string {
	text := fmt.Sprintf("@%s (%s) is now called @%s: its server said so at %s", was, now.DID, now.Handle, by)
	if len(others) > 0 {
		text += fmt.Sprintf(". Another saved account (%s) also claims @%s: a handle is only a claim, so neither is chosen by it any more; choose by DID", strings.Join(others, ", "), now.Handle)
	}
	return text
}

// otherClaimants are the DIDs of the saved accounts other than did whose
// handle is handle.
func otherClaimants(st *storage.State, did, handle string) []string {
	var others []string
	for _, a := range st.Accounts {
		if a.DID != did && storage.SameHandle(a.Handle, handle) {
			others = append(others, a.DID)
		}
	}
	return others
}
