package fakepds

import (
	"net/http"
	"time"
)

// serveOAuthFault answers a request met by an OAuth fault kind.
func (s *Server) serveOAuthFault(w http.ResponseWriter, r *http.Request, f Fault, body []byte) {
	if f.Kind == FaultRotateNonce {
		s.RotateDPoPNonce()
	} else if r.URL.Path == "/oauth/authorize" {
		s.serveAuthorize(w, r, &f)
		return
	}
	s.serve(w, r, body)
}

// OAuthSession is the server's row of one live OAuth session.
type OAuthSession struct {
	DID      string
	ClientID string // the exact client_id it was issued to
	JKT      string // the thumbprint of its DPoP key
	Scope    string
	// SignedInAt is when its code was exchanged, on the server's clock;
	// the session ends Options.OAuthSessionLifetime later.
	SignedInAt time.Time
	// Refreshes is how many refresh grants it has had accepted.
	Refreshes int
}

// OAuthSessions lists the account's live OAuth sessions, oldest first. A
// session revoked, or ended by a replayed refresh token, a foreign key or
// client_id, a replayed code or its lifetime, has no row any more.
func (s *Server) OAuthSessions(did string) []OAuthSession {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []OAuthSession
	for _, o := range s.oauth.sessions {
		if o.did == did {
			out = append(out, OAuthSession{o.did, o.clientID, o.jkt, o.scope, o.signedIn, o.refreshes})
		}
	}
	return out
}

// OAuthRefreshes is how many refresh grants the server has accepted, over
// all OAuth sessions (those since ended too).
func (s *Server) OAuthRefreshes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.oauth.refreshes
}
