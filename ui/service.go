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
	Switch(ctx context.Context, ident string) (storage.Account, error)
	Refresh(ctx context.Context, ident string) (storage.Account, error)
	Logout(ctx context.Context, ident string) (accounts.LogoutResult, error)
	RetryPendingLogouts(ctx context.Context) (revoked, left int, err error)
	Check(ctx context.Context, ident string) (storage.Account, error)
}

var _ Service = (*accounts.Manager)(nil)

// Timeouts for the commands' network calls.
const (
	networkTimeout = 20 * time.Second
	localTimeout   = 5 * time.Second
)
