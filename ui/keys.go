package ui

import "charm.land/bubbles/v2/key"

// listKeys are the account list's bindings; help shows only enabled ones.
type listKeys struct {
	Up, Down, Switch, Add, Logout, Refresh, Inspect, Filter, Help, Quit key.Binding
	// Shell, Copy, CopyExport and LoginAgain act on the selected row; on
	// only with one.
	Shell, Copy, CopyExport, LoginAgain key.Binding
	// Undo shuts a logout's undo window; enabled only while one is open.
	Undo                          key.Binding
	PageUp, PageDown, Top, Bottom key.Binding
	// Dismiss drops the note shown; enabled only while there is one.
	Dismiss key.Binding
	// ClearFilter drops an applied filter; enabled only while there is
	// one. With a note showing too, esc dismisses the note first.
	ClearFilter key.Binding
}

func defaultListKeys() listKeys {
	return listKeys{
		Up:          key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:        key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:      key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown:    key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Top:         key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g/home", "first")),
		Bottom:      key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G/end", "last")),
		Switch:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "activate")),
		Add:         key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add")),
		Logout:      key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "log out")),
		Undo:        key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "undo log out"), key.WithDisabled()),
		Refresh:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh")),
		Inspect:     key.NewBinding(key.WithKeys("i", "right", "l"), key.WithHelp("i/→/l", "inspect")),
		Filter:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Help:        key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "keys")),
		Quit:        key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Shell:       key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "shell as it"), key.WithDisabled()),
		Copy:        key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy DID"), key.WithDisabled()),
		CopyExport:  key.NewBinding(key.WithKeys("Y"), key.WithHelp("Y", "copy export line"), key.WithDisabled()),
		LoginAgain:  key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "log in again"), key.WithDisabled()),
		Dismiss:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "dismiss note"), key.WithDisabled()),
		ClearFilter: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter"), key.WithDisabled()),
	}
}

// ShortHelp is the footer.
func (k listKeys) ShortHelp() []key.Binding {
	inspect := k.Inspect
	inspect.SetHelp("i/→", "inspect") // l in full help only: the footer is full
	return []key.Binding{k.Dismiss, k.clearFilter(), k.Undo, k.Switch, k.Add, k.Logout, inspect, k.Filter, k.Help, k.Quit}
}

// FullHelp is shown on "?".
func (k listKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Switch, k.Inspect, k.Add, k.Refresh, k.Logout, k.Undo},
		{k.Shell, k.Copy, k.CopyExport, k.LoginAgain, k.Filter},
		{k.Help, k.Quit, k.Dismiss, k.clearFilter()},
	}
}

// withRow turns on the bindings that act on a row when an account's is
// selected (the shell only when the caller gave one).
func (k listKeys) withRow(account, shell bool) listKeys {
	k.Shell.SetEnabled(account && shell)
	k.Copy.SetEnabled(account)
	k.CopyExport.SetEnabled(account)
	k.LoginAgain.SetEnabled(account)
	return k
}

// clearFilter is the ClearFilter binding as help shows it: not beside
// Dismiss, whose esc comes first.
func (k listKeys) clearFilter() key.Binding {
	if k.Dismiss.Enabled() {
		return key.NewBinding(key.WithDisabled())
	}
	return k.ClearFilter
}

// formKeys serve the login and sign-in code forms.
type formKeys struct {
	Next, Prev, Submit, Back, Quit key.Binding
	// Kind turns the form between a password login and one through the
	// browser (OAuth); CopyURL copies the page a browser sign-in waits on.
	Kind, CopyURL key.Binding
}

func defaultFormKeys() formKeys {
	return formKeys{
		Next:    key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab", "next field")),
		Prev:    key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab", "previous")),
		Submit:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "submit")),
		Back:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		Quit:    key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Kind:    key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "browser")),
		CopyURL: key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy address")),
	}
}

func (k formKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Next, k.Prev, k.Submit, k.Back, k.Kind}
}

// forKind are the form's keys as a form of this kind shows them (its
// footer only): ctrl+o names the other kind; with the browser's two
// fields, tab alone moves between them.
func (k formKeys) forKind(oauth bool) formKeys {
	if oauth {
		k.Kind.SetHelp("ctrl+o", "password")
		k.Prev.SetEnabled(false)
	} else {
		k.Kind.SetHelp("ctrl+o", "browser")
	}
	return k
}
func (k formKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// waitKeys are a browser sign-in's while it waits: esc cancels it, y
// copies the page's address.
type waitKeys struct{ CopyURL, Back key.Binding }

func (k waitKeys) ShortHelp() []key.Binding  { return []key.Binding{k.CopyURL, k.Back} }
func (k waitKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

func (k formKeys) forWaiting() waitKeys { return waitKeys{CopyURL: k.CopyURL, Back: k.Back} }

// codeKeys are the sign-in code form's: one field, and esc goes back to
// the login form rather than cancelling.
type codeKeys struct{ Submit, Back key.Binding }

func (k codeKeys) ShortHelp() []key.Binding  { return []key.Binding{k.Submit, k.Back} }
func (k codeKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

func (k formKeys) forCode() codeKeys {
	return codeKeys{Submit: k.Submit, Back: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back"))}
}

// inspectKeys serve the inspector.
type inspectKeys struct {
	Back, Refresh, Check, Quit key.Binding
}

func defaultInspectKeys() inspectKeys {
	return inspectKeys{
		Back:    key.NewBinding(key.WithKeys("esc", "left", "i"), key.WithHelp("esc", "back")),
		Refresh: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh")),
		Check:   key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "ask the server for status")),
		Quit:    key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

func (k inspectKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Back, k.Refresh, k.Check, k.Quit}
}
func (k inspectKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// filterKeys serve the filter while it is typed: every other key types.
type filterKeys struct{ Apply, Clear, Quit key.Binding }

func defaultFilterKeys() filterKeys {
	return filterKeys{
		Apply: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply")),
		Clear: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear")),
		Quit:  key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
	}
}

func (k filterKeys) ShortHelp() []key.Binding  { return []key.Binding{k.Apply, k.Clear, k.Quit} }
func (k filterKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }
