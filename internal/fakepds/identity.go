package fakepds

import (
	"encoding/json"
	"net"
	"net/http"
	"strings"
)

// handleDomain is the one handle domain the server offers (describeServer's
// availableUserDomains), as the reference PDS in dev mode does.
const handleDomain = ".test"

// SetPDSEndpoint sets the #atproto_pds serviceEndpoint that the account's
// DID document advertises (by default the server's URL), so a test can check
// that a client follows, or refuses, what the document says. An empty
// endpoint removes the #atproto_pds service from the document. Unknown DIDs
// are ignored.
func (s *Server) SetPDSEndpoint(did, endpoint string) {
	s.setFlag(did, func(a *account) { a.pds = &endpoint })
}

// SetSessionHandle makes the account's session answers (createSession,
// refreshSession, getSession) name handle instead of its own, as a hostile
// or confused server may: its DID document and handle resolution still
// give its own handle, and no uniqueness is enforced, so handle may be
// another account's (on this server or another). An empty handle restores
// its own. Unknown DIDs are ignored.
func (s *Server) SetSessionHandle(did, handle string) {
	s.setFlag(did, func(a *account) { a.sessionHandle = handle })
}

// DIDDocument is the DID document the server publishes for the account, as
// served at /<did> and put in session answers.
func (s *Server) DIDDocument(did string) (json.RawMessage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[did]
	if !ok {
		return nil, false
	}
	return s.didDoc(a), true
}

type verificationMethod struct {
	ID                 string `json:"id"`
	Type               string `json:"type"`
	Controller         string `json:"controller"`
	PublicKeyMultibase string `json:"publicKeyMultibase"`
}

type service struct {
	ID              string `json:"id"`
	Type            string `json:"type"`
	ServiceEndpoint string `json:"serviceEndpoint"`
}

// didDoc builds the account's DID document. Callers hold s.mu.
func (s *Server) didDoc(a *account) json.RawMessage {
	endpoint := s.URL()
	if a.pds != nil {
		endpoint = *a.pds
	}
	services := []service{}
	if endpoint != "" {
		services = append(services, service{"#atproto_pds", "AtprotoPersonalDataServer", endpoint})
	}
	doc, _ := json.Marshal(struct {
		Context            []string             `json:"@context"`
		ID                 string               `json:"id"`
		AlsoKnownAs        []string             `json:"alsoKnownAs"`
		VerificationMethod []verificationMethod `json:"verificationMethod"`
		Service            []service            `json:"service"`
	}{
		Context: []string{
			"https://www.w3.org/ns/did/v1",
			"https://w3id.org/security/multikey/v1",
			"https://w3id.org/security/suites/secp256k1-2019/v1",
		},
		ID:          a.DID,
		AlsoKnownAs: []string{"at://" + a.Handle},
		VerificationMethod: []verificationMethod{
			{a.DID + "#atproto", "Multikey", a.DID, a.signingKey},
		},
		Service: services,
	})
	return doc
}

// servePLC answers GET /<did> like a PLC directory.
func (s *Server) servePLC(w http.ResponseWriter, r *http.Request) {
	did := strings.TrimPrefix(r.URL.Path, "/")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"message": "method not allowed"})
		return
	}
	s.mu.Lock()
	a, ok := s.accounts[did]
	var doc json.RawMessage
	if ok {
		doc = s.didDoc(a)
	}
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "DID not registered: " + did})
		return
	}
	w.Header().Set("Content-Type", "application/did+ld+json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(doc)
}

// serveWellKnown answers GET /.well-known/atproto-did with the DID of the
// account whose handle is the request's host.
func (s *Server) serveWellKnown(w http.ResponseWriter, r *http.Request) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	s.mu.Lock()
	did, ok := s.handles[strings.ToLower(host)]
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("User not found"))
		return
	}
	_, _ = w.Write([]byte(did))
}

func (s *Server) describeServer(*http.Request, []byte) (any, *xrpcError) {
	return struct {
		DID                       string            `json:"did"`
		AvailableUserDomains      []string          `json:"availableUserDomains"`
		InviteCodeRequired        bool              `json:"inviteCodeRequired"`
		PhoneVerificationRequired bool              `json:"phoneVerificationRequired"`
		Links                     map[string]string `json:"links"`
		Contact                   map[string]string `json:"contact"`
	}{s.ServiceDID(), []string{handleDomain}, false, false, map[string]string{}, map[string]string{}}, nil
}

func (s *Server) resolveHandle(r *http.Request, _ []byte) (any, *xrpcError) {
	handle := r.URL.Query().Get("handle")
	if handle == "" {
		return nil, badRequest("InvalidRequest", `Params must have the property "handle"`)
	}
	s.mu.Lock()
	did, ok := s.handles[strings.ToLower(handle)]
	s.mu.Unlock()
	if !ok {
		return nil, badRequest("InvalidRequest", "Unable to resolve handle")
	}
	return map[string]string{"did": did}, nil
}

// checkHandle validates a new handle (already lower-cased) the way the
// reference PDS does for createAccount.
func checkHandle(h string) *xrpcError {
	invalid := badRequest("InvalidHandle", "Input/handle must be a valid handle")
	if len(h) > 253 {
		return invalid
	}
	labels := strings.Split(h, ".")
	if len(labels) < 2 {
		return invalid
	}
	for i, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return invalid
		}
		for _, c := range l {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return invalid
			}
		}
		if i == len(labels)-1 && l[0] >= '0' && l[0] <= '9' {
			return invalid
		}
	}
	front, ok := strings.CutSuffix(h, handleDomain)
	switch {
	case !ok:
		return badRequest("UnsupportedDomain", "Not a supported handle domain")
	case strings.Contains(front, "."):
		return badRequest("InvalidHandle", "Invalid characters in handle")
	case len(front) < 3:
		return badRequest("InvalidHandle", "Handle too short")
	case len(front) > 18:
		return badRequest("InvalidHandle", "Handle too long")
	}
	return nil
}
