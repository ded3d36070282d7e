package ui_test

import (
	"image/color"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/ui"
)

// The colours are a dark terminal's until the terminal reports its
// background; a light one turns them to the light shades, and a dark one
// back.
func TestColoursFollowTheReportedBackground(t *testing.T) {
	withProfile(t, colorprofile.TrueColor)
	w := newWorld(t, fakepds.Options{AccessLifetime: 2 * time.Hour})
	w.login(nil, "alice.test")
	d := w.start(ui.Options{})
	darkCalm, lightCalm := "38;2;95;215;135", "38;2;27;127;59" // #5FD787, #1B7F3B
	for _, c := range []struct {
		background color.Color
		want, not  string
	}{
		{nil, darkCalm, lightCalm},
		{color.White, lightCalm, darkCalm},
		{color.Black, darkCalm, lightCalm},
	} {
		if c.background != nil {
			d.send(tea.BackgroundColorMsg{Color: c.background})
		}
		l := d.row("alice.test")
		if !strings.Contains(l, c.want+"m") || strings.Contains(l, c.not+"m") {
			t.Errorf("background %v: the countdown is not in %s: %q", c.background, c.want, l)
		}
	}
}

// palette is a background's shades as the frame writes them (true colour).
type palette struct{ text, muted, accent string }

var (
	darkFields  = palette{text: "38;2;232;232;232", muted: "38;2;138;138;138", accent: "38;2;157;140;255"} // #E8E8E8 #8A8A8A #9D8CFF
	lightFields = palette{text: "38;2;26;26;26", muted: "38;2;107;107;107", accent: "38;2;90;56;198"}      // #1A1A1A #6B6B6B #5A38C6
)

// The text fields (the login form's, the sign-in code's, the filter) are
// in the theme's colours for the background the terminal reports, not
// Bubbles' dark defaults (a light grey cursor and prompt, text in the
// terminal's own colour): from the start (dark until it answers), in a
// form open when the answer comes, in one opened after it, in the code's
// field and the filter.
func TestFieldsFollowTheReportedBackground(t *testing.T) {
	withProfile(t, colorprofile.TrueColor)
	for _, c := range []struct {
		name    string
		answers []color.Color
		want    palette
	}{
		{"no answer", nil, darkFields},
		{"light", []color.Color{color.White}, lightFields},
		{"dark", []color.Color{color.Black}, darkFields},
		{"light then dark", []color.Color{color.White, color.Black}, darkFields},
		{"dark then light", []color.Color{color.Black, color.White}, lightFields},
	} {
		t.Run(c.name, func(t *testing.T) {
			svc := &stub{st: manyAccounts(2, t0), err: auth.ErrAuthFactorTokenRequired}
			d := newDriver(t, svc, newClock(), ui.Options{})
			d.boot()
			d.key("a")
			d.typ("alice.test")
			for _, bg := range c.answers {
				d.send(tea.BackgroundColorMsg{Color: bg})
			}
			c.want.checkForm(d, "a form open at the answer")
			d.key("esc")
			d.key("a")
			d.typ("alice.test")
			c.want.checkForm(d, "a form opened after it")

			d.typ(password)
			d.key("enter")
			d.has("Sign-in code")
			c.want.cursorOn(d, "Code", "X", "XXXX-XXXXX")
			d.typ("ABCDE")
			c.want.typed(d, "Code", "ABCDE", true)

			d.key("esc")
			d.key("esc")
			d.key("/")
			c.want.is(d, "the typed filter's prompt", "/", "/", c.want.accent)
			d.typ("user")
			c.want.typed(d, "/", "user", true)
			d.key("enter")
			c.want.is(d, "the applied filter's prompt", "/", "/", c.want.muted)
			c.want.typed(d, "/", "user", false)
		})
	}
}

// The real program in a terminal with a white background: its answer to
// the program's question makes the fields light, the form's and the
// filter's (seen in the cells the terminal shows).
func TestFieldsOnALightTerminal(t *testing.T) {
	w := newWorld(t, fakepds.Options{})
	w.login(nil, "alice.test")
	p := w.runOn(color.White, ui.Options{})
	c := lightFields
	p.waitStyled("\x1b["+c.accent+";1mskyswitch", "@alice.test") // the answer came
	p.keys("a")
	p.waitFor("Add an account")
	p.typ("bob.test")
	p.waitStyled(
		"\x1b["+c.text+"mbob.test\x1b["+c.accent+";7m ", // the value, then the cursor
		"\x1b["+c.muted+"mxxxx-xxxx-xxxx-xxxx")          // the password's placeholder
	p.keys("esc")
	p.waitFor("@alice.test")
	p.keys("/")
	p.typ("al")
	p.waitStyled("\x1b[" + c.accent + "m/\x1b[" + c.text + "mal\x1b[" + c.accent + ";7m ")
	p.keys("enter")
	p.waitStyled("\x1b[" + c.muted + "m/\x1b[" + c.text + "mal")
}

// A background answer while the sign-in code is asked restyles its field.
func TestCodeFieldFollowsTheReportedBackground(t *testing.T) {
	withProfile(t, colorprofile.TrueColor)
	svc := &stub{st: manyAccounts(2, t0), err: auth.ErrAuthFactorTokenRequired}
	d := newDriver(t, svc, newClock(), ui.Options{})
	d.boot()
	d.key("a")
	d.typ("alice.test")
	d.key("tab")
	d.typ(password)
	d.key("enter")
	d.has("Sign-in code")
	d.typ("ABCDE")
	for _, c := range []struct {
		background color.Color
		want       palette
	}{{color.White, lightFields}, {color.Black, darkFields}} {
		d.send(tea.BackgroundColorMsg{Color: c.background})
		c.want.typed(d, "Code", "ABCDE", true)
	}
}

// Without colour (NO_COLOR gives the Ascii profile; no terminal, NoTTY)
// the fields have none either, on a light background too: the renderer
// drops the theme's colours there as for the rest of the screen. With
// NO_COLOR the focused field's cursor still shows, in reverse video.
func TestFieldsWithoutColour(t *testing.T) {
	for _, c := range []struct {
		name    string
		profile colorprofile.Profile
		reverse bool
	}{{"NO_COLOR", colorprofile.Ascii, true}, {"no terminal", colorprofile.NoTTY, false}} {
		t.Run(c.name, func(t *testing.T) {
			withProfile(t, c.profile)
			d := newDriver(t, &stub{st: manyAccounts(2, t0)}, newClock(), ui.Options{})
			d.boot()
			d.send(tea.BackgroundColorMsg{Color: color.White})
			check := func(screen, label string) {
				t.Helper()
				l := styledLine(d, label)
				if p := colourParams(l); p != "" {
					t.Errorf("%s: the field has colour (SGR %s): %q", screen, p, l)
				}
				if got := strings.Contains(l, "\x1b[7m"); got != c.reverse {
					t.Errorf("%s: a reversed cursor shows: %v, want %v: %q", screen, got, c.reverse, l)
				}
			}
			d.key("a")
			d.typ("alice.test")
			check("the login form", "Account")
			d.key("esc")
			d.key("/")
			d.typ("user")
			check("the filter", "/user")
		})
	}
}

// colourParams is the first SGR parameter list in s that sets a colour
// (the terminal's default, 39 and 49, is none), or "".
func colourParams(s string) string {
	for _, m := range regexp.MustCompile(`\x1b\[([0-9;:]*)m`).FindAllStringSubmatch(s, -1) {
		for _, p := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ';' || r == ':' }) {
			n, _ := strconv.Atoi(p)
			if n >= 30 && n <= 49 && n != 39 && n != 49 || n >= 90 && n <= 107 {
				return m[1]
			}
		}
	}
	return ""
}

// checkForm checks the login form with "alice.test" typed in the account
// field, focused: then the password field, focused, and the account's,
// not.
func (p palette) checkForm(d *driver, when string) {
	d.t.Helper()
	d.t.Logf("%s:", when)
	p.typed(d, "Account", "alice.test", true)
	p.is(d, "the blurred password's placeholder", "Password", "xxx-xxxx-xxxx-xxxx", p.muted)
	p.is(d, "the blurred service's placeholder", "Service", "mpty: find my PDS", p.muted)
	d.key("tab")
	p.typed(d, "Account", "alice.test", false)
	p.cursorOn(d, "Password", "x", "xxx-xxxx-xxxx-xxxx")
}

// typed checks a value typed in the field on the line starting with
// label: in the text colour, followed by the cursor when focused.
func (p palette) typed(d *driver, label, value string, focused bool) {
	d.t.Helper()
	p.is(d, label+"'s value", label, value, p.text)
	after := fieldSGR(d, label, regexp.QuoteMeta(value)+sgrGroup)
	switch cursor := "7;" + p.accent; {
	case focused && after != cursor:
		d.t.Errorf("%s: the cursor after %q is in SGR %q, want %q", label, value, after, cursor)
	case !focused && strings.HasPrefix(after, "7;"):
		d.t.Errorf("%s: a blurred field shows the cursor after %q (SGR %q)", label, value, after)
	}
}

// cursorOn checks an empty focused field: the cursor (reversed, in the
// accent colour) on the placeholder's first character, the rest muted.
func (p palette) cursorOn(d *driver, label, first, rest string) {
	d.t.Helper()
	p.is(d, label+"'s cursor", label, first+"\x1b[m", "7;"+p.accent)
	p.is(d, label+"'s placeholder", label, rest, p.muted)
}

// is checks that text on the line starting with label directly follows
// the SGR sequence want.
func (p palette) is(d *driver, what, label, text, want string) {
	d.t.Helper()
	if got := fieldSGR(d, label, sgrGroup+regexp.QuoteMeta(text)); got != want {
		d.t.Errorf("%s: %q is in SGR %q, want %q; the line: %q", what, text, got, want, styledLine(d, label))
	}
}

// sgrGroup is an SGR sequence, its parameters the group (after a reset, when
// one comes first).
const sgrGroup = `(?:\x1b\[m)?\x1b\[([0-9;]*)m`

// fieldSGR is the parameters of the SGR sequence that re (around sgrGroup)
// finds first on the line starting with label.
func fieldSGR(d *driver, label, re string) string {
	d.t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(styledLine(d, label))
	if m == nil {
		return "(not found)"
	}
	return m[1]
}

// styledLine is the line of the screen whose text, without its styles,
// starts with label.
func styledLine(d *driver, label string) string {
	d.t.Helper()
	v := d.view()
	for _, l := range strings.Split(v, "\n") {
		if strings.HasPrefix(strings.TrimSpace(ansiRE.ReplaceAllString(l, "")), label) {
			return l
		}
	}
	d.t.Fatalf("no line starts with %q:\n%s", label, d.redact(v))
	return ""
}
