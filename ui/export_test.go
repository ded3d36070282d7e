package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/auth"
)

// Test hooks: the one-second tick's message is unexported, so tests make
// their own (the real tick waits for the wall clock).

// Tick is the message the model's one-second tick delivers.
func Tick(t time.Time) tea.Msg { return tickMsg(t) }

// UndoWindow is how long x waits before it sends the logout.
const UndoWindow = undoWindow

// IsTick reports whether msg is that message.
func IsTick(msg tea.Msg) bool {
	_, ok := msg.(tickMsg)
	return ok
}

// LoadedMsg is what the model's load command brings back from svc.
func LoadedMsg(svc Service) tea.Msg { return loadCmd(svc)() }

// HumanError is the sentence the screen shows for err.
func HumanError(err error, now time.Time) string { return humanError(err, now) }

// ThemeColours are the theme's error and warning colours as a dark
// terminal shows them (the tests set a dark background).
func ThemeColours() (alarm, warn string) {
	return defaultTheme.alarm.dark, defaultTheme.warn.dark
}

// ListenWith has the browser sign-ins start their listener with listen;
// restore puts auth.ListenCallback back.
func ListenWith(listen func() (*auth.CallbackListener, error)) (restore func()) {
	listenCallback = listen
	return func() { listenCallback = auth.ListenCallback }
}

// OAuthWaitLimitIs bounds the browser sign-ins' wait for the browser by d;
// restore puts the bound back.
func OAuthWaitLimitIs(d time.Duration) (restore func()) {
	old := oauthWaitLimit
	oauthWaitLimit = d
	return func() { oauthWaitLimit = old }
}
