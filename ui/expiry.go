package ui

import (
	"sync"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
)

// When an account's tokens run out, and how a row shows its kind.

// expiriesOf are a's expiries: an OAuth session's as its token answer
// and its sign-in gave them (its tokens are opaque; the refresh side is
// the session's end, past which no refresh works), a password session's
// decoded from its tokens, each once (the memo).
func (m Model) expiriesOf(a *storage.Account) expiries {
	if a.OAuth != nil {
		return expiries{a.AccessExpiry(), a.RefreshExpiry()}
	}
	return expiries{m.expiry.of(a.AccessJwt), m.expiry.of(a.RefreshJwt)}
}

// refreshDue tells whether a's access token is due for a refresh: an
// OAuth session's by the expiry its token answer gave
// (auth.SessionData.NeedsRefresh), a password session's as
// auth.RefreshDue says, over the memo of token times, so a tick decodes
// only tokens it has not seen before.
func (m Model) refreshDue(a *storage.Account) bool {
	if a.OAuth != nil {
		return a.NeedsRefresh(m.now, m.opts.RefreshMargin)
	}
	t := m.expiry.times(a.AccessJwt)
	if t.exp.IsZero() {
		return false
	}
	return !m.now.Before(t.exp.Add(-auth.EffectiveMargin(t.life(), m.opts.RefreshMargin)))
}

// oauthTag marks an OAuth account's handle in the list (a password
// session, the usual kind, has none); the inspector says more.
const oauthTag = "oauth"

// handleCell is a row's handle, width cells: cut to make room for its
// marks, each in its style: the tag of an OAuth session, and ⚠ for a
// handle that chooses nothing (shared, unverified; the notes and the
// inspector say why).
func (m Model) handleCell(handle string, width int, a *storage.Account) string {
	var marks []string
	if a.OAuth != nil && width >= 16 {
		marks = append(marks, m.st.muted.Render(oauthTag))
	}
	if m.marks[a.DID] != "" {
		marks = append(marks, m.st.warn.Render("⚠"))
	}
	room := width
	for _, mk := range marks {
		room -= 1 + lipgloss.Width(mk)
	}
	cell := pad(truncate(handle, room), room)
	for _, mk := range marks {
		cell += " " + mk
	}
	return cell
}

// expiries are a row's token expiries (zero when a token cannot be decoded).
type expiries struct{ access, refresh time.Time }

// expiryMemo remembers what tokens say about their expiry, so a frame
// decodes only the tokens it has not seen. It only ever records a fact
// about a token: View, which fills it, stays pure in effect. Shared by the
// copies of a Model.
type expiryMemo struct {
	mu sync.Mutex
	m  map[string]tokenTimes
}

// tokenTimes are a token's issue and expiry times (zero when undecodable).
type tokenTimes struct{ iat, exp time.Time }

func (t tokenTimes) life() time.Duration {
	if t.iat.IsZero() || t.exp.IsZero() {
		return 0
	}
	return t.exp.Sub(t.iat)
}

// memoMax bounds the memo; refreshes keep adding tokens, so it starts
// over when full.
const memoMax = 4096

func (e *expiryMemo) of(tok string) time.Time { return e.times(tok).exp }

func (e *expiryMemo) times(tok string) tokenTimes {
	e.mu.Lock()
	defer e.mu.Unlock()
	if t, ok := e.m[tok]; ok {
		return t
	}
	var t tokenTimes
	if c, err := auth.ParseClaims(tok); err == nil {
		t = tokenTimes{c.IssuedAt, c.ExpiresAt}
	}
	if e.m == nil || len(e.m) >= memoMax {
		e.m = map[string]tokenTimes{}
	}
	e.m[tok] = t
	return t
}
