package ui_test

// The account picker of `skyswitch switch` with no argument: typed text
// filters, enter chooses a DID and ends, esc and ctrl+c end choosing
// nothing. Model-level: keys in, the choice and the frame out.

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/sanitize"
	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/ui"
)

// pickerState is alice, bob and carol saved, bob active.
func pickerState(handles ...string) *storage.State {
	if len(handles) == 0 {
		handles = []string{"alice.test", "bob.test", "carol.test"}
	}
	st := &storage.State{}
	for _, h := range handles {
		name, _, _ := strings.Cut(h, ".")
		st.Accounts = append(st.Accounts, storage.Account{SessionData: auth.SessionData{DID: did(name), Handle: h}})
	}
	st.Active = st.Accounts[1].DID
	return st
}

// pick sends keys (named as keyMsg names them, or text typed rune by rune
// when longer than one rune and not a named key) and returns the picker
// and whether the last key ended it.
func pick(t *testing.T, p ui.Picker, keys ...string) (ui.Picker, bool) {
	t.Helper()
	var cmd tea.Cmd
	for _, k := range keys {
		msgs := []tea.KeyPressMsg{}
		if _, named := namedKeys[k]; named || len([]rune(k)) == 1 {
			msgs = append(msgs, keyMsg(k))
		} else {
			for _, r := range k {
				msgs = append(msgs, runeKey(r))
			}
		}
		for _, msg := range msgs {
			p, cmd = p.Update(msg)
		}
	}
	if cmd == nil {
		return p, false
	}
	// tea.Quit answers at once; the filter's cursor blink waits: it is
	// not a quit.
	got := make(chan tea.Msg, 1)
	go func() { got <- cmd() }()
	select {
	case msg := <-got:
		_, quit := msg.(tea.QuitMsg)
		return p, quit
	case <-time.After(50 * time.Millisecond):
		return p, false
	}
}

func TestPickerOpensOnTheActiveAccount(t *testing.T) {
	p := ui.NewPicker(pickerState())
	got, quit := pick(t, p, "enter")
	if !quit || got.Chosen() != did("bob") {
		t.Errorf("enter at once: chose %q (quit %v), want the active %s", got.Chosen(), quit, did("bob"))
	}
	v := screenOf(p.View())
	if !strings.Contains(v, "> ● @bob.test") {
		t.Errorf("the active account is not marked and under the cursor:\n%s", v)
	}
	if got, _ := pick(t, p, "up", "enter"); got.Chosen() != did("alice") {
		t.Errorf("up, enter: chose %q, want alice", got.Chosen())
	}
	if got, _ := pick(t, p, "down", "down", "down", "enter"); got.Chosen() != did("carol") {
		t.Errorf("down past the end, enter: chose %q, want carol", got.Chosen())
	}
}

func TestPickerFiltersByWhatIsTyped(t *testing.T) {
	p := ui.NewPicker(pickerState())
	p, quit := pick(t, p, "car")
	if quit || p.Chosen() != "" {
		t.Fatalf("typing ended the picker or chose %q", p.Chosen())
	}
	v := screenOf(p.View())
	if !strings.Contains(v, "@carol.test") || strings.Contains(v, "@alice.test") || strings.Contains(v, "@bob.test") {
		t.Errorf("filter car:\n%s", v)
	}
	if got, quit := pick(t, p, "enter"); !quit || got.Chosen() != did("carol") {
		t.Errorf("filter car, enter: chose %q (quit %v)", got.Chosen(), quit)
	}
	// The cursor stays on its account while that still matches ("a"
	// matches every DID here).
	if got, _ := pick(t, ui.NewPicker(pickerState()), "a", "enter"); got.Chosen() != did("bob") {
		t.Errorf("a, enter: chose %q, want bob, under the cursor before", got.Chosen())
	}
	// Letters are the filter's: j and k move nothing, q quits nothing.
	p, quit = pick(t, ui.NewPicker(pickerState()), "q")
	if quit || !strings.Contains(screenOf(p.View()), "no account matches") {
		t.Errorf("q: quit %v\n%s", quit, screenOf(p.View()))
	}
	if got, quit := pick(t, p, "enter"); quit || got.Chosen() != "" {
		t.Errorf("enter with nothing shown chose %q (quit %v)", got.Chosen(), quit)
	}
	if got, _ := pick(t, p, "backspace", "alice", "enter"); got.Chosen() != did("alice") {
		t.Errorf("backspace, alice, enter: chose %q", got.Chosen())
	}
}

func TestPickerEscChoosesNothing(t *testing.T) {
	for _, k := range []string{"esc", "ctrl+c"} {
		p, quit := pick(t, ui.NewPicker(pickerState()), "down", k)
		if !quit || p.Chosen() != "" {
			t.Errorf("%s: chose %q (quit %v), want nothing and the end", k, p.Chosen(), quit)
		}
		if v := p.View().Content; v != "" {
			t.Errorf("%s: the picker leaves %q on the screen", k, v)
		}
	}
}

func TestPickerChoosesASharedHandleByItsDID(t *testing.T) {
	st := pickerState("alice.test", "bob.test", "carol.test")
	st.Accounts[2].Handle = "alice.test" // carol's server claims alice's handle
	p := ui.NewPicker(st)
	v := screenOf(p.View())
	if strings.Count(v, "@alice.test ⚠") != 2 || !strings.Contains(v, "shared or unverified") {
		t.Errorf("the shared handle is not marked on both rows:\n%s", v)
	}
	for keys, want := range map[string]string{"alice": did("alice"), "alice\x00down": did("carol")} {
		got, _ := pick(t, p, append(strings.Split(keys, "\x00"), "enter")...)
		if got.Chosen() != want {
			t.Errorf("%q, enter: chose %q, want %q", keys, got.Chosen(), want)
		}
	}
}

func TestPickerShowsAHostileHandleHarmlessly(t *testing.T) {
	st := pickerState()
	st.Accounts[0].Handle = "h\x1b]0;pwned\x07\x1b[2J\u202eevil"
	st.Accounts[2].SessionEnded = true
	p := ui.NewPicker(st)
	raw := p.View().Content
	for _, r := range strings.NewReplacer("\x1b[", "").Replace(raw) {
		if sanitize.Unsafe(r) && r != '\x1b' {
			t.Fatalf("the frame holds %U:\n%q", r, raw)
		}
	}
	v := screenOf(p.View())
	if !strings.Contains(v, `@h\x1b]0;pwned\a\x1b[2J`) {
		t.Errorf("the handle is not shown escaped:\n%s", v)
	}
	if !strings.Contains(v, "session ended") {
		t.Errorf("carol's ended session is not said:\n%s", v)
	}
}
