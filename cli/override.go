package cli

// The per-command and per-shell account override: --account and
// SKYSWITCH_ACCOUNT choose the account token, status, refresh, env, api,
// exec, prompt and the switcher act on, without changing the saved active
// one; status reports which of them chose it (activeSource).

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/storage"
)

// globalFlags takes -a, --account <account> (--account=<account>,
// -a<account>) from the front of the command line.
func (e *invocation) globalFlags(args []string) ([]string, error) {
	fp := flagParser{flags: []flagSpec{accountFlag(&e.account)}}
	for len(args) > 0 && accountWord(args[0]) {
		n, err := fp.take(args)
		if err != nil {
			return nil, err
		}
		args = args[n:]
	}
	return args, nil
}

// accountWord says whether w gives the account: -a…, --account[=…], or
// the one-dash -account, which take refuses.
func accountWord(w string) bool {
	name, _, _ := strings.Cut(w, "=")
	return name == "--account" || strings.HasPrefix(w, "-a")
}

// envAccount is the environment variable that pins a shell to an account.
const envAccount = "SKYSWITCH_ACCOUNT"

// Where the account a command acts on came from: status's activeSource.
const (
	sourceSaved    = "saved"    // the saved active account
	sourceEnv      = "env"      // SKYSWITCH_ACCOUNT
	sourceFlag     = "flag"     // --account
	sourceArgument = "argument" // named on the command line
)

// choose picks the account a command acts on: the one named as argument,
// else --account, else SKYSWITCH_ACCOUNT (empty means unset), else "" for
// the saved active one.
func (e *invocation) choose(named string) (ident, source string) {
	switch {
	case named != "":
		return named, sourceArgument
	case e.account != "":
		return e.account, sourceFlag
	}
	if v := e.pinned(); v != "" {
		return v, sourceEnv
	}
	return "", sourceSaved
}

// pinned is SKYSWITCH_ACCOUNT, or "" when it is unset or empty.
func (e *invocation) pinned() string { return strings.TrimSpace(e.getenv(envAccount)) }

// fromOverride makes an unknown account, or a handle that chooses none,
// named by --account or SKYSWITCH_ACCOUNT say where its name came from. It
// stays an accounts.ErrNoAccount (exit 4) or a storage.ErrHandleChoice
// (exit 2): an override is never silently dropped.
func fromOverride(err error, source string) error {
	if err == nil || !errors.Is(err, accounts.ErrNoAccount) && !errors.Is(err, storage.ErrHandleChoice) {
		return err
	}
	if lo := (*accounts.LoggedOutError)(nil); errors.As(err, &lo) && source != sourceArgument && source != sourceSaved {
		return overrideLoggedOut{source, lo}
	}
	switch source {
	case sourceEnv:
		return fmt.Errorf("%s: %w", envAccount, err)
	case sourceFlag:
		return fmt.Errorf("--account: %w", err)
	}
	return err
}

// overrideLoggedOut: the override names an account that was logged out
// here. It says so with the handle and DID, and how to get out; it stays
// an accounts.ErrNoAccount (exit 4).
type overrideLoggedOut struct {
	source string
	lo     *accounts.LoggedOutError
}

func (e overrideLoggedOut) Error() string {
	if e.source == sourceEnv {
		return fmt.Sprintf("%s names %s, which was logged out; unset it or log in again", envAccount, e.lo.Name())
	}
	return fmt.Sprintf("--account names %s, which was logged out; log in again or name another account", e.lo.Name())
}

func (e overrideLoggedOut) Unwrap() error { return e.lo }

// pick finds the chosen account in st, or says why not: exit 4 when none
// answers, exit 2 for a handle that chooses none (two saved accounts claim
// it, or it is unverified: only a DID chooses then).
func pick(st *storage.State, ident, source string) (*storage.Account, error) {
	a, err := accounts.Find(st, ident)
	switch {
	case errors.Is(err, storage.ErrHandleChoice):
		return nil, &exitError{exitUsage, fromOverride(err, source)}
	case err != nil:
		return nil, &exitError{exitNoSession, fromOverride(err, source)}
	}
	return a, nil
}

// loadChosen reads the saved accounts (printing the store's notes) and
// finds the one the override rules choose: named, else --account, else
// SKYSWITCH_ACCOUNT, else the saved active account. It returns the source
// too, for status's activeSource.
func (e *invocation) loadChosen(ctx context.Context, named string) (*storage.State, *storage.Account, string, error) {
	st, err := e.mgr.Load(ctx)
	if err != nil {
		return nil, nil, "", err
	}
	e.warnings()
	ident, source := e.choose(named)
	a, err := pick(st, ident, source)
	return st, a, source, err
}

// sourceText names where the account came from, for people.
func sourceText(source string) string {
	switch source {
	case sourceEnv:
		return envAccount
	case sourceFlag:
		return "--account"
	}
	return ""
}
