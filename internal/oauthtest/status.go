package oauthtest

import (
	"context"
	"errors"
	"net/http"

	"github.com/skyswitch/skyswitch/auth"
)

// SessionStatus is the HTTP status com.atproto.server.getSession gets
// with d's tokens, through c.RawSession (with a DPoP proof for an OAuth
// session): 200 while they work, 401 once the server has voided them. An
// error that is no answer of the server's is returned as it is.
func SessionStatus(ctx context.Context, c *auth.Client, d auth.SessionData) (int, error) {
	resp, err := c.RawSession(ctx, d, auth.RawRequest{Method: http.MethodGet, NSID: "com.atproto.server.getSession"})
	var xe *auth.Error
	switch {
	case err == nil:
		resp.Body.Close()
		return resp.Status, nil
	case errors.As(err, &xe):
		return xe.Status, nil
	}
	return 0, err
}
