package accounts

import (
	"context"
	"errors"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
)

// StartOAuth begins an OAuth sign-in (see auth.Client.StartOAuth): the
// caller sends the person to the pending sign-in's AuthorizeURL, waits
// for the callback at its RedirectURI, and hands the callback's URL to
// FinishOAuth.
func (m *Manager) StartOAuth(ctx context.Context, req auth.OAuthRequest) (*auth.OAuthPending, error) {
	return m.Client.StartOAuth(ctx, req)
}

// FinishOAuth ends an OAuth sign-in with the callback's URL and saves the
// session as Login saves a password session: the account becomes the
// active identity, a session the DID had before (of either kind) is
// replaced and revoked, and a session nobody will hold is revoked again.
func (m *Manager) FinishOAuth(ctx context.Context, p *auth.OAuthPending, callbackURL string) (storage.Account, error) {
	return m.finishOAuth(ctx, p, callbackURL, loginMode{})
}

// FinishOAuthAgain is FinishOAuth for a log in again to the saved account
// did, with LoginAgain's two differences: the active identity stays, and
// a session for another account is revoked and refused (ErrOtherAccount).
func (m *Manager) FinishOAuthAgain(ctx context.Context, did string, p *auth.OAuthPending, callbackURL string) (storage.Account, error) {
	if did == "" {
		return storage.Account{}, errors.New("log in again: no account named")
	}
	return m.finishOAuth(ctx, p, callbackURL, loginMode{did: did, keepActive: true})
}

func (m *Manager) finishOAuth(ctx context.Context, p *auth.OAuthPending, callbackURL string, mode loginMode) (storage.Account, error) {
	d, err := p.Finish(ctx, callbackURL)
	if err != nil {
		return storage.Account{}, err
	}
	return m.adopt(ctx, d, mode)
}
