// Package storage persists skyswitch's saved accounts: the only code that
// touches the accounts file. It never touches the network or the terminal.
//
// # The file
//
// One file, $XDG_CONFIG_HOME/skyswitch/accounts.json by default (see
// DefaultPath), in a folder of mode 0700, itself of mode 0600, beside a
// lock file of the same name plus ".lock". It is a versioned JSON document:
//
//	{
//	  "version": 1,                  // CurrentVersion; a newer one is refused
//	  "active": "did:plc:…",         // the identity in use, or ""
//	  "previous": "did:plc:…",       // the one before it, for "switch -"
//	  "accounts": [                  // auth.SessionData, flattened, plus
//	    {"accessJwt": "…", "refreshJwt": "…", "did": "…", "handle": "…", …,
//	     "addedAt": "…", "lastUsedAt": "…", "lastRefreshError": "…"}
//	  ],
//	  "pendingLogouts": [            // sessions still to revoke on a server
//	    {"session": {…}, "queuedAt": "…", "attempts": 2, "lastError": "…"}
//	  ]
//	}
//
// No password is ever stored.
//
// # Guarantees
//
//   - Atomic writes: a temporary file in the same folder is written and
//     synced, renamed over the old file, and the folder is synced. A process
//     killed at any moment leaves the old file or the new one.
//   - Cross-process safety: every change is Store.Update, a read-modify-write
//     under an exclusive lock (flock on Unix, LockFileEx on Windows) that
//     re-reads the file, so concurrent skyswitch processes never lose each
//     other's changes. Waiting for the lock has a deadline.
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
//     Folders shared with other programs (home, the config home, the temp
//     folder) are never changed.
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
// # Speed
//
// The JSON codec is hand-written for this one document (reader in
// jsonread.go, jsonstring.go, jsonvalue.go; writer in encode.go): with
// encoding/json a store of 1,000 accounts took ~30 ms to load on a 2-core
// machine. It reads a strict subset of what encoding/json reads, to the
// same values, and its output is standard JSON; FuzzLoad and
// TestCodecCoversEveryField check both against encoding/json.
package storage
