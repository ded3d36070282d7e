package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/sanitize"
	"github.com/skyswitch/skyswitch/storage"
)

func (c *cli) list(ctx context.Context, args []string) error {
	fs := newFlags("list", "[--json | --handles]")
	asJSON := fs.Bool("json", false, "print a JSON array")
	handles := fs.Bool("handles", false, "print only the handles, one a line (for shell completion)")
	if _, err := c.flags(fs, args, 0); err != nil {
		return err
	}
	if *asJSON && *handles {
		return usageErr("list: give --json or --handles, not both")
	}
	st, err := c.mgr.Load(ctx)
	if err != nil {
		return err
	}
	c.warnings()
	if *handles {
		return writeHandles(c.stdout, st)
	}
	all := summaries(st, c.clock())
	if *asJSON {
		return writeJSON(c.stdout, all)
	}
	if len(all) == 0 {
		fmt.Fprintln(c.stderr, "No saved accounts. Add one with: skyswitch login")
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\tHANDLE\tDID\tPDS\tACCESS\tSTATE")
	for _, s := range all {
		mark := " "
		if s.Active {
			mark = "*"
		}
		fmt.Fprintf(tw, "%s\t@%s\t%s\t%s\t%s\t%s\n", mark, s.Handle, s.DID, accounts.HostOf(s.PDSURL), left(s.AccessExpiresAt, c.clock()), s.State)
	}
	return tw.Flush()
}

// writeHandles prints the saved accounts' handles, the active one first.
// Completion scripts read them, so only valid handles are printed: a file
// edited by hand cannot slip shell syntax into a completion.
func writeHandles(w io.Writer, st *storage.State) error {
	var b strings.Builder
	add := func(a storage.Account) {
		if auth.ValidHandle(a.Handle) {
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
// the logouts still owed to a server.
func summaries(st *storage.State, now time.Time) []accounts.Summary {
	all := []accounts.Summary{}
	if a, ok := st.ActiveAccount(); ok {
		all = append(all, accounts.Summarize(*a, true, now))
	}
	for _, a := range st.Accounts {
		if a.DID != st.Active {
			all = append(all, accounts.Summarize(a, false, now))
		}
	}
	for _, p := range st.PendingLogouts {
		all = append(all, accounts.SummarizePending(p, now))
	}
	return all
}

// statusJSON is `status --json`: the account's summary, and where the
// choice of account came from.
type statusJSON struct {
	accounts.Summary
	ActiveSource string `json:"activeSource"`
}

func (c *cli) status(ctx context.Context, args []string) error {
	fs := newFlags("status", "[--json] [--account <account>] [<account>]")
	asJSON := fs.Bool("json", false, "print one JSON object")
	c.accountFlag(fs)
	rest, err := c.flags(fs, args, 1)
	if err != nil {
		return err
	}
	st, err := c.mgr.Load(ctx)
	if err != nil {
		return err
	}
	c.warnings()
	ident, source := c.choose(first(rest))
	a, err := pick(st, ident, source)
	if err != nil {
		return err
	}
	now := c.clock()
	s := accounts.Summarize(*a, a.DID == st.Active, now)
	if *asJSON {
		err = writeJSON(c.stdout, statusJSON{s, source})
	} else {
		writeStatus(c.stdout, s, statusTitle(st, s, source), a.AccessJwt, now)
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

func writeStatus(w io.Writer, s accounts.Summary, title, accessJwt string, now time.Time) {
	fmt.Fprintln(w, title)
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "  %s:\t%s\n", k, v) }
	row("DID", s.DID)
	row("PDS", s.PDSURL)
	row("Service", s.Service)
	row("Token", fmt.Sprintf("%s (%s)", accounts.KindText(s.TokenKind), mask(accessJwt)))
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
	tw.Flush()
}

// mask shows that a token exists without revealing it.
func mask(tok string) string {
	if len(tok) < 8 {
		return "none"
	}
	return tok[:3] + strings.Repeat("*", 12)
}

func expiryText(t, now time.Time) string {
	if t.IsZero() {
		return "unknown expiry"
	}
	if !now.Before(t) {
		return "expired " + t.Local().Format(time.RFC3339)
	}
	return "expires in " + left(t, now) + " (" + t.Local().Format(time.RFC3339) + ")"
}

// left is the time until t, compact: 1h59m, 4m07s, 0:42, 89d.
func left(t, now time.Time) string {
	d := t.Sub(now)
	switch {
	case t.IsZero():
		return "?"
	case d <= 0:
		return "expired"
	case d >= 48*time.Hour:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("0:%02d", int(d.Seconds()))
}

// writeJSON prints v indented, with every rune a terminal could act on
// escaped (\u001b, \u202e): still valid JSON, and the same values.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(sanitize.JSON(buf.Bytes()))
	return err
}

func (c *cli) switchTo(ctx context.Context, args []string) error {
	fs := newFlags("switch", "<account> | -")
	rest, err := c.flags(fs, args, 1)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageErr("switch: name the account (handle or DID), or - for the previous one")
	}
	a, err := c.mgr.Switch(ctx, rest[0])
	if err != nil {
		return err
	}
	c.warnings()
	fmt.Fprintf(c.stderr, "Active account: @%s (%s)\n", a.Handle, a.DID)
	if v := c.pinned(); v != "" {
		fmt.Fprintf(c.stderr, "Note: %s=%s still chooses the account in this shell (unset %s to follow the active one).\n", envAccount, v, envAccount)
	}
	return nil
}

// moveAside renames the accounts file out of the way, for a fresh start
// after skyswitch refused a file it cannot read. Nothing is deleted.
func (c *cli) moveAside(_ context.Context, args []string) error {
	if _, err := c.flags(newFlags("move-aside", ""), args, 0); err != nil {
		return err
	}
	dest, err := c.mgr.Store.MoveAside()
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stderr, "Moved %s to %s. skyswitch starts with no accounts; the old file is kept.\n", c.mgr.Store.Path(), dest)
	return nil
}
