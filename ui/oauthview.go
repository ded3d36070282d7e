package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/skyswitch/skyswitch/auth"
)

// The login form's two kinds, as the form draws them and moves between
// its fields (oauth.go has the sign-in through the browser itself).

// setOAuth turns the form to a sign-in through the browser (on) or with
// a password: the password field goes or comes back, and the focus
// leaves it. Whatever the form said is dropped.
func (l *loginModel) setOAuth(on bool) {
	l.oauth, l.err = on, ""
	if on && l.focus == fieldPassword {
		l.focus = fieldIdentifier
	}
}

// move puts the focus on the field by steps after it (fieldCount-1: the
// one before), past the password field in a sign-in through the browser.
func (l *loginModel) move(by int) {
	l.focus = (l.focus + by) % fieldCount
	if l.oauth && l.focus == fieldPassword {
		l.focus = (l.focus + by) % fieldCount
	}
}

// kindLine is the form's first line: which kind of login it makes, the
// other, and the key that turns it; shorter in a narrow window.
func (m Model) kindLine(l loginModel) string {
	for _, f := range []struct {
		pw, br, sep, key string
	}{
		{"app password", "browser (OAuth)", "   ", "   ctrl+o switches"},
		{"app password", "browser (OAuth)", "   ", ""},
		{"password", "browser", "  ", ""},
	} {
		if w := 2 + 4 + len(f.pw) + len(f.sep) + len(f.br) + len(f.key); w > m.width {
			if f.pw != "password" {
				continue
			}
			return "  " + m.st.focused.Render(truncate(map[bool]string{false: "● password", true: "● browser"}[l.oauth], m.width-2))
		}
		pw, br := m.st.focused.Render("● "+f.pw), m.st.muted.Render("○ "+f.br)
		if l.oauth {
			pw, br = m.st.muted.Render("○ "+f.pw), m.st.focused.Render("● "+f.br)
		}
		if l.busy || l.needCode {
			f.key = "" // ctrl+o does nothing now
		}
		return "  " + pw + f.sep + br + m.st.hint.Render(f.key)
	}
	return ""
}

// oauthStatusView is what a sign-in through the browser says under the
// form: what enter does, then that it starts, then the page it waits on
// (to open by hand, or copy) and why no browser opened, if none did.
func (m Model) oauthStatusView(l loginModel) string {
	width := m.width - 4
	var b strings.Builder
	switch {
	case !l.busy:
		text := "Enter opens your browser at your server's sign-in page: your password is typed there, never here."
		b.WriteString(m.st.hint.Render(indent(wrapTo(text, width), "  ")) + "\n")
	case l.authURL == "":
		b.WriteString("  " + m.spinner.View() + " starting the sign-in… " + m.st.muted.Render("(esc cancels)") + "\n")
	default:
		text := "Sign in at the page your browser shows, within " + waitText(oauthWaitLimit) + ". If none opened, open this address (y copies it):"
		b.WriteString(indent(wrapTo(text, width), "  ") + "\n")
		b.WriteString(m.st.focused.Render(indent(breakLines(shown(l.authURL), width), "  ")) + "\n")
		if l.browserErr != "" {
			b.WriteString(m.st.warn.Render(indent(wrapTo(shown(l.browserErr), width), "  ")) + "\n")
		}
		b.WriteString("  " + m.spinner.View() + " waiting for the browser… " + m.st.muted.Render("(esc cancels)") + "\n")
	}
	return b.String()
}

// waitText is the wait's bound as a person reads it: "10 minutes".
func waitText(d time.Duration) string {
	if d >= time.Minute && d%time.Minute == 0 {
		return fmt.Sprintf("%d minutes", d/time.Minute)
	}
	return d.String()
}

// breakLines cuts s, one line without spaces (an address), into lines of
// width cells, so that all of it shows.
func breakLines(s string, width int) string {
	if width < 8 {
		return s
	}
	var lines []string
	r := []rune(s)
	for len(r) > width {
		lines = append(lines, string(r[:width]))
		r = r[width:]
	}
	return strings.Join(append(lines, string(r)), "\n")
}

// loginErrorText is a failed login's sentence on the form: a sign-in
// refused at the browser in those words, others as everywhere.
func loginErrorText(err error, now time.Time) string {
	if errors.Is(err, auth.ErrAccessDenied) {
		return "the sign-in was refused at the browser"
	}
	return humanError(err, now)
}
