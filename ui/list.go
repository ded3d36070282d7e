package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/storage"
)

// row is one line of the list: a saved account or a logout still owed.
type row struct {
	acct    *storage.Account
	pending *storage.PendingLogout
}

func (r row) did() string {
	if r.acct != nil {
		return r.acct.DID
	}
	return r.pending.Session.DID
}

func (r row) handle() string {
	if r.acct != nil {
		return r.acct.Handle
	}
	return r.pending.Session.Handle
}

// listModel is the account list's own state: selection, scroll, filter.
type listModel struct {
	keys      listKeys
	fkeys     filterKeys // while the filter is typed
	cursor    int
	selected  string // DID under the cursor, kept across reloads
	filter    textinput.Model
	filtering bool
	placed    bool // the cursor has been put where the list opens
	// slid: a reload took the selected account away and the cursor
	// landed on a row nobody chose; gone is the account it was on.
	slid   bool
	gone   string
	offset int // the first row shown, as the last key left it
}

// newListModel selects selectIdent (a handle or DID) once it is loaded;
// its filter is in the styles fs.
func newListModel(selectIdent string, fs textinput.Styles) listModel {
	f := textinput.New()
	f.SetStyles(fs)
	f.Prompt = "/"
	f.CharLimit = 64
	return listModel{keys: defaultListKeys(), fkeys: defaultFilterKeys(), filter: f, selected: strings.TrimPrefix(selectIdent, "@")}
}

// rows lists the accounts matching the filter, then pending logouts.
func (m Model) rows() []row {
	if m.data == nil {
		return nil
	}
	q := strings.ToLower(strings.TrimSpace(m.list.filter.Value()))
	match := func(handle, did string) bool {
		return q == "" || strings.Contains(handle, q) || strings.Contains(strings.ToLower(did), q)
	}
	rows := make([]row, 0, len(m.data.Accounts)+len(m.data.PendingLogouts))
	for i := range m.data.Accounts {
		a := &m.data.Accounts[i]
		if match(a.Handle, a.DID) {
			rows = append(rows, row{acct: a})
		}
	}
	for i := range m.data.PendingLogouts {
		p := &m.data.PendingLogouts[i]
		if match(p.Session.Handle, p.Session.DID) {
			rows = append(rows, row{pending: p})
		}
	}
	return rows
}

// settled is the list settled on the rows of the accounts loaded. The
// first time there are accounts it opens on the one asked for
// (Options.Select: an override's), else on the active one, never on
// whatever is first: enter pressed at once then changes no identity.
func (m Model) settled() listModel {
	l, rows := m.list, m.rows()
	if !l.placed && m.data != nil && len(rows) > 0 {
		if i := l.find(rows); i >= 0 {
			l.selected = rows[i].did() // a handle asked for, now its DID
		} else {
			l.selected = m.data.Active
		}
		l.placed = true
	}
	return l.settle(rows)
}

// find is the index of the selected account's row, or -1: by its DID,
// and by a handle only for Options.Select's, before the list is placed.
// A handle is never matched after, nor before a DID that matches: a
// hand-edited handle may spell another account's DID.
func (l listModel) find(rows []row) int {
	for i, r := range rows {
		if r.did() == l.selected {
			return i
		}
	}
	if l.placed || l.selected == "" {
		return -1
	}
	for i, r := range rows {
		if storage.SameHandle(r.handle(), l.selected) {
			return i
		}
	}
	return -1
}

// settle puts the cursor back on the selected account after the rows
// changed (a reload, a filter), or on the nearest row.
func (l listModel) settle(rows []row) listModel {
	if i := l.find(rows); i >= 0 {
		l.cursor = i
		l.selected = rows[i].did()
		return l
	}
	l.cursor = min(l.cursor, max(len(rows)-1, 0))
	if len(rows) > 0 {
		l.selected = rows[l.cursor].did()
	}
	return l
}

func (l listModel) move(rows []row, delta int) listModel {
	if len(rows) == 0 {
		return l
	}
	l.cursor = min(max(l.cursor+delta, 0), len(rows)-1)
	l.selected = rows[l.cursor].did()
	return l
}

// listKeys are the list's bindings with those that act on a row turned
// on when an account's row is selected.
func (m Model) listKeys() listKeys {
	r, ok := m.current()
	return m.list.keys.withRow(ok && r.acct != nil, m.opts.Shell != nil)
}

// current is the row under the cursor.
func (m Model) current() (row, bool) {
	rows := m.rows()
	if m.list.cursor < len(rows) {
		return rows[m.list.cursor], true
	}
	return row{}, false
}

func (m Model) updateList(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	if m.list.filtering {
		return m.updateFilter(msg)
	}
	if l, ok := m.scroll(msg); ok {
		m.list = l
		m.list.slid = false // chosen
		return m, nil
	}
	k := m.listKeys()
	if m, refused := m.slideGuard(msg, k); refused {
		return m, nil
	}
	switch {
	case key.Matches(msg, k.Quit):
		m.quitting = true
		return m, nil
	case key.Matches(msg, k.Dismiss):
		m = m.dismissNote()
	case key.Matches(msg, k.ClearFilter):
		m.list = m.list.clearFilter(m)
	case key.Matches(msg, k.Help):
		m.help.ShowAll = !m.help.ShowAll
	case key.Matches(msg, k.Filter):
		m.list.filtering, m.list.slid = true, false
		return m, m.list.filter.Focus()
	case key.Matches(msg, k.Add):
		m.screen = screenLogin
		m.login = newLoginModel(m.fieldStyles())
		return m, m.login.focusCmd()
	case key.Matches(msg, k.Switch):
		return m.activate()
	case key.Matches(msg, k.LoginAgain):
		return m.logInAgain()
	case key.Matches(msg, k.Refresh):
		return m.refreshSelected()
	case key.Matches(msg, k.Logout):
		return m.logoutSelected()
	case key.Matches(msg, k.Undo):
		return m.undoLogout()
	case key.Matches(msg, k.Inspect):
		m.list.slid = false // its name fills the inspector
		return m.openInspector()
	case key.Matches(msg, k.Shell):
		return m.openShell()
	case key.Matches(msg, k.Copy), key.Matches(msg, k.CopyExport):
		return m.copySelected(key.Matches(msg, k.CopyExport))
	}
	return m, nil
}

func (m Model) updateFilter(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	switch k := m.list.fkeys; {
	case key.Matches(msg, k.Clear):
		m.list = m.list.clearFilter(m)
		return m, nil
	case key.Matches(msg, k.Apply):
		m.list.filtering = false
		m.list.filter.Blur()
		m.list = m.list.settle(m.rows())
		m.list.keys.ClearFilter.SetEnabled(m.list.filtered())
		return m, nil
	case key.Matches(msg, k.Quit):
		m.quitting = true
		return m, nil
	}
	return m.editFilter(msg)
}

// editFilter hands a key or a paste to the filter and puts the cursor on
// the first match.
func (m Model) editFilter(msg tea.Msg) (Model, tea.Cmd) {
	var cmd tea.Cmd
	m.list.filter, cmd = m.list.filter.Update(msg)
	m.list.cursor = 0
	m.list = m.list.settle(m.rows())
	return m, cmd
}

// filtered reports whether a filter is applied.
func (l listModel) filtered() bool { return l.filter.Value() != "" }

// clearFilter drops the filter, being typed or applied: every row shows
// again, the cursor on the account it was on.
func (l listModel) clearFilter(m Model) listModel {
	l.filter.SetValue("")
	l.filtering = false
	l.filter.Blur()
	l.keys.ClearFilter.SetEnabled(false)
	m.list = l
	return l.settle(m.rows())
}

func (m Model) refreshSelected() (Model, tea.Cmd) {
	r, ok := m.current()
	if !ok || r.acct == nil {
		return m, nil
	}
	return m.refreshAccount(r.acct)
}

// refreshAccount refreshes a now, unless its session ended or a command
// for it runs.
func (m Model) refreshAccount(a *storage.Account) (Model, tea.Cmd) {
	if a.SessionEnded {
		return m, nil
	}
	if err := a.SecretsErr(); err != nil {
		// Nothing to refresh with; but the keyring may answer now
		// (unlocked meanwhile): read the accounts again.
		m.setStatus(fmt.Sprintf("Cannot refresh @%s: %v (asking the keyring again)", a.Handle, err), true)
		return m, loadCmd(m.svc)
	}
	rt := m.rtOf(a.DID)
	if rt.busy != "" {
		return m, nil
	}
	rt.busy = "refreshing"
	return m, tea.Batch(refreshCmd(m.svc, a.DID, rt.gen), m.spinner.Tick)
}
