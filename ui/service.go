package ui

import (
	"context"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
)

// Service is everything the TUI asks of the outside world. accounts.Manager
// implements it; tests may use it over a fake server or replace it.
type Service interface {
	Load(ctx context.Context) (*storage.State, error)
	// Stamp identifies the accounts file's current version cheaply, so the
	// TUI reloads only when another process changed it.
	Stamp() string
	Login(ctx context.Context, in auth.LoginInput) (storage.Account, error)
	// LoginAgain logs in again to the saved account did, keeping the
	// active identity (accounts.Manager.LoginAgain).
	LoginAgain(ctx context.Context, did string, in auth.LoginInput) (storage.Account, error)
	// StartOAuth begins a sign-in through the browser; FinishOAuth saves
	// it from the callback's URL, as Login saves a password login, and
	// FinishOAuthAgain as LoginAgain does (accounts.Manager's).
	StartOAuth(ctx context.Context, req auth.OAuthRequest) (*auth.OAuthPending, error)
	FinishOAuth(ctx context.Context, p *auth.OAuthPending, callbackURL string) (storage.Account, error)
	FinishOAuthAgain(ctx context.Context, did string, p *auth.OAuthPending, callbackURL string) (storage.Account, error)
	Switch(ctx context.Context, ident string) (storage.Account, error)
	Refresh(ctx context.Context, ident string) (storage.Account, error)
	Logout(ctx context.Context, ident string) (accounts.LogoutResult, error)
	RetryPendingLogouts(ctx context.Context) (revoked, left int, err error)
	Check(ctx context.Context, ident string) (storage.Account, error)
	// Warnings returns, and forgets, the notices the store raised since the
	// last call (a keyring that failed, tokens kept in the file instead).
	// Every command reads them as it finishes and its result carries them.
	Warnings() []string
}

var _ Service = (*accounts.Manager)(nil)

// Timeouts for the commands' network calls.
const (
	networkTimeout = 20 * time.Second
	localTimeout   = 5 * time.Second
)
