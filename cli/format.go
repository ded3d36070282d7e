package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/internal/sanitize"
	"github.com/skyswitch/skyswitch/storage"
)

// mask shows that a token exists without revealing it.
func mask(tok string) string {
	if len(tok) < 8 {
		return "none"
	}
	return tok[:3] + strings.Repeat("*", 12)
}

// expiryText is when a token expires, as a countdown and on the clock
// every surface uses (accounts.ClockText).
func expiryText(t, now time.Time) string {
	if t.IsZero() {
		return "unknown expiry"
	}
	if !now.Before(t) {
		return "expired at " + accounts.ClockText(t, now)
	}
	return "expires in " + left(t, now) + " (at " + accounts.ClockText(t, now) + ")"
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

// handleText is what status says of an account's handle: whether another
// saved account claims it, and what checking it both ways found.
func handleText(s accounts.Summary, now time.Time) string {
	when := ""
	if !s.HandleCheckedAt.IsZero() {
		when = " (checked " + ago(s.HandleCheckedAt, now) + ")"
	}
	var text string
	switch s.HandleStatus {
	case storage.HandleVerified:
		text = "verified both ways" + when
	case storage.HandleUnverified:
		what := "its DID document names @" + s.HandleNames
		if strings.HasPrefix(s.HandleNames, "did:") {
			what = "it resolves to " + s.HandleNames
		}
		text = "unverified: " + what + when + "; only the DID chooses this account"
	default:
		text = "not checked"
		if when != "" {
			text = "not checked: the lookups failed" + when
		}
	}
	if len(s.HandleSharedWith) > 0 {
		text += "; also claimed by " + strings.Join(s.HandleSharedWith, ", ") + ", so only the DID chooses this account"
	}
	return text
}

// ago is how long before now t was, compact: 3h12m ago, 2d ago.
func ago(t, now time.Time) string {
	if !now.After(t) {
		return "just now"
	}
	return left(now, t) + " ago"
}
