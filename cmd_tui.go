package main

import (
	"context"
	"errors"
	"fmt"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/ui"
)

// tuiOptions starts the switcher on the accounts just loaded, with the
// account --account or SKYSWITCH_ACCOUNT chooses selected and named in a
// banner (an unknown one stops here, exit 4).
func (c *cli) tuiOptions(st *storage.State) (ui.Options, error) {
	opts := ui.Options{Initial: st}
	ident, source := c.choose("")
	if ident == "" {
		return opts, nil
	}
	a, err := pick(st, ident, source)
	if err != nil {
		return opts, err
	}
	opts.Select = a.DID
	opts.Banner = fmt.Sprintf("%s chooses @%s in this shell; ● marks the saved active account.", sourceText(source), a.Handle)
	if source == sourceFlag {
		opts.Banner = fmt.Sprintf("--account chooses @%s; ● marks the saved active account.", a.Handle)
	}
	return opts, nil
}

// tui runs the interactive switcher until the person quits.
func (c *cli) tui(ctx context.Context) error {
	if err := c.setup(); err != nil {
		return err
	}
	// Ask the terminal for its background colour now, while the file
	// loads, rather than at the first frame: asking once Bubble Tea reads
	// the terminal can hang in v1 (lipgloss #73), and overlapping the round
	// trip with the load brings the first frame sooner.
	asked := make(chan struct{})
	go func() { lipgloss.HasDarkBackground(); close(asked) }()
	// A file skyswitch cannot read stops here, with its name and what is
	// wrong, before the screen is taken over.
	st, err := c.mgr.Load(ctx)
	<-asked
	if err != nil {
		return err
	}
	// Printed (seen once the switcher quits) and shown in it; those
	// raised while it runs, it shows as they come.
	notes := c.warnings()
	opts, err := c.tuiOptions(st)
	if err != nil {
		return err
	}
	opts.Notes = notes
	return runSwitcher(ctx, ui.New(c.mgr, opts))
}

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
