package ui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/skyswitch/skyswitch/accounts"
)

// The account list: one row per account or queued logout, only the rows
// that fit rendered, each cell styled once per frame.

// Column widths of the list at full width; narrow windows drop columns.
const (
	colHandle  = 24
	colDID     = 16
	colPDS     = 16
	colAccess  = 10
	colRefresh = 7 // "REFRESH", the header's, is the widest
)

// layout is which columns a window of this width shows, and how wide the
// handle's and the access token's are: the header and every row share
// it, so they line up.
type layout struct {
	handle, access    int
	did, pds, refresh bool
}

// stateRoom is the least the state column is given in a narrow window:
// an undo window's "logout in 5 s", a retry's "retry in 4m07s".
const stateRoom = 14

func (m Model) layout() layout {
	l := layout{handle: colHandle, access: colAccess, did: m.width >= 96, pds: m.width >= 72, refresh: true}
	if !l.pds {
		// Narrow windows give the handle what the dropped columns left;
		// under 50 columns the refresh token's days go too, and the
		// access column keeps only what its longest countdown takes
		// (47h59m59s), so the state still shows.
		l.handle = m.width - (4 + colAccess + colRefresh + 3 + stateRoom)
		if l.handle < 12 {
			l.refresh, l.access = false, 9
			l.handle = m.width - (4 + l.access + 2 + stateRoom)
		}
		l.handle = min(max(l.handle, 8), colHandle)
	}
	return l
}

// used is the cells the columns before the state take, with their gaps.
func (l layout) used() int {
	n := 4 + l.handle + 1 + l.access + 1
	if l.refresh {
		n += colRefresh + 1
	}
	if l.did {
		n += colDID + 1
	}
	if l.pds {
		n += colPDS + 1
	}
	return n
}

// columnsView is the line that names the columns, over the rows.
func (m Model) columnsView(l layout) string {
	cols := []string{"    " + pad("HANDLE", l.handle)}
	if l.did {
		cols = append(cols, pad("DID", colDID))
	}
	if l.pds {
		cols = append(cols, pad("PDS", colPDS))
	}
	cols = append(cols, pad("ACCESS", l.access))
	if l.refresh {
		cols = append(cols, pad("REFRESH", colRefresh))
	}
	cols = append(cols, "STATE")
	return m.st.label.Render(strings.Join(cols, " "))
}

func (m Model) listView(height int) string {
	if m.data == nil {
		if m.loadErr != nil {
			return m.st.errorText.Render("The accounts file could not be read. Nothing was changed; see above.")
		}
		return m.spinner.View() + " loading…"
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
	lay := m.layout()
	b.WriteString(m.columnsView(lay) + "\n")
	// Only the rows that fit are rendered: the list may hold thousands.
	visible := m.visibleRows(rows, lay, height)
	offset := scrolled(m.list.offset, m.list.cursor, visible, len(rows))
	end := min(offset+visible, len(rows))
	cells := cellMemo{}
	for i := offset; i < end; i++ {
		if i == m.list.cursor {
			b.WriteString(m.highlight(m.rowView(rows[i], lay, true, cells)))
		} else {
			b.WriteString(m.rowView(rows[i], lay, false, cells))
		}
		b.WriteByte('\n')
	}
	if full := m.fullHandleView(rows, lay); full != "" {
		b.WriteString(full + "\n")
	}
	if len(rows) == 0 {
		b.WriteString(m.st.muted.Render("  no account matches the filter (esc clears it)") + "\n")
	}
	if m.list.filtering || m.list.filter.Value() != "" {
		b.WriteString(m.list.filter.View())
	}
	return b.String()
}

// highlight gives the selected row the selection's background across the
// window: it starts again after each cell's reset, so the cells keep their
// colours on it. Without colour the terminal drops it; the "> " stays.
func (m Model) highlight(line string) string {
	bg := m.st.rowBG
	line = bg + strings.ReplaceAll(line, "\x1b[m", "\x1b[m"+bg)
	return line + strings.Repeat(" ", max(m.width-lipgloss.Width(line), 0)) + "\x1b[m"
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

func (m Model) rowView(r row, lay layout, selected bool, cells cellMemo) string {
	cursor, active := "  ", "  "
	if selected {
		cursor = m.st.selected.Render("> ")
	}
	if r.acct != nil && r.acct.DID == m.data.Active {
		active = m.st.active.Render("● ")
	}
	handle := "@" + shown(r.handle())
	handleCol := lay.handle
	handleCell := pad(truncate(handle, handleCol), handleCol)
	if r.acct != nil {
		handleCell = m.handleCell(handle, handleCol, r.acct)
	}
	cols := []string{cursor + active + handleCell}
	if lay.did {
		cols = append(cols, m.st.muted.Render(pad(shortDID(shown(r.did()), colDID), colDID)))
	}
	pdsURL, access, refresh := "", "", ""
	// Decoding tokens was most of a frame's cost: each is decoded once.
	var exp expiries
	if r.acct != nil {
		pdsURL = r.acct.Endpoint()
		exp = m.expiriesOf(r.acct)
		left := exp.access.Sub(m.now)
		u := accounts.UrgencyOf(left)
		text := pad(countdown(left), lay.access)
		access = cells.get(fmt.Sprint("access\x00", u, "\x00", text), func() string { return m.st.forUrgency(u)(text) })
		refresh = pad(days(exp.refresh.Sub(m.now)), colRefresh)
		if sessionOver(r.acct, m.now) || r.acct.SecretsErr() != nil {
			// The server ended it, or its end came, or the tokens could
			// not be read: a ticking countdown would suggest otherwise.
			access, refresh = m.st.muted.Render(pad("—", lay.access)), pad("—", colRefresh)
		}
	} else {
		pdsURL = r.pending.Session.Endpoint()
		access, refresh = pad("", lay.access), pad("", colRefresh)
	}
	if lay.pds {
		host := truncate(shown(accounts.HostOf(pdsURL)), colPDS)
		cols = append(cols, cells.get("pds\x00"+host, func() string { return m.st.muted.Render(pad(host, colPDS)) }))
	}
	cols = append(cols, access)
	if lay.refresh {
		cols = append(cols, refresh)
	}
	line := strings.Join(cols, " ") + " "
	// Every column before the state is padded to its width: the state has
	// what is left, counted without measuring the styled line.
	return line + m.stateView(r, exp, max(m.width-lay.used(), 8), cells)
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
	case rt != nil && !rt.logoutAt.IsZero():
		return m.windowText(rt.logoutAt), toneWarn
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
