package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/skyswitch/skyswitch/accounts"
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
//
// Once the program has ended, the logouts it owes are sent (an x whose
// undo window was still open means log out: the window only delays it),
// then the refreshes (and checks and logouts) its
// commands already sent are waited for and saved before the process may
// end (settle). A run ended by a signal returns the signal's cause, which
// Run turns into its exit code (interrupt.go).
func (e *invocation) runSwitcher(ctx context.Context, m ui.Model, mgr *accounts.Manager) error {
	// One P: the switcher waits almost all the time, and with more, each
	// wake of the renderer's ticker also set the scheduler looking for work
	// on the idle ones: with two, an idle second cost half as much again
	// (scripts/live-load). GOMAXPROCS in the environment still decides.
	if os.Getenv("GOMAXPROCS") == "" {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	}
	// The alternate screen is the view's to ask for (ui.Model.View). The
	// renderer wakes fps times a second, idle or not, and its first frame
	// waits for the first wake: 40 keeps an idle switcher near 1 % of a
	// core and the first frame well under 50 ms (scripts/live-load,
	// scripts/first-frame); 60 costs a tenth more CPU, 30 a frame later.
	opts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithoutSignalHandler(), tea.WithFPS(40)}
	if e.getenv("NO_COLOR") != "" {
		// Any value but empty, as no-color.org and prompt read it: Bubble
		// Tea's own detection takes only a true one (1, true), so
		// NO_COLOR=yes left the switcher in colour.
		opts = append(opts, tea.WithColorProfile(colorprofile.Ascii))
	}
	p := tea.NewProgram(ui.Program(m), opts...)
	final, err := p.Run()
	e.sendOwedLogouts(ctx, mgr, ui.LogoutsOwed(final))
	settle(ctx, mgr, e.stderr)
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		if _, _, ok := interruptedBy(ctx); ok {
			return context.Cause(ctx)
		}
		return nil
	}
	return err
}

// sendOwedLogouts sends, as the switcher ends (q, ctrl+c or a signal), the
// logouts it owes (ui.LogoutsOwed), all at once, whatever ended ctx: each
// is bounded by the client's timeout, all of them by settleLimit. Each is
// said on stderr as logout says it; one already done (its account gone)
// is not.
func (e *invocation) sendOwedLogouts(ctx context.Context, mgr *accounts.Manager, dids []string) {
	if len(dids) == 0 {
		return
	}
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleLimit)
	defer cancel()
	type outcome struct {
		res accounts.LogoutResult
		err error
	}
	done := make([]outcome, len(dids))
	var wg sync.WaitGroup
	for i, did := range dids {
		wg.Go(func() {
			res, err := mgr.Logout(lctx, did)
			done[i] = outcome{res, err}
		})
	}
	wg.Wait()
	for i, o := range done {
		switch {
		case errors.Is(o.err, accounts.ErrNoAccount):
		case o.err != nil:
			fmt.Fprintf(e.stderr, "skyswitch: could not log out %s: %s\n", dids[i], sentence(o.err, e.clock()))
		default:
			sayLoggedOut(e.stderr, o.res, false, e.clock())
		}
	}
}
