package ui

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
)

// fieldAtFault is the form's field where a failed login is put right, if
// one is: the service when no usable server was had (no PDS found from the
// handle, an email given alone, a service URL refused), the account when
// it is no handle, email or DID, or names another account than the one
// logged in to again.
func fieldAtFault(err error) (int, bool) {
	switch {
	case errors.Is(err, auth.ErrResolve), errors.Is(err, auth.ErrServiceNeeded), errors.Is(err, auth.ErrBadURL):
		return fieldService, true
	case errors.Is(err, auth.ErrBadIdentifier), errors.Is(err, accounts.ErrOtherAccount):
		return fieldIdentifier, true
	}
	return 0, false
}

// The service field's own keys: they fill in the next or the previous of
// the servers the saved accounts use (readline's and textinput's keys for
// the next and previous suggestion; ↑/↓ move between fields).
var (
	nextSavedService = key.NewBinding(key.WithKeys("ctrl+n"), key.WithHelp("ctrl+n", "next saved server"))
	prevSavedService = key.NewBinding(key.WithKeys("ctrl+p"), key.WithHelp("ctrl+p", "previous saved server"))
)

// savedServices are the servers the saved accounts logged in at, each
// once, in the order the accounts are saved, as auth writes them: a URL
// auth would refuse (a hand-edited file) is neither offered nor shown.
func (m Model) savedServices() []string {
	if m.data == nil {
		return nil
	}
	var out []string
	// Most accounts share a few servers: each as saved is checked once.
	checked, offered := map[string]bool{}, map[string]bool{}
	for _, a := range m.data.Accounts {
		if checked[a.Service] {
			continue
		}
		checked[a.Service] = true
		if u, err := auth.NormalizeServiceURL(a.Service); err == nil && !offered[u] {
			offered[u] = true
			out = append(out, u)
		}
	}
	return out
}

// pickService fills the service field with the saved server after (next)
// or before the one it holds; from any other value, with the first (or the
// last).
func (l *loginModel) pickService(saved []string, next bool) {
	if len(saved) == 0 {
		return
	}
	i, step := -1, 1
	if !next {
		i, step = len(saved), -1
	}
	for j, s := range saved {
		if s == l.fields[fieldService].Value() {
			i = j
		}
	}
	l.fields[fieldService].SetValue(saved[(i+step+len(saved))%len(saved)])
	l.fields[fieldService].CursorEnd()
}

// savedServicesLine offers, under the service field while it has the focus,
// the saved servers and the key that fills them in, within width cells: as
// many servers as fit (from the left edge if that makes room for more),
// then how many more; "" when there is none, or not even their number
// fits. An https server is shown without its scheme, as the field
// would take it too; the key fills in the whole URL.
func (m Model) savedServicesLine(saved []string, width int) string {
	if len(saved) == 0 {
		return ""
	}
	for n := len(saved); n >= 0; n-- {
		for _, indent := range []int{formIndent, 2} {
			if t := savedText(saved, n); lipgloss.Width(t) <= width-indent {
				return strings.Repeat(" ", indent) + m.st.hint.Render(t)
			}
		}
	}
	return ""
}

// savedText offers the first n of saved, then says how many more.
func savedText(saved []string, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d saved (ctrl+n)", len(saved))
	}
	shown := make([]string, n, n+1)
	for i, s := range saved[:n] {
		shown[i] = strings.TrimPrefix(s, "https://")
	}
	if rest := len(saved) - n; rest > 0 {
		shown = append(shown, fmt.Sprintf("+%d more", rest))
	}
	return "saved (ctrl+n): " + strings.Join(shown, " · ")
}
