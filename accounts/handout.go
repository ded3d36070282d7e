package accounts

import (
	"context"
	"time"

	"github.com/skyswitch/skyswitch/storage"
)

// BoundTokenError: the account's session is an OAuth one, whose access
// token works only with a DPoP proof from a key skyswitch holds, so it is
// never handed to another program (HandOut).
type BoundTokenError struct{ Handle string }

func (e *BoundTokenError) Error() string {
	return "@" + e.Handle + " is signed in with OAuth: its token is bound to a key skyswitch holds, " +
		"so no other program can use it; use skyswitch api or skyswitch exec"
}

// HandOut is Token for a token that leaves skyswitch (skyswitch token
// prints it for curl and scripts): an OAuth session's is refused with a
// *BoundTokenError, before anything is read from the server or refreshed.
func (m *Manager) HandOut(ctx context.Context, ident string, minLeft time.Duration) (storage.Account, error) {
	return m.token(ctx, ident, minLeft, true)
}
