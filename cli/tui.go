package cli

import (
	"context"

	"github.com/skyswitch/skyswitch/internal/demo"
	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/ui"
)

// tuiOptions starts the switcher on the accounts just loaded, with the
// account --account or SKYSWITCH_ACCOUNT chooses selected and pinned (the
// switcher names it in a line, and says when it is logged out); an
// unknown one stops here, exit 4.
func (e *invocation) tuiOptions(st *storage.State) (ui.Options, error) {
	opts := ui.Options{Initial: st}
	ident, source := e.choose("")
	if ident == "" {
		return opts, nil
	}
	a, err := pick(st, ident, source)
	if err != nil {
		return opts, err
	}
	opts.Select = a.DID
	opts.Pinned = ui.Pinned{DID: a.DID, Handle: a.Handle, By: sourceText(source)}
	return opts, nil
}

// tui runs the interactive switcher until the person quits.
func (e *invocation) tui(ctx context.Context) error {
	if err := e.open(); err != nil {
		return err
	}
	// A file skyswitch cannot read stops here, with its name and what is
	// wrong, before the screen is taken over. (The terminal's background
	// colour is asked by the switcher itself, through Bubble Tea's input.)
	st, err := e.mgr.Load(ctx)
	if err != nil {
		return err
	}
	// Printed (seen once the switcher quits) and shown in it; those
	// raised while it runs, it shows as they come.
	notes := e.warnings()
	opts, err := e.tuiOptions(st)
	if err != nil {
		return err
	}
	opts.Notes = notes
	opts.Shell = e.pinnedShell
	opts.Browser = e.openBrowser // the form's sign-in through the browser
	return e.runSwitcher(ctx, ui.New(e.mgr, opts), e.mgr)
}

// demo runs the switcher over the sandbox of internal/demo.
func (e *invocation) demo(ctx context.Context) error {
	d, err := demo.Start(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	return e.runSwitcher(ctx, ui.New(d.Manager, ui.Options{Banner: d.Banner(), Browser: d.Open}), d.Manager)
}
