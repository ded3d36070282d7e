// Package storage persists skyswitch's saved accounts: the only code that
// touches the accounts file. It never touches the network or the terminal.
//
// # The file
//
// One file, skyswitch/accounts.json in the config folder by default
// (~/.config, or $XDG_CONFIG_HOME, on Linux; see DefaultPath for macOS and
// Windows), in a folder of mode 0700, itself of mode 0600, beside a
// lock file of the same name plus ".lock". It is a versioned JSON document:
//
//	{
//	  "version": 1,                  // CurrentVersion; a newer one is refused
//	  "active": "did:plc:…",         // the identity in use, or ""
//	  "previous": "did:plc:…",       // the one before it, for "switch -"
//	  "accounts": [                  // auth.SessionData, flattened, plus
//	    {"accessJwt": "…", "refreshJwt": "…", "did": "…", "handle": "…", …,
//	     "oauth": {"clientId": "http://localhost?…", "issuer": "…",
//	               "tokenEndpoint": "…", "dpopKey": "…", "scope": "…",
//	               "sessionEndsAt": "…", …},   // an OAuth session only
//	     "addedAt": "…", "lastUsedAt": "…", "lastRefreshError": "…",
//	     "handleCheck": {"handle": "…", "status": "verified", "at": "…"}}
//	  ],
//	  "pendingLogouts": [            // sessions still to revoke on a server
//	    {"session": {…}, "queuedAt": "…", "attempts": 2, "lastError": "…"}
//	  ],
//	  "loggedOut": [                 // logged out lately (omitted: none)
//	    {"did": "did:plc:…", "handle": "…", "at": "…"}
//	  ],
//	  "secrets": "keyring",          // where new tokens go; omitted: the file
//	  "keyringId": "9f2c…"           // names this file in keyring items
//	}
//
// An account whose tokens are in the OS keyring has "secrets": "keyring"
// and empty accessJwt and refreshJwt (and, for an OAuth session, an empty
// dpopKey). A file using none of the keyring fields is written as version
// 1, which older builds read; one that does is version 2, which they
// refuse as too new. One holding a handleCheck (the last outcome of
// checking the handle both ways; see HandleCheck) is version 3, one that
// remembers a logout (DID and handle only; see State.NoteLoggedOut)
// version 4, and one where an account or a queued logout holds an OAuth
// session version 5. No password is ever stored.
//
// # OAuth sessions
//
// An OAuth session is an auth.SessionData with OAuth set: its two tokens
// where a password session's are, and beside them the exact client_id
// sent at sign-in, the issuer and endpoints, the scope, when the access
// token lapses and the session ends, the last DPoP nonces, and its DPoP
// private key. The key is a secret like the tokens: it goes where they go
// (the file, or the keyring item beside them, SecretsTag covering it),
// is never quoted in an error, and a session holds it exactly when it
// holds its refresh token. Every member is checked on each read and write
// (URLs https, or http on loopback; the key's kind, P-256 in PKCS #8; the
// nonces' syntax; lengths). A queued logout keeps the whole session, key included, in the
// file, as it keeps a password session's tokens, so its revocation can be
// retried. ApplyRefresh keeps what the sign-in fixed when a refresh result
// leaves it out, and compares the opaque single-use refresh tokens of an
// OAuth server as it does JWTs, never taking one for a later one.
//
// # Handles
//
// A handle is a claim, the DID the identity: State.Choose (and Find,
// LoadAccount) finds an account by a handle only when exactly one saved
// account claims it and its check did not find it false; otherwise a
// *HandleError lists the DIDs. A DID always chooses. Nothing here looks a
// handle up: the accounts package does, and stores the outcome.
//
// # Tokens in the OS keyring
//
// With a Secrets (Store.UseSecrets), an account's two tokens (and an OAuth
// session's DPoP key) can live in the OS keyring instead of the file: one
// item per account, service
// KeyringService, user "<did> <keyringId>"; everything else stays in the
// file. State.UseSecrets chooses, and moves every account. The State
// callers see always holds the tokens: the store reads them from the
// keyring (only for accounts kept there: a file-only store never connects
// to it) and writes them back there.
//
//   - Keyring first: a token goes into the keyring before the file stops
//     holding it, and leaves the keyring only after the file holds it or
//     the account is gone. A failed keyring write keeps the token in the
//     file and the account says so; Store.Warnings tells, once.
//   - Every keyring call is bounded by KeyringTimeout; after one failure
//     the store does not ask the keyring again.
//   - Tokens that cannot be read (Account.SecretsErr) are never replaced
//     by empty ones: the account stays in the keyring as it was.
//   - Keyring writes happen inside Update, under the file's lock, so
//     ApplyRefresh's compare-and-swap still covers them.
//
// # Guarantees
//
//   - Atomic writes: a temporary file in the same folder is written and
//     synced, renamed over the old file, and the folder is synced. A process
//     killed at any moment leaves the old file or the new one.
//   - Cross-process safety: every change is Store.Update, a read-modify-write
//     under an exclusive lock (flock on Unix, LockFileEx on Windows) that
//     re-reads the file, so concurrent skyswitch processes never lose each
//     other's changes. Waiting for a lock is bounded, whatever the context
//     (DefaultLockTimeout, DefaultAccountLockTimeout, Store.SetLockWaits):
//     a stopped or stuck holder gives a *LockError naming the lock, its
//     file and the holder (an exclusive holder writes "pid N: command"
//     into the lock file, and empties it on release).
//   - Rotated tokens are never lost: State.ApplyRefresh, called inside
//     Update, replaces an account's tokens only over the refresh token that
//     was used, or with a newer one; a slow process cannot write stale
//     tokens back, and a removed account is never brought back.
//   - Bad files: invalid JSON, wrong types, unknown fields, broken
//     invariants, a newer version, a file that is not regular or is larger
//     than MaxFileSize give a *FileError naming the file and what is wrong.
//     The file is left byte for byte as it was and nothing writes over it.
//   - Strict permissions: a file or folder that others can read is
//     tightened to 0600 or 0700 when read, and Store.Warnings says so once.
//     The folder is judged by what it is, not by a symlink to it: a folder
//     of another user is refused. Folders shared with other programs (home,
//     the config home, the temp folder) are never changed.
//   - No redirection: the accounts file and every lock file are never
//     opened through a symlink (O_NOFOLLOW on Unix), and a "locks" folder
//     that is a symlink is refused.
//   - A missing file is an empty store; the folder is created by the first
//     Update.
//
// # Starting afresh
//
// When the file cannot be read, Store.MoveAside renames it to
// "accounts.json.corrupt-<UTC timestamp>" beside it and the store starts
// empty. Nothing is ever deleted: the old file stays for the user to
// inspect or restore.
//
// # The codec
//
// JSON v2 (github.com/go-json-experiment/json; codec.go reads, codecwrite.go
// writes) handles the file; the struct tags are the one place that names
// a field. It reads strictly: unknown members, a name twice, names in
// another case and invalid UTF-8 are refused (an escaped lone surrogate
// reads as U+FFFD, as encoding/json reads it). It writes exactly the bytes the hand-written
// codec before it wrote (testdata/compat holds files of that build), with
// a DID document kept as received. LoadAccount walks the accounts with
// jsontext, checking each as Load does, and reads only the one asked for
// into the result. With 1,000 accounts a load takes about 4 ms on a
// 2-core machine (encoding/json v1 took 18 to 30). FuzzLoad and
// TestCodecCoversEveryField check both directions against encoding/json.
// Switching to the standard library's encoding/json/v2 (built in from Go
// 1.27) is the import paths only: scripts/json-stdlib switches them in a
// copy of the tree and runs these tests with Go 1.27, and CI runs it.
package storage
