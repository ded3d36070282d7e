package cli

import (
	"context"
	"fmt"
	"runtime"
	"strings"

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

// noProxyNames are the variables that exempt hosts from http_proxy and
// HTTPS_PROXY: curl and Python read no_proxy first, Go NO_PROXY.
var noProxyNames = []string{"no_proxy", "NO_PROXY"}

// noProxy is what exec adds to environ so that the command reaches the
// proxy directly: 127.0.0.1 appended to each no_proxy variable set, or
// both set to it when none is. Else a command whose environment names an
// HTTP proxy sends its requests for ATP_PDS_URL there (curl and Python do
// for 127.0.0.1), which fail, and carry the run's secret out. Nothing for
// a password account: its URL is the PDS's own.
func (s execSession) noProxy(environ []string) []string {
	if s.proxy == nil {
		return nil
	}
	var out []string
	for _, name := range noProxyNames {
		if v, ok := lastValue(environ, name); ok && strings.TrimSpace(v) != "" {
			out = append(out, name+"="+v+",127.0.0.1")
		}
	}
	if out == nil {
		for _, name := range noProxyNames {
			out = append(out, name+"=127.0.0.1")
		}
	}
	return out
}

// lastValue is the value environ gives name (its last, as os/exec keeps;
// in any case on Windows, whose names are case-insensitive).
func lastValue(environ []string, name string) (v string, ok bool) {
	for _, kv := range environ {
		k, val, found := strings.Cut(kv, "=")
		if found && (k == name || runtime.GOOS == "windows" && strings.EqualFold(k, name)) {
			v, ok = val, true
		}
	}
	return v, ok
}
