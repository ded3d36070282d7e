package fakepds

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
)

// sessionOut is the answer of createSession, refreshSession and getSession
// (the last without tokens).
type sessionOut struct {
	AccessJwt       string          `json:"accessJwt,omitempty"`
	RefreshJwt      string          `json:"refreshJwt,omitempty"`
	Handle          string          `json:"handle"`
	DID             string          `json:"did"`
	DIDDoc          json.RawMessage `json:"didDoc,omitempty"`
	Email           string          `json:"email,omitempty"`
	EmailConfirmed  bool            `json:"emailConfirmed"`
	EmailAuthFactor bool            `json:"emailAuthFactor"`
	Active          bool            `json:"active"`
	Status          string          `json:"status,omitempty"`
}

// session builds a session answer. Callers hold s.mu.
func (s *Server) session(a *account, access, refresh string) sessionOut {
	handle := a.Handle
	if a.sessionHandle != "" {
		handle = a.sessionHandle
	}
	return sessionOut{
		AccessJwt:       access,
		RefreshJwt:      refresh,
		Handle:          handle,
		DID:             a.DID,
		DIDDoc:          s.sessionDIDDoc(a),
		Email:           a.Email,
		EmailConfirmed:  a.EmailConfirmed,
		EmailAuthFactor: a.EmailAuthFactor,
		Active:          a.status() == StatusActive,
		Status:          a.status(),
	}
}

// sessionDIDDoc is the didDoc of session answers: nil unless IncludeDIDDoc.
func (s *Server) sessionDIDDoc(a *account) json.RawMessage {
	if !s.opts.IncludeDIDDoc {
		return nil
	}
	return s.didDoc(a)
}

func (s *Server) createSession(r *http.Request, body []byte) (any, *xrpcError) {
	var in struct {
		Identifier      string `json:"identifier"`
		Password        string `json:"password"`
		AuthFactorToken string `json:"authFactorToken"`
	}
	if xerr := decodeInput(r, body, &in); xerr != nil {
		return nil, xerr
	}
	if xerr := required("identifier", in.Identifier, "password", in.Password); xerr != nil {
		return nil, xerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	a := s.lookup(in.Identifier)
	if a == nil {
		return nil, errBadLogin
	}
	ok, ap := a.checkPassword(in.Password)
	if !ok {
		return nil, errBadLogin
	}
	if a.takendown {
		return nil, errTakedown
	}
	scope, apName := ScopeAccess, ""
	switch {
	case ap != nil && ap.privileged:
		scope, apName = ScopeAppPassPrivileged, ap.name
	case ap != nil:
		scope, apName = ScopeAppPass, ap.name
	case a.EmailAuthFactor: // app passwords skip 2FA, as on bsky.social
		if xerr := a.checkSignInCode(in.AuthFactorToken, s.opts.SignInCode, now); xerr != nil {
			return nil, xerr
		}
	}
	access, refresh := s.newSession(a.DID, scope, apName, now)
	return s.session(a, access, refresh), nil
}

// checkSignInCode checks the 2FA code of a login; without one it "sends" a
// new code by email.
func (a *account) checkSignInCode(code, fixed string, now time.Time) *xrpcError {
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "" {
		a.signInCode = fixed
		if fixed == "" {
			a.signInCode = randomString(upperBase32, 5) + "-" + randomString(upperBase32, 5)
		}
		a.signInExpiry = now.Add(signInCodeLifetime)
		return authRequired("AuthFactorTokenRequired", "A sign in code has been sent to your email address")
	}
	if a.signInCode == "" || code != a.signInCode {
		return authRequired("InvalidToken", "Token is invalid")
	}
	if !now.Before(a.signInExpiry) {
		return authRequired("ExpiredToken", "Token is expired")
	}
	a.signInCode = ""
	return nil
}

func (s *Server) refreshSession(r *http.Request, body []byte) (any, *xrpcError) {
	tok, xerr := bearer(r)
	if xerr != nil {
		return nil, xerr
	}
	if xerr := noInput(body); xerr != nil {
		return nil, xerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	c, xerr := s.verify(tok, TypeRefresh, now, false)
	if xerr != nil {
		return nil, xerr
	}
	a := s.accounts[c.Sub]
	if a == nil {
		return nil, badRequest("InvalidRequest", "Could not find user info for account: "+c.Sub)
	}
	if a.takendown {
		return nil, errTakedown
	}
	fam, next := s.rotate(c.Jti, now)
	if fam == nil {
		return nil, errTokenRevoked
	}
	access, refresh := s.issue(fam, next, now)
	return s.session(a, access, refresh), nil
}

func (s *Server) getSession(r *http.Request, _ []byte) (any, *xrpcError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, xerr := s.requestAccount(r, s.now(), anyAccessScope...)
	if xerr != nil {
		return nil, xerr
	}
	return s.session(a, "", ""), nil
}

// deleteSession revokes the login of a refresh token: the whole rotation
// chain. Like the reference PDS it accepts an expired refresh token.
func (s *Server) deleteSession(r *http.Request, body []byte) (any, *xrpcError) {
	tok, xerr := bearer(r)
	if xerr != nil {
		return nil, xerr
	}
	if xerr := noInput(body); xerr != nil {
		return nil, xerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	c, xerr := s.verify(tok, TypeRefresh, now, true)
	if xerr != nil {
		return nil, xerr
	}
	// An expired token is accepted (its chain revoked); one rotated away
	// longer ago than the grace period counts as revoked.
	rec := s.refresh[c.Jti]
	if rec == nil || rec.fam.revoked || (!now.Before(rec.expires) && rec.next != "") {
		return nil, errTokenRevoked
	}
	rec.fam.revoked = true
	return nil, nil
}

func (s *Server) createAccount(r *http.Request, body []byte) (any, *xrpcError) {
	var in struct {
		Handle     string `json:"handle"`
		Email      string `json:"email"`
		Password   string `json:"password"`
		InviteCode string `json:"inviteCode"`
	}
	if xerr := decodeInput(r, body, &in); xerr != nil {
		return nil, xerr
	}
	if xerr := required("handle", in.Handle); xerr != nil {
		return nil, xerr
	}
	switch {
	case in.Email == "":
		return nil, badRequest("InvalidRequest", "Email is required")
	case in.Password == "":
		return nil, badRequest("InvalidRequest", "Password is required")
	case !strings.Contains(strings.Trim(in.Email, "@"), "@"):
		return nil, badRequest("InvalidEmail", "This email address is not supported, please use a different email.")
	}
	handle := strings.ToLower(in.Handle)
	if xerr := checkHandle(handle); xerr != nil {
		return nil, xerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, taken := s.handles[handle]; taken {
		return nil, badRequest("HandleNotAvailable", "Handle already taken: "+handle)
	}
	if s.lookup(in.Email) != nil {
		return nil, badRequest("InvalidRequest", "Email already taken: "+in.Email)
	}
	a := s.addAccount(Account{Handle: handle, Email: in.Email, Password: in.Password})
	access, refresh := s.newSession(a.DID, ScopeAccess, "", s.now())
	return struct {
		AccessJwt  string          `json:"accessJwt"`
		RefreshJwt string          `json:"refreshJwt"`
		Handle     string          `json:"handle"`
		DID        string          `json:"did"`
		DIDDoc     json.RawMessage `json:"didDoc,omitempty"`
	}{access, refresh, a.Handle, a.DID, s.sessionDIDDoc(a)}, nil
}

func (s *Server) createAppPassword(r *http.Request, body []byte) (any, *xrpcError) {
	tok, xerr := bearer(r)
	if xerr != nil {
		return nil, xerr
	}
	var in struct {
		Name       string `json:"name"`
		Privileged bool   `json:"privileged"`
	}
	if xerr := decodeInput(r, body, &in); xerr != nil {
		return nil, xerr
	}
	if xerr := required("name", in.Name); xerr != nil {
		return nil, xerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	a, _, xerr := s.accessAccount(tok, now, ScopeAccess)
	if xerr != nil {
		return nil, xerr
	}
	ap, err := a.addAppPassword(in.Name, in.Privileged, now)
	s.remember(ap.password)
	if errors.Is(err, errDuplicateAppPassword) {
		return nil, badRequest("InvalidRequest", "A user already has an app password with this name")
	} else if err != nil {
		return nil, badRequest("InvalidRequest", "Input/name must not be empty")
	}
	return struct {
		Name       string `json:"name"`
		Password   string `json:"password"`
		Privileged bool   `json:"privileged"`
		CreatedAt  string `json:"createdAt"`
	}{ap.name, ap.password, ap.privileged, ap.createdAt.UTC().Format("2006-01-02T15:04:05.000Z")}, nil
}

func (s *Server) deactivateAccount(r *http.Request, body []byte) (any, *xrpcError) {
	tok, xerr := bearer(r)
	if xerr != nil {
		return nil, xerr
	}
	var in struct {
		DeleteAfter string `json:"deleteAfter"`
	}
	if xerr := decodeInput(r, body, &in); xerr != nil {
		return nil, xerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, _, xerr := s.accessAccount(tok, s.now(), ScopeAccess)
	if xerr != nil {
		return nil, xerr
	}
	a.deactivated = true
	return nil, nil
}
