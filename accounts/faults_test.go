package accounts_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// TestRefreshFaults runs each server fault through the refresh path the TUI
// and the CLI share. After every fault: the stored session is one the
// server accepts (none lost, none corrupted), the error is transient (the
// TUI retries with backoff instead of asking for a new login), it is
// recorded on the account, and the account recovers when the server does.
func TestRefreshFaults(t *testing.T) {
	faults := []struct {
		name  string
		fault *fakepds.Fault // nil: the server is gone (connection refused)
	}{
		{"connection refused", nil},
		{"timeout", &fakepds.Fault{Kind: fakepds.FaultDelay, Delay: 3 * time.Second}},
		{"500", &fakepds.Fault{Kind: fakepds.FaultStatus, Status: 500}},
		{"502 HTML page", &fakepds.Fault{Kind: fakepds.FaultHTML, Status: 502}},
		{"503", &fakepds.Fault{Kind: fakepds.FaultStatus, Status: 503}},
		{"429 Retry-After", &fakepds.Fault{Kind: fakepds.FaultRateLimit, RetryAfter: 90 * time.Second}},
		{"invalid JSON", &fakepds.Fault{Kind: fakepds.FaultGarbage}},
		{"10 MiB body", &fakepds.Fault{Kind: fakepds.FaultOversized}},
		{"dropped connection", &fakepds.Fault{Kind: fakepds.FaultDrop}},
		{"cut mid-body (rotated)", &fakepds.Fault{Kind: fakepds.FaultTruncated}},
		{"response lost (rotated)", &fakepds.Fault{Kind: fakepds.FaultLostResponse}},
	}
	for _, c := range faults {
		t.Run(c.name, func(t *testing.T) {
			f := setup(t, fakepds.Options{}) // the reference PDS's 2 h grace
			f.m.Client.Timeout = 500 * time.Millisecond
			a := f.login(t, "alice.test")
			if c.fault == nil {
				f.m.Client.HTTP = refusing()
			} else {
				c.fault.Times = 2 // the transport may retry a dropped request once
				f.srv.Inject("com.atproto.server.refreshSession", *c.fault)
			}
			_, err := f.m.Refresh(ctx, "")
			if err == nil || !auth.IsTransient(err) || errors.Is(err, accounts.ErrSessionEnded) {
				t.Fatalf("want a transient error, got %v", err)
			}
			if c.name == "429 Retry-After" && auth.RetryDelay(err, f.clk.Now()) != 90*time.Second {
				t.Errorf("Retry-After lost: %v", auth.RetryDelay(err, f.clk.Now()))
			}
			st, lerr := f.m.Load(ctx)
			if lerr != nil {
				t.Fatal(lerr)
			}
			got, ok := st.Account(a.DID)
			switch {
			case !ok:
				t.Fatal("the account was lost")
			case got.SessionEnded:
				t.Fatal("a transient fault ended the session")
			case got.LastRefreshError == "":
				t.Error("the failure was not recorded")
			case got.RefreshJwt != a.RefreshJwt:
				t.Error("the stored tokens changed although no answer arrived")
			case !f.srv.RefreshTokenValid(got.RefreshJwt):
				t.Error("the stored refresh token is no longer accepted")
			}
			// The server recovers: so does the account, with no new login.
			f.srv.ClearFaults()
			f.m.Client.HTTP = nil
			fresh, err := f.m.Refresh(ctx, "")
			if err != nil {
				t.Fatalf("no recovery: %v", err)
			}
			if fresh.LastRefreshError != "" || !f.srv.AccessTokenValid(fresh.AccessJwt) || !f.srv.RefreshTokenValid(fresh.RefreshJwt) {
				t.Error("recovered account is not clean and valid")
			}
		})
	}
}

// refusing is an HTTP client whose every connection is refused, as when
// the server is down.
func refusing() *http.Client {
	return &http.Client{Transport: &http.Transport{DialContext: func(context.Context, string, string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	}}}
}
