package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/storage/oskeyring"
)

// openStore opens the accounts file with the OS keyring at hand (k, when
// not nil, instead: a test's fake). Nothing connects to the keyring unless
// an account keeps its tokens there.
func openStore(path string, k storage.Secrets) *storage.Store {
	if k == nil {
		k = oskeyring.New()
	}
	s := storage.Open(path)
	s.UseSecrets(k)
	return s
}

// secrets shows where tokens are kept, or ("file", "keyring") chooses and
// moves every account's tokens there. It fails when some account's tokens
// could not be moved; the notes above the error say why.
func (c *cli) secrets(ctx context.Context, args []string) error {
	fs := newFlags("secrets", "[file|keyring]")
	rest, err := c.flags(fs, args, 1)
	if err != nil {
		return err
	}
	var r accounts.SecretsReport
	if len(rest) == 0 {
		r, err = c.mgr.Secrets(ctx)
	} else {
		if rest[0] != "file" && rest[0] != "keyring" {
			return usageErr("secrets: want file or keyring, not %q", rest[0])
		}
		r, err = c.mgr.UseSecrets(ctx, rest[0])
	}
	c.warnings()
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "tokens are kept in: %s\n", map[string]string{"file": "the accounts file", "keyring": "the OS keyring"}[r.Setting])
	handles := func(hs []string) string {
		if len(hs) == 0 {
			return "none"
		}
		return "@" + strings.Join(hs, ", @")
	}
	fmt.Fprintf(c.stdout, "in the OS keyring: %s\nin the accounts file: %s\n", handles(r.InKeyring), handles(r.InFile))
	if !r.Settled() {
		return fmt.Errorf("not every account's tokens are in %s yet; run skyswitch secrets %s again once the keyring works", map[string]string{"file": "the file", "keyring": "the keyring"}[r.Setting], r.Setting)
	}
	return nil
}
