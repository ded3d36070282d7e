package cli

import (
	"context"
	"fmt"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
)

// execSession is how exec's command reaches the PDS: ATP_PDS_URL and
// ATP_ACCESS_TOKEN. A password account's command gets the PDS's own URL
// and the real access token, as always. An OAuth account's token is bound
// to the session's DPoP key, useless to the command: it gets a loopback
// proxy (accounts.Proxy) instead, with the run's secret, and the proxy
// adds the real credentials to each request.
type execSession struct {
	pds, token string
	proxy      *accounts.Proxy // nil for the PDS's own URL
}

// execSession starts what a's command is given: the proxy for an OAuth
// account (or for any, when a test forces it), else nothing.
func (e *invocation) execSession(ctx context.Context, a storage.Account) (execSession, error) {
	opts := e.app.execProxy
	if a.Kind() != auth.KindOAuth && opts == nil {
		return execSession{pds: a.Endpoint(), token: a.AccessJwt}, nil
	}
	if opts == nil {
		opts = &accounts.ProxyOptions{}
	}
	p, err := e.mgr.StartProxy(ctx, a.DID, *opts)
	if err != nil {
		return execSession{}, fmt.Errorf("exec: %w", err)
	}
	return execSession{pds: p.URL(), token: p.Secret(), proxy: p}, nil
}

// end stops the proxy, if any, once the command has ended: the requests
// still under way are waited for (bounded), then the refreshes they sent,
// so that rotated tokens are saved before skyswitch exits; what the
// refreshes noticed (a handle changed) is said.
func (s execSession) end(ctx context.Context, e *invocation) {
	if s.proxy == nil {
		return
	}
	_ = s.proxy.Close()
	settle(ctx, e.mgr, e.stderr)
	e.warnings()
}
