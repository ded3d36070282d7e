// Package auth speaks the AT Protocol's session APIs over HTTP: password
// sessions, and OAuth sessions (PAR, PKCE and DPoP, as atproto's OAuth
// profile has them; see StartOAuth) used through the same Session.
//
// It holds what skyswitch needs to keep an account signed in: XRPC calls with
// typed errors, login (with email 2FA), token refresh with rotation, logout
// that revokes the session on the server, JWT claim decoding, and identity
// resolution (handle → DID → DID document → PDS). It never touches the disk or
// the terminal: callers persist SessionData themselves, usually from the
// Updated and Deleted events of a Session.
//
// The semantics follow Bluesky's TypeScript client (@atproto/api): a request
// whose access token is rejected with 401 or 400 ExpiredToken triggers one
// refresh and one retry; only ExpiredToken, InvalidToken or AccountTakedown on
// refresh end a session (for OAuth, invalid_grant), every other failure
// keeps it.
package auth
