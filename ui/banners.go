package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/storage"
)

// maxBanners is how many banners stack above the list; a line counts the
// problems beyond them.
const maxBanners = 3

// problemKind is what is wrong with an account, as a banner says it.
type problemKind int

const (
	sessionEnded problemKind = iota
	keyringUnreadable
	refreshFailing
	// sessionEnding: an OAuth session ends within oauthEndWarning (its
	// 14-day end, which no refresh moves); a log in again renews it.
	sessionEnding
)

// oauthEndWarning is how long before an OAuth session's end its banner
// shows.
const oauthEndWarning = 24 * time.Hour

// problem is one thing wrong, and the accounts it is wrong with: accounts
// of one server with the same error share a banner, so a server that is
// down is one banner naming it, not one per account.
type problem struct {
	problemKey
	handles []string
	retryAt time.Time // the soonest retry of the accounts
	now     bool      // one of them is refreshing now
	endsAt  time.Time // the soonest end of their sessions (sessionEnding)
}

// problemKey is what accounts that share a banner have in common.
type problemKey struct {
	kind problemKind
	host string // the accounts' PDS ("" for the keyring: it is local)
	why  string // the error as the screen says it
}

// bannersView stacks a banner for each problem (an unreadable file, and
// accounts whose session ended, whose keyring is unreadable or whose
// refresh is failing), at most three, then a line that counts the rest,
// so the list stays visible.
func (m Model) bannersView() string {
	var out []string
	if m.loadErr != nil {
		out = append(out, m.banner(m.st.bannerError, "Cannot read the accounts file: "+m.loadErr.Error()))
	}
	problems := m.problems()
	total := len(out) + len(problems)
	for _, p := range problems {
		if len(out) == maxBanners {
			break
		}
		out = append(out, m.problemBanner(p))
	}
	if total > maxBanners {
		out = append(out, m.st.muted.Render(fmt.Sprintf("  …and %d more", total-maxBanners)))
	}
	return strings.Join(out, "\n")
}

// problems are the accounts' problems in the file's order (of each
// problem's first account), accounts grouped by problem.
func (m Model) problems() []*problem {
	if m.data == nil {
		return nil
	}
	var (
		list  []*problem
		byKey map[problemKey]*problem // made at the first problem
	)
	for _, a := range m.data.Accounts {
		r := m.rt[a.DID]
		key, ok := m.problemOf(&a, r)
		if !ok {
			continue
		}
		p := byKey[key]
		if p == nil {
			if byKey == nil {
				byKey = map[problemKey]*problem{}
			}
			p = &problem{problemKey: key}
			byKey[key] = p
			list = append(list, p)
		}
		p.handles = append(p.handles, a.Handle)
		if key.kind == sessionEnding && (p.endsAt.IsZero() || a.RefreshExpiry().Before(p.endsAt)) {
			p.endsAt = a.RefreshExpiry()
		}
		if key.kind == refreshFailing {
			p.now = p.now || r.busy == "refreshing"
			if p.retryAt.IsZero() || r.retryAt.Before(p.retryAt) {
				p.retryAt = r.retryAt
			}
		}
	}
	return list
}

// problemOf is what is wrong with account a, if anything: its kind, its
// server (none for the keyring: it is local) and the error's words.
func (m Model) problemOf(a *storage.Account, r *runtime) (problemKey, bool) {
	host := func() string {
		if h := accounts.HostOf(a.PDSURL); h != "" {
			return h
		}
		return accounts.HostOf(a.Service)
	}
	switch {
	case sessionOver(a, m.now):
		// Ended by the server, or past its end (a refresh token's expiry,
		// an OAuth session's 14 days), whichever kind it is.
		return problemKey{kind: sessionEnded, host: host()}, true
	case a.SecretsErr() != nil:
		// Not refreshed, whatever retry was planned, until a reload can
		// read them.
		return problemKey{kind: keyringUnreadable, why: keyringWhy(a.SecretsErr())}, true
	case r != nil && r.lastErr != nil && !r.retryAt.IsZero():
		return problemKey{kind: refreshFailing, host: host(), why: humanError(r.lastErr, m.now)}, true
	case a.OAuth != nil && !a.RefreshExpiry().IsZero() && a.RefreshExpiry().Sub(m.now) <= oauthEndWarning:
		return problemKey{kind: sessionEnding, host: host()}, true
	}
	return problemKey{}, false
}

// problemBanner is a problem's banner: for one account, its handle and what
// is wrong; for several, the server and what is wrong, then on a second
// line the accounts' handles, as many as the window has room for.
func (m Model) problemBanner(p *problem) string {
	style := m.st.bannerWarn
	if p.kind == sessionEnded {
		style = m.st.bannerError
	}
	when := "now"
	if !p.now {
		when = "in " + countdown(p.retryAt.Sub(m.now))
	}
	n := len(p.handles)
	var text string // the handles, when more than one, on a line of their own
	switch {
	case n == 1 && p.kind == sessionEnded:
		text = "@" + p.handles[0] + ": session expired or revoked; press enter on it to log in again"
	case n == 1 && p.kind == keyringUnreadable:
		text = "@" + p.handles[0] + ": keyring unreadable, not refreshed: " + p.why
	case n == 1 && p.kind == sessionEnding:
		text = "@" + p.handles[0] + "'s OAuth session ends in " + hoursLeft(p.endsAt.Sub(m.now)) + ": press L on it to log in again"
	case n == 1:
		text = "@" + p.handles[0] + ": refresh failed, " + p.why + "; retrying " + when
	case p.kind == sessionEnded:
		text = p.host + ": sessions expired or revoked; press enter on each to log in again"
	case p.kind == keyringUnreadable:
		text = "keyring unreadable, not refreshed: " + p.why
	case p.kind == sessionEnding:
		text = p.host + ": OAuth sessions end, the first in " + hoursLeft(p.endsAt.Sub(m.now)) + "; press L on each to log in again"
	default:
		text = p.host + ": refresh failed, " + p.why + "; retrying " + when
	}
	if n == 1 {
		return m.banner(style, text)
	}
	width := m.width - 4
	return style.Render(truncate(shown(text), width) + "\n" + fitNames(p.handles, width))
}

// fitNames lists handles in width cells: "@a, @b, @c", or as many as fit
// and how many more, "@a, @b +2"; always at least the first (cut).
func fitNames(handles []string, width int) string {
	text := "@" + shown(handles[0])
	for i := 1; i < len(handles); i++ {
		longer := text + ", @" + shown(handles[i])
		rest := ""
		if i+1 < len(handles) {
			rest = fmt.Sprintf(" +%d", len(handles)-i-1)
		}
		if cells(longer+rest) > width {
			more := fmt.Sprintf(" +%d", len(handles)-i)
			return truncate(text, width-len(more)) + more
		}
		text = longer
	}
	return truncate(text, width)
}

// hoursLeft is the time to a session's end in whole hours (23h), or,
// under an hour, as a countdown (59m12s, 0:42).
func hoursLeft(d time.Duration) string {
	if d >= time.Hour {
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return countdown(d)
}
