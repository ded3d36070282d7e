package ui

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
)

// View draws the screen from the model; it changes nothing.
func (m Model) View() string {
	if m.quitting {
		return ""
	}
	header := m.headerView()
	banners := m.bannersView()
	footer := m.footerView()
	used := lipgloss.Height(header) + lipgloss.Height(footer)
	if banners != "" {
		used += lipgloss.Height(banners)
	}
	bodyHeight := max(m.height-used, 3)
	var body string
	switch m.screen {
	case screenLogin:
		body = m.loginView()
	case screenInspect:
		body = m.inspectView()
	default:
		body = m.listView(bodyHeight)
	}
	parts := []string{header}
	if banners != "" {
		parts = append(parts, banners)
	}
	parts = append(parts, lipgloss.NewStyle().Height(bodyHeight).MaxHeight(bodyHeight).Render(body), footer)
	return lipgloss.JoinVertical(lipgloss.Left, parts...)
}

func (m Model) headerView() string {
	title := m.st.title.Render("skyswitch")
	if m.data != nil {
		n := len(m.data.Accounts)
		title += m.st.muted.Render(fmt.Sprintf("  %d account%s", n, plural(n)))
	}
	if m.opts.Banner != "" {
		title += "\n" + m.st.badge.Render(wrapTo(m.opts.Banner, m.width))
	}
	return title
}

// bannersView stacks a banner for each account whose refresh is failing,
// at most three, so the list stays visible.
func (m Model) bannersView() string {
	var out []string
	if m.loadErr != nil {
		out = append(out, m.st.bannerError.Render(truncate("Cannot read the accounts file: "+m.loadErr.Error(), m.width-4)))
	}
	if m.data != nil {
		for _, a := range m.data.Accounts {
			r := m.rt[a.DID]
			switch {
			case a.SessionEnded:
				out = append(out, m.st.bannerError.Render(truncate(fmt.Sprintf("@%s: session expired or revoked; press enter on it to log in again", a.Handle), m.width-4)))
			case a.SecretsErr() != nil:
				// Not refreshed, whatever retry was planned, until a reload
				// can read them.
				text := fmt.Sprintf("@%s: keyring unreadable, not refreshed: %v", a.Handle, keyringWhy(a.SecretsErr()))
				out = append(out, m.st.bannerWarn.Render(truncate(text, m.width-4)))
			case r != nil && r.lastErr != nil && !r.retryAt.IsZero():
				when := "in " + countdown(r.retryAt.Sub(m.now))
				if r.busy == "refreshing" {
					when = "now"
				}
				text := fmt.Sprintf("@%s: refresh failed, %s; retrying %s", a.Handle, humanError(r.lastErr, m.now), when)
				out = append(out, m.st.bannerWarn.Render(truncate(text, m.width-4)))
			}
		}
	}
	if len(out) > 3 {
		out = append(out[:3], m.st.muted.Render(fmt.Sprintf("  …and %d more", len(out)-3)))
	}
	return strings.Join(out, "\n")
}

func (m Model) footerView() string {
	var lines []string
	if len(m.notes) > 0 {
		lines = append(lines, m.st.bannerWarn.Render(m.noteText()))
	}
	if m.status != "" {
		style := m.st.bannerInfo
		if m.statusErr {
			style = m.st.bannerWarn
		}
		lines = append(lines, style.Render(wrapTo(m.status, m.width-4)))
	}
	var keys help.KeyMap = m.list.keys
	switch m.screen {
	case screenLogin:
		keys = m.login.keys
		if m.login.needCode {
			keys = m.login.keys.forCode()
		}
	case screenInspect:
		keys = m.inspect.keys
	}
	lines = append(lines, m.helpView(keys))
	return strings.Join(lines, "\n")
}

// maxNoteLines is how many lines a note may take; the rest is cut.
const maxNoteLines = 3

// noteText is the first queued note, wrapped to the window and cut to
// maxNoteLines, saying how many more wait.
func (m Model) noteText() string {
	text := "Note: " + m.notes[0]
	if n := len(m.notes) - 1; n > 0 {
		text += fmt.Sprintf(" (%d more; esc shows the next)", n)
	}
	width := m.width - 4
	if width < 20 {
		return truncate(text, max(width, 2))
	}
	lines := strings.Split(lipgloss.NewStyle().Width(width).Render(text), "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	if len(lines) > maxNoteLines {
		lines = lines[:maxNoteLines]
		lines[maxNoteLines-1] = truncate(lines[maxNoteLines-1]+" …", width)
	}
	return strings.Join(lines, "\n")
}

// helpView is the key help, narrowed until it fits the window: bubbles'
// help adds an item that overflows when its "…" would not fit either.
func (m Model) helpView(keys help.KeyMap) string {
	h := m.help
	v := h.View(keys)
	for h.Width > 1 && lipgloss.Width(v) > m.width {
		h.Width--
		v = h.View(keys)
	}
	return v
}

// Column widths of the list at full width; narrow windows drop columns.
const (
	colHandle  = 24
	colDID     = 16
	colPDS     = 16
	colAccess  = 10
	colRefresh = 5
)

func (m Model) listView(height int) string {
	if m.data == nil {
		if m.loadErr != nil {
			return m.st.errorText.Render("The accounts file could not be read. Nothing was changed; see above.")
		}
		return m.spinner.View() + " loading…"
	}
	if m.list.filtering || m.list.filter.Value() != "" {
		height--
	}
	rows := m.rows()
	var b strings.Builder
	if len(m.data.Accounts) == 0 && len(m.data.PendingLogouts) == 0 {
		b.WriteString("\nNo accounts yet.\n\n")
		b.WriteString("  Press " + m.st.selected.Render("a") + " to add one: your handle and an app password\n")
		b.WriteString(m.st.muted.Render("  (Bluesky: Settings → Privacy and security → App passwords).") + "\n")
		b.WriteString(m.st.muted.Render("  Or from a script: skyswitch login --password-stdin") + "\n")
		return b.String()
	}
	// Only the rows that fit are rendered: the list may hold thousands.
	visible := max(height, 1)
	offset := max(0, min(m.list.cursor-visible+1, len(rows)-visible))
	end := min(offset+visible, len(rows))
	cells := cellMemo{}
	for i := offset; i < end; i++ {
		b.WriteString(m.rowView(rows[i], i == m.list.cursor, cells))
		b.WriteByte('\n')
	}
	if len(rows) == 0 {
		b.WriteString(m.st.muted.Render("  no account matches the filter") + "\n")
	}
	if m.list.filtering || m.list.filter.Value() != "" {
		b.WriteString(m.list.filter.View())
	}
	return b.String()
}

// cellMemo holds the styled cells a frame repeats down the list (the PDS,
// the state): styling is most of what a row costs, so each is styled once.
type cellMemo map[string]string

func (c cellMemo) get(key string, render func() string) string {
	if s, ok := c[key]; ok {
		return s
	}
	s := render()
	c[key] = s
	return s
}

func (m Model) rowView(r row, selected bool, cells cellMemo) string {
	cursor, active := "  ", "  "
	if selected {
		cursor = m.st.selected.Render("> ")
	}
	if r.acct != nil && r.acct.DID == m.data.Active {
		active = m.st.active.Render("● ")
	}
	wide, medium := m.width >= 96, m.width >= 72
	handle := "@" + r.handle()
	// Narrow windows give the handle what the dropped columns left.
	handleCol := colHandle
	if !medium {
		handleCol = min(max(m.width-(4+colAccess+colRefresh+3+14), 12), colHandle)
	}
	cols := []string{cursor + active + pad(truncate(handle, handleCol), handleCol)}
	if wide {
		cols = append(cols, m.st.muted.Render(pad(shortDID(r.did(), colDID), colDID)))
	}
	pdsURL, access, refresh := "", "", ""
	// Decoding tokens was most of a frame's cost: each is decoded once.
	var exp expiries
	if r.acct != nil {
		pdsURL = r.acct.Endpoint()
		at := m.expiry.times(r.acct.AccessJwt)
		exp = expiries{at.exp, m.expiry.of(r.acct.RefreshJwt)}
		left := exp.access.Sub(m.now)
		access = m.st.forUrgency(urgencyOf(left, at.life()))(pad(countdown(left), colAccess))
		refresh = pad(days(exp.refresh.Sub(m.now)), colRefresh)
		if r.acct.SessionEnded || r.acct.SecretsErr() != nil {
			// The server ended it, or the tokens could not be read: a
			// ticking countdown would suggest otherwise.
			access, refresh = m.st.muted.Render(pad("—", colAccess)), pad("—", colRefresh)
		}
	} else {
		pdsURL = r.pending.Session.Endpoint()
		access, refresh = pad("", colAccess), pad("", colRefresh)
	}
	if medium {
		host := truncate(accounts.HostOf(pdsURL), colPDS)
		cols = append(cols, cells.get("pds\x00"+host, func() string { return m.st.muted.Render(pad(host, colPDS)) }))
	}
	cols = append(cols, access, refresh)
	line := strings.Join(cols, " ") + " "
	return line + m.stateView(r, exp, max(m.width-lipgloss.Width(line), 8), cells)
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

// stateView is the last column: what is happening to the account, in full
// when room allows, else in short.
func (m Model) stateView(r row, exp expiries, room int, cells cellMemo) string {
	text, t := m.stateText(r, exp)
	if lipgloss.Width(text.full) <= room {
		return cells.get(fmt.Sprint("state\x00", t, "\x00", text.full), func() string { return m.st.tone(t).Render(text.full) })
	}
	short := truncate(text.short, room)
	return cells.get(fmt.Sprint("state\x00", t, "\x00", short), func() string { return m.st.tone(t).Render(short) })
}

// tone is the style of a state.
type tone int

const (
	toneCalm tone = iota
	toneWarn
	toneAlarm
	toneBusy
)

func (s styles) tone(t tone) lipgloss.Style {
	return [...]lipgloss.Style{toneCalm: s.calm, toneWarn: s.warn, toneAlarm: s.alarm, toneBusy: s.title}[t]
}

type stateText struct{ full, short string }

func (m Model) stateText(r row, exp expiries) (stateText, tone) {
	if r.pending != nil {
		return stateText{"logout pending", "logout pending"}, toneWarn
	}
	a := r.acct
	rt := m.rt[a.DID]
	switch {
	case rt != nil && rt.busy != "":
		t := m.spinner.View() + " " + rt.busy
		return stateText{t, t}, toneBusy
	case a.SessionEnded:
		return stateText{"session expired – log in again", "log in again"}, toneAlarm
	case a.SecretsErr() != nil:
		return stateText{"keyring unreadable – " + keyringWhy(a.SecretsErr()), "keyring unreadable"}, toneAlarm
	case rt != nil && rt.lastErr != nil && !rt.retryAt.IsZero():
		in := countdown(rt.retryAt.Sub(m.now))
		return stateText{"refresh failed – retrying in " + in, "retry in " + in}, toneWarn
	}
	// As accounts.Summarize grades them, from the expiries at hand.
	switch {
	case !exp.refresh.IsZero() && !m.now.Before(exp.refresh):
		return stateText{"session expired – log in again", "log in again"}, toneAlarm
	case !m.now.Before(exp.access):
		return stateText{"expired – refreshing", "expired"}, toneWarn
	}
	return stateText{"valid", "valid"}, toneCalm
}

// keyringWhy is, in short, why an account's tokens could not be read: the
// keyring's own words when it failed (the store's sentence wraps them);
// the inspector shows the whole sentence.
func keyringWhy(err error) string {
	if cause := errors.Unwrap(err); cause != nil {
		return cause.Error()
	}
	return err.Error()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// pad right-pads s with spaces to width cells.
func pad(s string, width int) string {
	if w := lipgloss.Width(s); w < width {
		return s + strings.Repeat(" ", width-w)
	}
	return s
}

// truncate cuts s to width cells, marking the cut with "…".
func truncate(s string, width int) string {
	if width <= 1 || lipgloss.Width(s) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && lipgloss.Width(string(r)) > width-1 {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

func wrapTo(s string, width int) string {
	if width < 20 {
		return s
	}
	return lipgloss.NewStyle().Width(width).Render(s)
}
