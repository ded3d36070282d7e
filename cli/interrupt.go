package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"syscall"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
)

// A run ended by a signal exits as a process the signal killed would, in
// the shell's convention: 128 + the signal's number (130 for SIGINT, 143
// for SIGTERM, 129 for SIGHUP), not 1 with "context canceled". When all
// that went wrong is the interruption itself, stderr gets one line naming
// the signal ("skyswitch: interrupted (SIGTERM)"), so a script's log says
// what stopped it; any other error is said as usual. Commands wait for a
// refresh already sent before they return (accounts.Manager), so the
// interrupted run has saved the rotated tokens by then.

// interruptSignals are the signals main turns into a cancelled ctx, with
// the names said on stderr.
var interruptSignals = []struct {
	sig  syscall.Signal
	name string
}{{syscall.SIGINT, "SIGINT"}, {syscall.SIGTERM, "SIGTERM"}, {syscall.SIGHUP, "SIGHUP"}}

// interruptedBy names the signal that ended ctx, with the exit code it
// calls for. signal.NotifyContext cancels with a cause of its own, whose
// text is the signal's String and " signal received" (os/signal, Go 1.21
// on; TestProcessInterruptedRefresh holds it): a ctx cancelled otherwise
// (a test's cancel, a deadline) is no interruption.
func interruptedBy(ctx context.Context) (name string, code int, ok bool) {
	if ctx.Err() == nil {
		return "", 0, false
	}
	cause := context.Cause(ctx)
	for _, s := range interruptSignals {
		if cause != nil && cause.Error() == s.sig.String()+" signal received" {
			return s.name, 128 + int(s.sig), true
		}
	}
	return "", 0, false
}

// interrupted ends a run that failed with err after a signal ended ctx:
// it says so and returns the exit code. ok is false when no signal did.
func (e *invocation) interrupted(ctx context.Context, err error) (code int, ok bool) {
	name, code, ok := interruptedBy(ctx)
	if !ok {
		return 0, false
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintf(e.stderr, "skyswitch: interrupted (%s)\n", name)
	} else {
		fmt.Fprintf(e.stderr, "skyswitch: %s\n", sentence(err, e.clock()))
	}
	return code, true
}

// failure is the sentence for one of several things a run does (refresh
// --all's accounts): "interrupted" when the signal that ended ctx is what
// stopped it.
func (e *invocation) failure(ctx context.Context, err error) string {
	if _, _, ok := interruptedBy(ctx); ok && errors.Is(err, context.Canceled) {
		return "interrupted"
	}
	return sentence(err, e.clock())
}

// Bounds of the wait of a switcher that quits while something it sent to
// a server has not been answered yet. Each call is bounded by the
// client's timeout (30 s); the notice comes after a second of waiting.
const (
	settleLimit  = 35 * time.Second
	settleNotice = time.Second
)

// settle waits, after the switcher quit (q, ctrl+c or a signal), for the
// refreshes, checks and logouts already sent to land and be saved: an exit
// mid-refresh would lose the rotated tokens. Nothing more is sent. A
// signal during the wait does not cut it short; a second one ends the
// process (main).
func settle(ctx context.Context, mgr *accounts.Manager, stderr io.Writer) {
	settleSaying(ctx, mgr, stderr, settleNotice)
}

// settleSaying is settle with the notice said after notice.
func settleSaying(ctx context.Context, mgr *accounts.Manager, stderr io.Writer, notice time.Duration) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleLimit)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = mgr.Settle(sctx)
	}()
	said := time.NewTimer(notice)
	defer said.Stop()
	select {
	case <-done:
	case <-said.C:
		fmt.Fprintln(stderr, "skyswitch: waiting for the server to answer a refresh, so that its new tokens are saved…")
		<-done
	}
}
