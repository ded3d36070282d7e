package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/internal/sanitize"
	"github.com/skyswitch/skyswitch/storage"
)

// The picker is `skyswitch switch` with no argument, in a terminal: one
// list of the saved accounts, drawn in place under the command line, as
// kubectx's. What is typed filters it; enter chooses and ends it, esc or
// ctrl+c ends it choosing nothing. It reads nothing and writes nothing
// itself: the caller switches to the DID it chose, never to a handle, so a
// handle two accounts claim cannot choose the wrong one.

// pickerRows is how many accounts the picker shows at most.
const pickerRows = 10

// pickItem is one account as the picker shows it.
type pickItem struct {
	did, handle string // as saved, the handle sanitised
	active      bool
	marked      bool // the handle chooses nothing (shared, unverified)
	ended       bool
}

// pickerKeys are the picker's bindings: letters are the filter's.
type pickerKeys struct{ Up, Down, Choose, Cancel key.Binding }

// Picker is the model of the account picker.
type Picker struct {
	items  []pickItem
	shown  []int // indexes into items that match the filter
	cursor int   // index into shown
	filter textinput.Model
	keys   pickerKeys
	st     styles
	dark   bool
	width  int
	height int
	chosen string // the DID chosen with enter
	done   bool
}

// NewPicker lists st's accounts in saved order, the cursor on the active
// one.
func NewPicker(st *storage.State) Picker {
	marked := map[string]bool{}
	for _, he := range st.HandleErrors() {
		for _, did := range he.DIDs {
			marked[did] = true
		}
	}
	p := Picker{
		keys: pickerKeys{
			Up:     key.NewBinding(key.WithKeys("up", "ctrl+p", "shift+tab"), key.WithHelp("↑", "up")),
			Down:   key.NewBinding(key.WithKeys("down", "ctrl+n", "tab"), key.WithHelp("↓", "down")),
			Choose: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "switch")),
			Cancel: key.NewBinding(key.WithKeys("esc", "ctrl+c"), key.WithHelp("esc", "cancel")),
		},
		dark: true, width: 80, height: 24, // until the terminal says
	}
	for _, a := range st.Accounts {
		p.items = append(p.items, pickItem{
			did: a.DID, handle: sanitize.Line(a.Handle), active: a.DID == st.Active,
			marked: marked[a.DID], ended: a.SessionEnded,
		})
	}
	p.filter = textinput.New()
	p.filter.Prompt = "/ "
	p.filter.Placeholder = "type to filter by handle or DID"
	p.filter.CharLimit = 64
	p.filter.SetWidth(40)
	p.filter.Focus()
	p = p.restyle()
	p = p.refilter("")
	for i, item := range p.shown {
		if p.items[item].active {
			p.cursor = i
		}
	}
	return p
}

// Chosen is the DID chosen with enter, or "" when the picker ended without
// a choice (esc, ctrl+c) or has not ended.
func (p Picker) Chosen() string { return p.chosen }

// Init asks the terminal for its background colour.
func (p Picker) Init() tea.Cmd { return tea.RequestBackgroundColor }

// Update handles keys, pastes, the window's size and the background.
func (p Picker) Update(msg tea.Msg) (Picker, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		p.width, p.height = msg.Width, msg.Height
		p.filter.SetWidth(max(msg.Width-4, 10))
		return p, nil
	case tea.BackgroundColorMsg:
		p.dark = msg.IsDark()
		return p.restyle(), nil
	case tea.KeyPressMsg:
		return p.onKey(msg)
	case tea.PasteMsg:
		msg.Content = strings.TrimRight(msg.Content, "\r\n")
		return p.edit(msg)
	}
	return p, nil
}

func (p Picker) onKey(msg tea.KeyPressMsg) (Picker, tea.Cmd) {
	switch {
	case key.Matches(msg, p.keys.Cancel):
		p.done = true
		return p, tea.Quit
	case key.Matches(msg, p.keys.Choose):
		if len(p.shown) == 0 {
			return p, nil // nothing matches: enter chooses nothing
		}
		p.chosen, p.done = p.items[p.shown[p.cursor]].did, true
		return p, tea.Quit
	case key.Matches(msg, p.keys.Up):
		p.cursor = max(p.cursor-1, 0)
		return p, nil
	case key.Matches(msg, p.keys.Down):
		p.cursor = max(min(p.cursor+1, len(p.shown)-1), 0)
		return p, nil
	}
	return p.edit(msg)
}

// edit hands a key or paste to the filter, and filters again; the cursor
// stays on its account while that still matches.
func (p Picker) edit(msg tea.Msg) (Picker, tea.Cmd) {
	var under string
	if len(p.shown) > 0 {
		under = p.items[p.shown[p.cursor]].did
	}
	var cmd tea.Cmd
	p.filter, cmd = p.filter.Update(msg)
	return p.refilter(under), cmd
}

// refilter lists the accounts whose handle or DID holds the filter, and
// puts the cursor on the one with DID under, else on the first.
func (p Picker) refilter(under string) Picker {
	q := strings.ToLower(strings.TrimSpace(p.filter.Value()))
	p.shown, p.cursor = nil, 0
	for i, item := range p.items {
		if q == "" || strings.Contains(strings.ToLower(item.handle), q) || strings.Contains(strings.ToLower(item.did), q) {
			if item.did == under {
				p.cursor = len(p.shown)
			}
			p.shown = append(p.shown, i)
		}
	}
	return p
}

func (p Picker) restyle() Picker {
	p.st = newStyles(defaultTheme, p.dark)
	p.filter.SetStyles(newFieldStyles(defaultTheme, p.dark))
	return p
}
