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

func statusCommand() command {
	var opts statusOptions
	return command{
		name: "status", args: "[--json] [<account>]", helpArgs: "[--json] [--account <account>] [<account>]",
		summary: "show which account is used, the PDS and the tokens' time left",
		flags:   []flagSpec{boolFlag(&opts.json, "", "json", "print one JSON object")},
		maxArgs: 1, handles: true, override: true,
		run: func(ctx context.Context, e *invocation, args []string) error {
			opts.account = arg(args)
			return runStatus(ctx, opts, e)
		},
	}
}

// statusOptions: the account named as argument, if any, and --json.
type statusOptions struct {
	account string
	json    bool
}

// statusJSON is `status --json`: the account's summary, where the choice
// of account came from, and the accounts file it was read from.
type statusJSON struct {
	accounts.Summary
	ActiveSource string `json:"activeSource"`
	AccountsFile string `json:"accountsFile"`
}

// runStatus shows the chosen account; it fails (after showing it) when its
// session has ended or its tokens are out of reach.
func runStatus(ctx context.Context, opts statusOptions, e *invocation) error {
	st, a, source, err := e.loadChosen(ctx, opts.account)
	if err != nil {
		return err
	}
	st, a = e.checkHandle(ctx, st, a)
	now := e.clock()
	s := accounts.Summarize(*a, a.DID == st.Active, now)
	s.HandleSharedWith = accounts.SharedWith(st.SharedHandles(), a.DID, a.Handle)
	file := e.mgr.Store.Path()
	if opts.json {
		err = writeJSON(e.stdout, statusJSON{s, source, file})
	} else {
		err = writeStatus(e.stdout, s, statusTitle(st, s, source), a.AccessJwt, file, now)
	}
	switch {
	case err != nil:
	case s.State == accounts.StateEnded:
		return &exitError{exitNoSession, fmt.Errorf("the session of @%s has ended: log in again", s.Handle)}
	case s.State == accounts.StateKeyringUnreadable:
		// As token says: the tokens are there, out of reach for now.
		return &exitError{exitFailure, fmt.Errorf("@%s: %s", s.Handle, s.KeyringError)}
	}
	return err
}

// checkHandle checks the account's handle both ways when its last outcome
// is due, within accounts.HandleLookupTimeout, and returns the accounts as
// they are then (as they were, when nothing changed or it failed).
func (e *invocation) checkHandle(ctx context.Context, st *storage.State, a *storage.Account) (*storage.State, *storage.Account) {
	if !accounts.HandleCheckDue(a, e.clock()) {
		return st, a
	}
	vctx, cancel := context.WithTimeout(ctx, accounts.HandleLookupTimeout)
	defer cancel()
	changed, err := e.mgr.VerifyHandles(vctx, false, a.DID)
	e.warnings()
	if !changed || err != nil {
		return st, a
	}
	again, err := e.mgr.Load(ctx)
	if err != nil {
		return st, a
	}
	if b, ok := again.Account(a.DID); ok {
		return again, b
	}
	return st, a
}

// statusTitle is status's first line: the handle, whether it is the saved
// active account and, when an override chose it, which one.
func statusTitle(st *storage.State, s accounts.Summary, source string) string {
	title := "@" + s.Handle
	var notes []string
	if s.Active {
		notes = append(notes, "active")
	}
	if from := sourceText(source); from != "" {
		note := "from " + from
		if saved, ok := st.ActiveAccount(); ok && !s.Active {
			note += "; the saved active account is @" + saved.Handle
		}
		notes = append(notes, note)
	}
	if len(notes) > 0 {
		title += " (" + strings.Join(notes, ", ") + ")"
	}
	return title
}

// writeStatus writes status's text: the title, then one row per fact of
// the account, the last naming the accounts file; it says whether the
// writes failed.
func writeStatus(w io.Writer, s accounts.Summary, title, accessJwt, file string, now time.Time) error {
	if _, err := fmt.Fprintln(w, title); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "  %s:\t%s\n", k, v) }
	row("DID", s.DID)
	row("Handle", handleText(s, now))
	row("PDS", s.PDSURL)
	row("Service", s.Service)
	row("Session", sessionText(s, now))
	if s.Session == auth.KindOAuth {
		row("Token", fmt.Sprintf("bound to a key skyswitch holds (%s)", mask(accessJwt)))
	} else {
		row("Token", fmt.Sprintf("%s (%s)", accounts.KindText(s.TokenKind), mask(accessJwt)))
	}
	row("Access token", expiryText(s.AccessExpiresAt, now))
	row("Refresh token", expiryText(s.RefreshExpiresAt, now))
	row("Account", s.AccountStatus)
	row("State", s.State)
	if s.KeyringError != "" {
		row("Keyring", s.KeyringError)
	}
	if s.LastRefreshError != "" {
		row("Last error", s.LastRefreshError)
	}
	row("Accounts file", file)
	return tw.Flush()
}

// sessionText is what status says of the kind of session: "password", or
// for OAuth when the session ends, however often it is refreshed.
func sessionText(s accounts.Summary, now time.Time) string {
	end := s.SessionEndsAt
	switch {
	case s.Session != auth.KindOAuth:
		return s.Session
	case end.IsZero():
		return "OAuth"
	case !now.Before(end):
		return "OAuth, ended at " + accounts.ClockText(end, now)
	}
	return "OAuth, ends in " + left(end, now) + " (at " + accounts.ClockText(end, now) + ")"
}
