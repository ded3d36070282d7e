package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/skyswitch/skyswitch/storage"
)

// allFlag is refresh's and logout's --all.
func allFlag(all *bool) flagSpec { return boolFlag(all, "", "all", "every saved account") }

// eachOptions: which command, the account named as argument, --all, and
// whether --account and SKYSWITCH_ACCOUNT choose the account (override);
// only, when set, the DIDs --all is limited to (those a question named).
type eachOptions struct {
	name     string
	account  string
	all      bool
	override bool
	only     []string
}

// eachAccount runs fn for the named account, the active one, or --all,
// after retrying the logouts still owed to a server (refresh and logout
// talk to servers anyway). fn writes what it has to say to w. With --all,
// up to allAtOnce accounts are handled at once, so servers that never
// answer cost about one timeout in all, not one each; what each says is
// printed in the saved order all the same. With override, --account and
// SKYSWITCH_ACCOUNT choose the account when none is named; without, a
// command that would otherwise act on the saved active account while
// SKYSWITCH_ACCOUNT pins the shell to another asks for the account's name
// instead of guessing.
func (e *invocation) eachAccount(ctx context.Context, opts eachOptions, fn func(w io.Writer, ident string) error) error {
	if opts.all && (opts.account != "" || e.account != "") {
		return usageErr("%s: give an account or --all, not both", opts.name)
	}
	ident, source := opts.account, sourceArgument
	switch {
	case opts.all:
	case opts.override:
		ident, source = e.choose(ident)
	case ident == "" && e.pinned() != "":
		return usageErr("%s: %s is set (to %s), so name the account: skyswitch %s <account>", opts.name, envAccount, e.pinned(), opts.name)
	}
	e.retryPending(ctx)
	if !opts.all {
		err := fromOverride(fn(e.stderr, ident), source)
		e.warnings()
		return err
	}
	return e.all(ctx, opts.name, opts.only, fn)
}

// all runs fn for every saved account (of those whose DIDs only lists,
// when it is not nil), up to allAtOnce at once, and says how many failed.
func (e *invocation) all(ctx context.Context, name string, only []string, fn func(w io.Writer, ident string) error) error {
	st, err := e.mgr.Load(ctx)
	if err != nil {
		return err
	}
	if only != nil {
		st.Accounts = slices.DeleteFunc(st.Accounts, func(a storage.Account) bool { return !slices.Contains(only, a.DID) })
	}
	failed := 0
	inOrder(len(st.Accounts), allAtOnce, func(i int, w io.Writer) error {
		return fn(w, st.Accounts[i].DID)
	}, func(i int, out []byte, err error) {
		e.stderr.Write(out)
		if err != nil {
			fmt.Fprintf(e.stderr, "skyswitch: @%s: %s\n", st.Accounts[i].Handle, e.failure(ctx, err))
			failed++
		}
	})
	e.warnings()
	if _, _, ok := interruptedBy(ctx); ok && failed > 0 {
		return context.Cause(ctx) // Run says it was interrupted
	}
	if failed > 0 {
		return &exitError{exitFailure, fmt.Errorf("%s failed for %d of %d accounts", name, failed, len(st.Accounts))}
	}
	return nil
}

// allAtOnce is how many accounts refresh --all and logout --all handle at
// once.
const allAtOnce = 8

// inOrder runs work(i) for i in [0, n), up to limit at once, and calls
// done for each in order of i as soon as it and all before it have ended,
// with what work wrote and its error.
func inOrder(n, limit int, work func(i int, w io.Writer) error, done func(i int, out []byte, err error)) {
	type result struct {
		out bytes.Buffer
		err error
		end chan struct{}
	}
	results := make([]result, n)
	slots := make(chan struct{}, limit)
	for i := range results {
		results[i].end = make(chan struct{})
		go func() {
			slots <- struct{}{}
			defer func() { <-slots; close(results[i].end) }()
			results[i].err = work(i, &results[i].out)
		}()
	}
	for i := range results {
		<-results[i].end
		done(i, results[i].out.Bytes(), results[i].err)
	}
}

// retryPending tries owed revocations again; failures stay queued quietly.
func (e *invocation) retryPending(ctx context.Context) {
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if n, _, err := e.mgr.RetryPendingLogouts(rctx); err == nil && n > 0 {
		fmt.Fprintf(e.stderr, "Revoked %d session(s) whose logout was pending.\n", n)
	}
}
