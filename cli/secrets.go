package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/skyswitch/skyswitch/accounts"
)

func secretsCommand() command {
	return command{
		name: "secrets", args: "[file|keyring]",
		summary: "show or choose where tokens are kept: the accounts file (default) or the OS keyring",
		maxArgs: 1, words: []string{"file", "keyring"},
		run: func(ctx context.Context, e *invocation, args []string) error {
			if w := arg(args); w != "" && w != "file" && w != "keyring" {
				return usageErr("secrets: want file or keyring, not %q", w)
			}
			return runSecrets(ctx, secretsOptions{use: arg(args)}, e)
		},
	}
}

// secretsOptions: where to move the tokens ("file", "keyring"), or "" to
// show where they are.
type secretsOptions struct{ use string }

// runSecrets shows where tokens are kept, or chooses and moves every
// account's tokens there, and names the accounts file. It fails when some
// account's tokens could not be moved; the notes above the error say why.
func runSecrets(ctx context.Context, opts secretsOptions, e *invocation) error {
	var r accounts.SecretsReport
	var err error
	if opts.use == "" {
		r, err = e.mgr.Secrets(ctx)
	} else {
		r, err = e.mgr.UseSecrets(ctx, opts.use)
	}
	e.warnings()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "tokens are kept in: %s\n", map[string]string{"file": "the accounts file", "keyring": "the OS keyring"}[r.Setting])
	handles := func(hs []string) string {
		if len(hs) == 0 {
			return "none"
		}
		return "@" + strings.Join(hs, ", @")
	}
	fmt.Fprintf(e.stdout, "in the OS keyring: %s\nin the accounts file: %s\n", handles(r.InKeyring), handles(r.InFile))
	fmt.Fprintf(e.stdout, "the accounts file: %s\n", e.mgr.Store.Path())
	if !r.Settled() {
		return fmt.Errorf("not every account's tokens are in %s yet; run skyswitch secrets %s again once the keyring works", map[string]string{"file": "the file", "keyring": "the keyring"}[r.Setting], r.Setting)
	}
	return nil
}
