package ui

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/auth"
)

// The form's fields, in the order they are drawn and tabbed through: the
// account and its password, then the optional service.
const (
	fieldIdentifier = iota
	fieldPassword
	fieldService
	fieldCount
)

// appPasswordRE is what an app password looks like, compiled when the
// form is first drawn: not at start, which every command (token, prompt)
// would pay.
var appPasswordRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$`)
})

// The longest value each field takes, in characters. A field holds one
// more, so that a paste cut at its limit is refused as too long instead of
// being sent cut. What a valid value is, auth decides (NormalizeServiceURL,
// ParseIdentifier, NormalizeSignInCode); these only bound what is typed.
const (
	maxServiceLen  = auth.MaxServiceLen
	maxIdentLen    = auth.MaxIdentifierLen
	maxPasswordLen = auth.MaxPasswordLen
	maxCodeLen     = auth.MaxSignInCodeLen
)

// loginModel is the add-account flow: the form, then (when the server asks
// for it) the sign-in code. The password lives only in the password field,
// and is dropped when the flow ends.
type loginModel struct {
	keys     formKeys
	fields   [fieldCount]textinput.Model
	focus    int
	code     textinput.Model
	needCode bool
	busy     bool
	err      string
	// attempt is the login in flight (Model.logins when it was sent), and
	// cancel ends its request: esc while busy calls it and forgets the
	// attempt, so its result, whenever it comes, is dropped.
	attempt int
	cancel  context.CancelFunc
	// again is the saved account this form logs in to again, if any.
	again againTarget
	// oauth: the form signs in through the browser (oauth.go), without
	// the password field. While busy, authURL is the page the sign-in
	// waits on, once started, and browserErr why no browser opened.
	oauth               bool
	authURL, browserErr string
}

// newLoginModel is an empty form, its fields in the styles fs (the
// terminal's background decides them: Model.fieldStyles).
func newLoginModel(fs textinput.Styles) loginModel {
	mk := func(limit int) textinput.Model {
		t := textinput.New()
		t.SetStyles(fs)
		t.CharLimit = limit
		t.Prompt = ""
		return t
	}
	l := loginModel{keys: defaultFormKeys()}
	l.fields[fieldService] = mk(maxServiceLen + 1)
	l.fields[fieldIdentifier] = mk(maxIdentLen + 1)
	l.fields[fieldPassword] = mk(maxPasswordLen + 1)
	l.fields[fieldPassword].EchoMode = textinput.EchoPassword
	l.fields[fieldPassword].EchoCharacter = '•'
	l.code = mk(maxCodeLen + 1)
	l.focus = fieldIdentifier
	return l.fit(80) // the window's width comes with the first key or frame
}

// restyle gives every field of the form, the code's too, the styles fs.
func (l loginModel) restyle(fs textinput.Styles) loginModel {
	for i := range l.fields {
		l.fields[i].SetStyles(fs)
	}
	l.code.SetStyles(fs)
	return l
}

func (l *loginModel) focusCmd() tea.Cmd {
	for i := range l.fields {
		l.fields[i].Blur()
	}
	if l.needCode {
		return l.code.Focus()
	}
	return l.fields[l.focus].Focus()
}

// updateFocused hands msg to the field being typed in: the sign-in code
// when the form asks for it, else the focused field.
func (l *loginModel) updateFocused(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	if l.needCode {
		l.code, cmd = l.code.Update(msg)
	} else {
		l.fields[l.focus], cmd = l.fields[l.focus].Update(msg)
	}
	return cmd
}

func (l loginModel) input() auth.LoginInput {
	return auth.LoginInput{
		Service:         strings.TrimSpace(l.fields[fieldService].Value()),
		Identifier:      strings.TrimSpace(l.fields[fieldIdentifier].Value()),
		Password:        l.fields[fieldPassword].Value(),
		AuthFactorToken: l.code.Value(),
	}
}

func (m Model) updateLogin(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	m.login = m.login.fit(m.width)
	l := &m.login
	switch {
	case key.Matches(msg, l.keys.Quit):
		l.stop()
		m.quitting = true
		return m, nil
	case l.busy && key.Matches(msg, l.keys.Back):
		l.stop()
		l.err = "Sign-in cancelled."
		return m, l.focusCmd()
	case l.busy && l.authURL != "" && key.Matches(msg, l.keys.CopyURL):
		m.setStatus("Copied the sign-in page's address to the clipboard (if the terminal allows OSC 52).", false)
		return m, tea.SetClipboard(l.authURL)
	case l.busy:
		return m, nil
	case !l.needCode && key.Matches(msg, l.keys.Kind):
		l.setOAuth(!l.oauth)
		return m, l.focusCmd()
	case key.Matches(msg, l.keys.Back):
		if l.needCode {
			l.needCode, l.err = false, ""
			l.code.SetValue("")
			return m, l.focusCmd()
		}
		m.login = newLoginModel(m.fieldStyles()) // drops the password
		m.screen = screenList
		return m, nil
	case key.Matches(msg, l.keys.Submit):
		return m.submitLogin()
	case !l.needCode && l.focus == fieldService && key.Matches(msg, nextSavedService, prevSavedService):
		l.pickService(m.savedServices(), key.Matches(msg, nextSavedService))
		return m, nil
	case !l.needCode && key.Matches(msg, l.keys.Next):
		l.move(1)
		return m, l.focusCmd()
	case !l.needCode && key.Matches(msg, l.keys.Prev):
		l.move(fieldCount - 1)
		return m, l.focusCmd()
	}
	return m, l.updateFocused(msg)
}

func (m Model) submitLogin() (Model, tea.Cmd) {
	l := &m.login
	if l.oauth && !l.needCode {
		return m.submitOAuth()
	}
	in := l.input()
	if !l.needCode {
		// As typed: a paste cut at a field's limit is too long even when
		// it ends in spaces.
		typed := auth.LoginInput{Service: l.fields[fieldService].Value(), Identifier: l.fields[fieldIdentifier].Value(), Password: in.Password}
		var tl *auth.TooLongError
		if errors.As(typed.CheckLengths(), &tl) {
			field := map[auth.LoginField]int{auth.FieldService: fieldService, auth.FieldIdentifier: fieldIdentifier, auth.FieldPassword: fieldPassword}
			l.err, l.focus = "T"+strings.TrimPrefix(tl.Error(), "t")+".", field[tl.Field]
			return m, l.focusCmd()
		}
	}
	switch {
	case in.Identifier == "":
		l.err, l.focus = "Enter your handle, email or DID.", fieldIdentifier
		return m, l.focusCmd()
	case in.Password == "":
		l.err, l.focus = "Enter the (app) password.", fieldPassword
		return m, l.focusCmd()
	case l.needCode:
		if _, err := auth.NormalizeSignInCode(in.AuthFactorToken); err != nil {
			l.err = "A sign-in code has 10 letters and digits, like ABCDE-12345."
			return m, nil
		}
	default:
		in.AuthFactorToken = ""
	}
	// The model owns the request's context, so that esc can end it.
	ctx, cancel := context.WithTimeout(context.Background(), networkTimeout)
	m.logins++
	l.busy, l.err, l.attempt, l.cancel = true, "", m.logins, cancel
	send := loginCmd(ctx, cancel, m.svc, in, l.attempt)
	if l.again.did != "" {
		send = loginAgainCmd(ctx, cancel, m.svc, l.again.did, in, l.attempt)
	}
	return m, tea.Batch(send, m.spinner.Tick)
}

// stop cancels the login in flight, if any; its result will be dropped.
func (l *loginModel) stop() {
	if l.cancel != nil {
		l.cancel()
	}
	l.busy, l.attempt, l.cancel = false, 0, nil
	l.authURL, l.browserErr = "", ""
}

func (m Model) onLoginDone(msg loginDoneMsg) (Model, tea.Cmd) {
	l := &m.login
	if !l.busy || msg.attempt != l.attempt {
		return m, nil // cancelled: the form has moved on
	}
	l.busy, l.attempt, l.cancel = false, 0, nil
	l.authURL, l.browserErr = "", ""
	switch {
	case msg.err == nil:
		again := l.again
		m.login = newLoginModel(m.fieldStyles())
		m.screen = screenList
		return m.loggedIn(msg.acct, again), loadCmd(m.svc)
	case errors.Is(msg.err, auth.ErrAuthFactorTokenRequired):
		l.needCode, l.err = true, ""
		return m, l.focusCmd()
	}
	l.err = capitalize(loginErrorText(msg.err, m.now)) + "."
	if f, ok := fieldAtFault(msg.err); ok {
		l.focus = f
		return m, l.focusCmd()
	}
	return m, nil
}

func (m Model) loginView() string {
	l := m.login.fit(m.width)
	var b strings.Builder
	if l.needCode {
		b.WriteString(m.st.title.Render("Sign-in code") + "\n\n")
		b.WriteString(wrapTo("A sign-in code was sent to your email. Enter it here:", m.width) + "\n\n")
		b.WriteString("  " + m.st.focused.Render("Code  ") + l.code.View() + "\n")
	} else {
		b.WriteString(m.st.title.Render(truncate(shown(l.formTitle()), max(m.width, 20))) + "\n\n")
		b.WriteString(m.kindLine(l) + "\n\n")
		labels := [fieldCount]string{"Account ", "Password", "Service "}
		var offer string // under the service field while it has the focus
		if l.focus == fieldService && !l.busy {
			offer = m.savedServicesLine(m.savedServices(), m.width)
		}
		for i := range l.fields {
			if i == fieldPassword && l.oauth {
				continue
			}
			label := m.st.label.Render(labels[i])
			if i == l.focus {
				label = m.st.focused.Render(labels[i])
			}
			b.WriteString("  " + label + "  " + l.fields[i].View() + "\n")
			if i == fieldService && offer != "" {
				b.WriteString(offer + "\n")
			}
		}
		if pw := l.fields[fieldPassword].Value(); pw != "" && !l.oauth && !appPasswordRE().MatchString(pw) {
			b.WriteString("\n" + m.st.hint.Render(indent(wrapTo("Tip: an app password (xxxx-xxxx-xxxx-xxxx) is safer than your main password.", m.width-4), "  ")))
			b.WriteByte('\n')
		}
	}
	b.WriteByte('\n')
	switch {
	case l.oauth && !l.needCode && (l.busy || l.err == ""):
		b.WriteString(m.oauthStatusView(l))
	case l.busy:
		b.WriteString("  " + m.spinner.View() + " signing in… " + m.st.muted.Render("(esc cancels)") + "\n")
	case l.err != "":
		b.WriteString(m.st.errorText.Render(indent(wrapTo(shown(l.err), m.width-4), "  ")) + "\n")
	}
	return b.String()
}

// pasteLogin puts pasted text into the field that has the focus (the code,
// when the form asks for it), without the line end a copied line brings.
func (m Model) pasteLogin(msg tea.PasteMsg) (Model, tea.Cmd) {
	m.login = m.login.fit(m.width)
	l := &m.login
	if l.busy {
		return m, nil
	}
	msg.Content = strings.TrimRight(msg.Content, "\r\n")
	return m, l.updateFocused(msg)
}
