package cli

import (
	"context"
	"errors"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/skyswitch/skyswitch/ui"
)

// runSwitcher runs the switcher until the person quits or ctx ends.
//
// Signals have one owner: main's signal.NotifyContext, which cancels ctx on
// SIGINT, SIGTERM and SIGHUP. Bubble Tea's own handler is off: it would
// catch SIGINT and SIGTERM too and, with ctx cancelled at the same moment,
// block for ever sending to an event loop that had stopped while shutdown
// waited for it (a hung alternate screen, 1 run in 3–6). A cancelled ctx
// kills the program, which restores the terminal. The file needs no care:
// every write is an atomic rename.
func runSwitcher(ctx context.Context, m ui.Model) error {
	// At 120 fps the renderer's first flush comes sooner (the first frame
	// waits for its ticker); it only writes when the view changed.
	p := tea.NewProgram(ui.Program(m), tea.WithAltScreen(), tea.WithContext(ctx),
		tea.WithoutSignalHandler(), tea.WithFPS(120))
	_, err := p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	return err
}
