package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
)

func listCommand() command {
	var opts listOptions
	return command{
		name: "list", args: "[--json | --handles]",
		summary: "list saved accounts, the active one first",
		flags: []flagSpec{
			boolFlag(&opts.json, "", "json", "print a JSON array"),
			boolFlag(&opts.handles, "", "handles", "print only the handles, one a line (for shell completion)"),
		},
		run: func(ctx context.Context, e *invocation, _ []string) error {
			return runList(ctx, opts, e)
		},
	}
}

// listOptions: --json, --handles.
type listOptions struct{ json, handles bool }

// runList prints the saved accounts: a table, a JSON array or the handles.
func runList(ctx context.Context, opts listOptions, e *invocation) error {
	if opts.json && opts.handles {
		return usageErr("list: give --json or --handles, not both")
	}
	st, err := e.mgr.Load(ctx)
	if err != nil {
		return err
	}
	e.warnings()
	if opts.handles {
		return writeHandles(e.stdout, st)
	}
	all := summaries(st, e.clock())
	if opts.json {
		return writeJSON(e.stdout, all)
	}
	if len(all) == 0 {
		fmt.Fprintln(e.stderr, "No saved accounts. Add one with: skyswitch login")
		return nil
	}
	if err := writeList(e.stdout, all, e.clock()); err != nil {
		return err
	}
	writeHandleNotes(e.stderr, st)
	return nil
}

// writeHandleNotes says, under list's table, which handles choose no
// account and why: two saved accounts claim it, or it is unverified.
func writeHandleNotes(w io.Writer, st *storage.State) {
	for _, he := range st.HandleErrors() {
		fmt.Fprintf(w, "skyswitch: note: %v\n", he)
	}
}

// writeList is list's table.
func writeList(w io.Writer, all []accounts.Summary, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\tHANDLE\tDID\tPDS\tACCESS\tSESSION\tSTATE")
	for _, s := range all {
		mark := " "
		if s.Active {
			mark = "*"
		}
		handle := "@" + s.Handle
		if m := s.HandleMark(); m != "" {
			handle += " (" + m + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", mark, handle, s.DID, accounts.HostOf(s.PDSURL), left(s.AccessExpiresAt, now), sessionColumn(s, now), s.State)
	}
	return tw.Flush()
}

// sessionColumn is list's word for the kind of session: "password", or
// "oauth" and the time left before the session's end.
func sessionColumn(s accounts.Summary, now time.Time) string {
	if s.Session != auth.KindOAuth {
		return s.Session
	}
	return "oauth " + left(s.SessionEndsAt, now)
}

// writeHandles prints the saved accounts' handles, the active one first.
// Completion scripts read them, so only valid handles are printed: a file
// edited by hand cannot slip shell syntax into a completion. An account
// whose handle chooses nothing (shared, unverified) is offered by its DID.
func writeHandles(w io.Writer, st *storage.State) error {
	var b strings.Builder
	byDID := map[string]bool{}
	for _, he := range st.HandleErrors() {
		for _, did := range he.DIDs {
			byDID[did] = true
		}
	}
	add := func(a storage.Account) {
		switch {
		case byDID[a.DID] && auth.ValidDID(a.DID):
			b.WriteString(a.DID + "\n")
		case !byDID[a.DID] && auth.ValidHandle(a.Handle):
			b.WriteString(a.Handle + "\n")
		}
	}
	if a, ok := st.ActiveAccount(); ok {
		add(*a)
	}
	for _, a := range st.Accounts {
		if a.DID != st.Active {
			add(a)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// summaries lists the active account first, then the others as saved, then
// the logouts still owed to a server; each account's summary names the
// other accounts that claim its handle.
func summaries(st *storage.State, now time.Time) []accounts.Summary {
	all := []accounts.Summary{}
	shared := st.SharedHandles()
	add := func(a storage.Account, active bool) {
		s := accounts.Summarize(a, active, now)
		s.HandleSharedWith = accounts.SharedWith(shared, a.DID, a.Handle)
		all = append(all, s)
	}
	if a, ok := st.ActiveAccount(); ok {
		add(*a, true)
	}
	for _, a := range st.Accounts {
		if a.DID != st.Active {
			add(a, false)
		}
	}
	for _, p := range st.PendingLogouts {
		all = append(all, accounts.SummarizePending(p, now))
	}
	return all
}
