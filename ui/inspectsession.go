package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
)

// The inspector's session: its kind, and how long each part of it lasts.

// sessionFields say the kind of a's session: an OAuth session's end and
// scope, a password session's token kind (from its access token's scope).
func (m Model) sessionFields(b *strings.Builder, field func(k, v string), a storage.Account, kind auth.TokenKind) {
	if a.OAuth != nil {
		end := a.RefreshExpiry()
		when := "ends " + shortTime(end, m.now) + " (in " + days(end.Sub(m.now)) + ")"
		if !m.now.Before(end) {
			when = "ended " + shortTime(end, m.now)
		}
		field("Session", "OAuth (DPoP), "+when)
		field("Scope", shown(a.OAuth.Scope))
		return
	}
	field("Session", "password")
	text := accounts.KindText(kind)
	if kind == auth.KindAppPasswordPrivileged {
		text += " (can read DMs)"
	}
	if c, err := auth.ParseClaims(a.AccessJwt); err == nil && c.Scope != "" {
		text += m.st.muted.Render(" (scope " + shown(c.Scope) + ")")
	}
	field("Token kind", text)
	if kind == auth.KindFull {
		// On lines of its own under the value: beside it, 80 columns cut it.
		m.under(b, m.st.warn, "⚠ can do anything, even delete the account: prefer an app password", 0)
	}
}

// tokenLines show how long a's tokens last, each with a bar of the life
// it has left: a password session's from its tokens' claims; an OAuth
// session's (opaque tokens) from its access token's expiry and the 14
// days from its sign-in to its end. No token is ever shown.
func (m Model) tokenLines(b *strings.Builder, a storage.Account) {
	if a.OAuth != nil {
		m.lifeLine(b, "Access token", a.RefreshedAt, a.AccessExpiry(), false)
		m.lifeLine(b, "Sign-in", a.RefreshExpiry().Add(-auth.OAuthSessionLimit), a.RefreshExpiry(), true)
		return
	}
	for _, t := range []struct{ name, tok string }{{"Access token", a.AccessJwt}, {"Refresh token", a.RefreshJwt}} {
		c, err := auth.ParseClaims(t.tok)
		if err != nil {
			fmt.Fprintf(b, "  %s %s\n", m.st.label.Render(pad(t.name, 14)), m.st.muted.Render("not a JWT: expiry unknown"))
			continue
		}
		m.lifeLine(b, t.name, c.IssuedAt, c.ExpiresAt, t.name == "Refresh token")
	}
}

// lifeLine is one line of a life from start to end: a bar of what is
// left, the time left (in days when long), and its start and end.
func (m Model) lifeLine(b *strings.Builder, name string, start, end time.Time, long bool) {
	left := end.Sub(m.now)
	frac := 0.0
	if life := end.Sub(start); !start.IsZero() && life > 0 && left > 0 {
		frac = min(float64(left)/float64(life), 1)
	}
	when := countdown(left)
	if long {
		when = days(left)
	}
	bar := m.inspect.bar
	bar.SetWidth(min(max(m.width-62, 6), 20))
	from := "?"
	if !start.IsZero() {
		from = shortTime(start, m.now)
	}
	line := fmt.Sprintf("  %s %s %s", m.st.label.Render(pad(name, 14)),
		bar.ViewAs(frac), m.st.forUrgency(accounts.UrgencyOf(left))(pad(when, 9)))
	if span := from + " → " + shortTime(end, m.now); lipgloss.Width(line)+1+cells(span) <= m.width {
		line += " " + span // a narrow window keeps what is left, not when
	}
	b.WriteString(strings.TrimRight(line, " ") + "\n")
}
