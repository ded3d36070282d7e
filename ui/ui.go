// Package ui is skyswitch's terminal interface: Bubble Tea models, state in
// and view out. All I/O runs in tea.Cmds that call a Service.
//
// The message flow:
//
//	keys, pastes ──► Update ──► the focused screen (list │ login │ code │ inspect)
//	tick (1 s) ────► Update ──► m.now; refreshes that are due; logouts whose undo
//	                              window closed (undo.go); reload if the file changed
//	tea.Cmd results (…Msg) ─► Update ──► state; stale results (older generation) dropped
//
// Only Update changes state. View reads m.now, which the one tick started in
// Init sets, so every countdown moves together and View stays pure.
package ui

import (
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
)

// screen is what has the keyboard.
type screen int

const (
	screenList screen = iota
	screenLogin
	screenInspect
)

func (s screen) String() string {
	return [...]string{"list", "login", "inspect"}[s]
}

// Options tune the model; zero values are sensible.
type Options struct {
	Now           func() time.Time // clock for countdowns and refresh scheduling
	RefreshMargin time.Duration    // refresh when this little is left (scaled to short tokens)
	MaxInFlight   int              // refreshes running at once
	Jitter        func() float64   // [0,1) for retry backoff
	Banner        string           // a permanent notice, e.g. that this is a demo
	Select        string           // handle or DID to select at start
	// Pinned, when set, is the account an override (--account or
	// SKYSWITCH_ACCOUNT) chooses: a line under the title names it, and
	// says so once it is logged out.
	Pinned Pinned
	// Initial, when set, is the accounts as the caller just loaded them:
	// the first frame shows them without reading the file again.
	Initial *storage.State
	// Notes are the store's warnings from before the switcher opened (the
	// caller's load); they show first, as those raised later do.
	Notes []string
	// Shell, when set, makes the shell `s` opens pinned to the selected
	// account; without it `s` is off.
	Shell ShellFunc
	// Browser opens the sign-in page of a login through the browser
	// (OAuth); without it the form shows the address to open.
	Browser OpenFunc
}

// runtime is what the TUI knows about an account beyond the file.
type runtime struct {
	gen      int    // bumped on logout: results of older commands are dropped
	busy     string // "refreshing", "logging out", ... (a spinner shows)
	failures int    // consecutive failed refreshes
	retryAt  time.Time
	lastErr  error
	// logoutAt: x was pressed; the logout is sent then, unless u (undo.go).
	// logoutSeq orders the windows opened (u without one on its row
	// undoes the last): presses in the same instant have one logoutAt.
	logoutAt  time.Time
	logoutSeq int
	// loggingOut: the logout was sent; its answer has not come.
	loggingOut bool
}

// Model is the root model.
type Model struct {
	svc  Service
	opts Options
	st   styles

	screen        screen
	windows       int // undo windows opened so far: each one's logoutSeq
	now           time.Time
	width, height int
	dark          bool // the terminal's background, as it reported it

	data    *storage.State
	stamp   string
	loadErr error
	rt      map[string]*runtime

	list    listModel
	login   loginModel
	inspect inspectModel

	logins    int // logins sent so far, numbering each attempt
	status    string
	statusErr bool
	notes     []string // the store's warnings, oldest first; the first shows
	nextRetry time.Time
	help      help.Model
	spinner   spinner.Model
	quitting  bool
	expiry    *expiryMemo
	// marks says, by DID, why an account's handle chooses nothing
	// (markShared, markUnverified); see withHandles.
	marks map[string]string
	// handleNotes are the notes withHandles has queued for the clashes
	// that last, so a dismissed one is not queued again.
	handleNotes []string

	// statusActive is the DID the status says is active, when it says
	// so (namesActive): a reload that shows another replaces it.
	statusActive string
	namesActive  bool
	// loadFloor: loads that began before it (loadedMsg.seq) are stale.
	loadFloor int64
	// switching is the DID whose switch is being written; nextSwitch the
	// one pressed meanwhile, written after it (two writes in flight could
	// land in either order, and the one pressed last must win).
	switching, nextSwitch string
}

// New builds the model over a service.
func New(svc Service, opts Options) Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RefreshMargin <= 0 {
		opts.RefreshMargin = auth.DefaultRefreshMargin
	}
	if opts.MaxInFlight <= 0 {
		opts.MaxInFlight = 3
	}
	if opts.Jitter == nil {
		opts.Jitter = rand.Float64
	}
	const dark = true // until the terminal answers
	fs := newFieldStyles(defaultTheme, dark)
	m := Model{
		svc: svc, opts: opts,
		now: opts.Now(), width: 80, height: 24, dark: dark,
		rt:      map[string]*runtime{},
		list:    newListModel(opts.Select, fs),
		login:   newLoginModel(fs),
		inspect: newInspectModel(),
		help:    help.New(),
		spinner: spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		expiry:  &expiryMemo{},
	}
	m = m.restyle()
	m = m.addNotes(opts.Notes)
	if opts.Initial != nil {
		m.data = opts.Initial
		m.list = m.settled()
		m = m.withHandles()
	}
	return m
}

// restyle makes the styles for the terminal's background.
func (m Model) restyle() Model {
	m.st = newStyles(defaultTheme, m.dark)
	m.help = withStyles(m.help, m.st)
	m.spinner.Style = m.st.title
	m.inspect.bar = newBar(defaultTheme.accent.on(m.dark))
	fs := m.fieldStyles()
	m.list.filter.SetStyles(fs)
	m.login = m.login.restyle(fs)
	return m
}

// fieldStyles are the text fields' styles for the terminal's background:
// a form opened later takes them too. (Made when needed, not kept in
// styles: the model is copied whole at every call.)
func (m Model) fieldStyles() textinput.Styles { return newFieldStyles(defaultTheme, m.dark) }

// Init loads the accounts, retries owed logouts, checks in the background
// the handles whose last check is due, starts the clock and asks
// the terminal for its background colour (the answer restyles the screen;
// until it comes, or if it never does, the colours are a dark terminal's).
func (m Model) Init() tea.Cmd {
	if m.data != nil {
		// Given by the caller; the first tick notices any later change.
		return tea.Batch(retryPendingCmd(m.svc), tick(), tea.RequestBackgroundColor, verifyHandlesCmd(m.svc))
	}
	return tea.Batch(loadCmd(m.svc), retryPendingCmd(m.svc), tick(), tea.RequestBackgroundColor, verifyHandlesCmd(m.svc))
}

// Update routes a message to the part of the model it concerns.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		return m, nil
	case tea.BackgroundColorMsg:
		if dark := msg.IsDark(); dark != m.dark {
			m.dark = dark
			m = m.restyle()
		}
		return m, nil
	case tickMsg:
		return m.onTick(time.Time(msg))
	case spinner.TickMsg:
		if !m.anyBusy() {
			return m, nil
		}
		var cmd tea.Cmd
		m.spinner, cmd = m.spinner.Update(msg)
		return m, cmd
	case tea.KeyPressMsg:
		return m.onKey(msg)
	case tea.PasteMsg:
		return m.onPaste(msg)
	}
	return m.onResult(msg)
}

// teaModel adapts Model to tea.Model, whose Update returns the interface.
type teaModel struct{ Model }

func (t teaModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := t.Model.Update(msg)
	if m.quitting {
		return teaModel{m}, tea.Quit
	}
	return teaModel{m}, cmd
}

// Program wraps the model for tea.NewProgram.
func Program(m Model) tea.Model { return teaModel{m} }

func (m Model) onKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	switch m.screen {
	case screenLogin:
		return m.updateLogin(msg)
	case screenInspect:
		return m.updateInspect(msg)
	}
	return m.updateList(msg)
}

// onPaste puts pasted text into the text field that has the focus, if any:
// the service, account, password or sign-in code, or the filter.
func (m Model) onPaste(msg tea.PasteMsg) (Model, tea.Cmd) {
	switch {
	case m.screen == screenLogin:
		return m.pasteLogin(msg)
	case m.screen == screenList && m.list.filtering:
		msg.Content = strings.TrimRight(msg.Content, "\r\n")
		return m.editFilter(msg)
	}
	return m, nil
}

func (m Model) onTick(t time.Time) (Model, tea.Cmd) {
	m.now = m.opts.Now()
	cmds := []tea.Cmd{tick(), reloadIfChangedCmd(m.svc, m.stamp)}
	var started int
	m, cmds = m.closeDueWindows(cmds) // first: no refresh starts on it
	m, started, cmds = m.startDueRefreshes(cmds)
	if m.data != nil && len(m.data.PendingLogouts) > 0 && !m.now.Before(m.nextRetry) {
		m.nextRetry = m.now.Add(30 * time.Second)
		cmds = append(cmds, retryPendingCmd(m.svc))
	}
	if started > 0 {
		cmds = append(cmds, m.spinner.Tick)
	}
	return m, tea.Batch(cmds...)
}

// rtOf returns the runtime of an account, creating it.
func (m Model) rtOf(did string) *runtime {
	r, ok := m.rt[did]
	if !ok {
		r = &runtime{}
		m.rt[did] = r
	}
	return r
}

func (m Model) anyBusy() bool {
	if m.login.busy || m.inspect.busy {
		return true
	}
	for _, r := range m.rt {
		if r.busy != "" {
			return true
		}
	}
	return false
}

// startDueRefreshes starts refreshes for accounts whose token is due (or
// whose retry time came), at most MaxInFlight at once.
func (m Model) startDueRefreshes(cmds []tea.Cmd) (Model, int, []tea.Cmd) {
	if m.data == nil {
		return m, 0, cmds
	}
	inFlight := 0
	for _, r := range m.rt {
		if r.busy == "refreshing" {
			inFlight++
		}
	}
	started := 0
	for i := range m.data.Accounts {
		a := &m.data.Accounts[i]
		r := m.rtOf(a.DID)
		if inFlight >= m.opts.MaxInFlight {
			break
		}
		// Tokens the keyring would not give cannot be refreshed: no attempt
		// until a reload brings them.
		if r.busy != "" || a.SessionEnded || a.SecretsErr() != nil || m.now.Before(r.retryAt) {
			continue
		}
		if r.retryAt.IsZero() && !m.refreshDue(a) {
			continue
		}
		r.busy = "refreshing"
		inFlight++
		started++
		cmds = append(cmds, refreshCmd(m.svc, a.DID, r.gen))
	}
	return m, started, cmds
}

// setStatus sets the status line; its text quotes handles and errors.
func (m *Model) setStatus(text string, isErr bool) {
	m.status, m.statusErr = shown(text), isErr
	m.statusActive, m.namesActive = "", false
}

// maxNotes bounds the queue of notes; later ones are dropped.
const maxNotes = 20

// addNotes queues the store's warnings behind those shown, each once.
func (m Model) addNotes(notes []string) Model {
	for _, n := range notes {
		n = shown(n)
		if len(m.notes) < maxNotes && !slices.Contains(m.notes, n) {
			m.notes = append(slices.Clip(m.notes), n)
		}
	}
	m.list.keys.Dismiss.SetEnabled(len(m.notes) > 0)
	return m
}

// dismissNote drops the note shown; the next one, if any, shows.
func (m Model) dismissNote() Model {
	if len(m.notes) > 0 {
		m.notes = slices.Clone(m.notes[1:])
	}
	m.list.keys.Dismiss.SetEnabled(len(m.notes) > 0)
	return m
}
