package storage

// What a keyring item holds, and how it is matched against an account.

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
)

// keyringUser names the item of did in the keyring of this accounts file.
func keyringUser(keyringID, did string) string { return did + " " + keyringID }

// secretItem is what a keyring item holds: the two tokens and, for an
// OAuth session, its DPoP key; nothing else.
type secretItem struct {
	AccessJwt  string `json:"accessJwt"`
	RefreshJwt string `json:"refreshJwt"`
	DPoPKey    string `json:"dpopKey,omitempty"`
}

// tag fingerprints an item's secrets (see Account.SecretsTag). An item
// without a key is tagged as before keys were kept, so the tags files
// hold still name their items.
func (it secretItem) tag() string {
	s := it.AccessJwt + "\n" + it.RefreshJwt
	if it.DPoPKey != "" {
		s += "\n" + it.DPoPKey
	}
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// secretsOf are the secrets a holds: its tokens and its DPoP key.
func secretsOf(a *Account) secretItem {
	it := secretItem{AccessJwt: a.AccessJwt, RefreshJwt: a.RefreshJwt}
	if a.OAuth != nil {
		it.DPoPKey = a.OAuth.DPoPKey
	}
	return it
}

// setSecrets puts it's secrets in a (the key only in an OAuth session).
func setSecrets(a *Account, it secretItem) {
	a.AccessJwt, a.RefreshJwt, a.secretsErr = it.AccessJwt, it.RefreshJwt, nil
	if a.OAuth != nil {
		a.OAuth.DPoPKey = it.DPoPKey
	}
}

// itemErr says why item, read from the keyring, cannot be a's secrets, or
// nil: it holds a refresh token, and a key exactly when a is an OAuth
// session. It never quotes the item.
func itemErr(a *Account, item secretItem) error {
	switch {
	case item.RefreshJwt == "":
		return errors.New("its OS keyring item does not hold skyswitch tokens: log in again")
	case a.OAuth == nil && item.DPoPKey != "":
		return errors.New("its OS keyring item holds an OAuth session, and the accounts file a password session: log in again")
	case a.OAuth != nil && (item.DPoPKey == "" || !validKey(item.DPoPKey)):
		return errors.New("its OS keyring item holds no DPoP key for its OAuth session: log in again")
	}
	return nil
}
