package cli

import (
	"context"
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/skyswitch/skyswitch/ui"
)

// runPick is `switch` with no account, in a terminal: the picker (ui's)
// lists the saved accounts, the cursor on the active one, and the account
// chosen is switched to by its DID, so a handle another account claims
// never chooses. esc or ctrl+c switches nothing, and says so.
func runPick(ctx context.Context, e *invocation) error {
	st, err := e.mgr.Load(ctx)
	if err != nil {
		return err
	}
	e.warnings()
	if len(st.Accounts) == 0 {
		return &exitError{exitNoSession, errors.New("switch: no saved accounts (skyswitch login adds one)")}
	}
	p := tea.NewProgram(ui.PickerProgram(ui.NewPicker(st)), tea.WithContext(ctx), tea.WithoutSignalHandler())
	final, err := p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		if _, _, ok := interruptedBy(ctx); ok {
			return context.Cause(ctx)
		}
		return nil
	}
	if err != nil {
		return err
	}
	did := ui.Picked(final)
	if did == "" {
		if a, ok := st.ActiveAccount(); ok {
			fmt.Fprintf(e.stderr, "Nothing switched: @%s stays the active account.\n", a.Handle)
		} else {
			fmt.Fprintln(e.stderr, "Nothing switched: no account is active.")
		}
		return nil
	}
	return runSwitch(ctx, switchOptions{account: did}, e)
}
