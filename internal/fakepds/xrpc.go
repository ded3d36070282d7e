package fakepds

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"
)

// xrpcError is an XRPC error answer: {"error":name,"message":msg}.
type xrpcError struct {
	status int
	name   string
	msg    string
}

func badRequest(name, msg string) *xrpcError {
	return &xrpcError{http.StatusBadRequest, name, msg}
}

func authRequired(name, msg string) *xrpcError {
	return &xrpcError{http.StatusUnauthorized, name, msg}
}

// Errors shared by several endpoints, with the reference PDS's wording.
var (
	errAuthMissing    = authRequired("AuthenticationRequired", "Authentication Required")
	errBadToken       = badRequest("InvalidToken", "Token could not be verified")
	errTokenExpired   = badRequest("ExpiredToken", "Token has expired")
	errTokenRevoked   = badRequest("ExpiredToken", "Token has been revoked")
	errWrongTokenType = badRequest("InvalidToken", "Invalid token type")
	errBadScope       = badRequest("InvalidToken", "Bad token scope")
	errMalformedToken = badRequest("InvalidToken", "Malformed token")
	errTakedown       = authRequired("AccountTakedown", "Account has been taken down")
	errBadLogin       = authRequired("AuthenticationRequired", "Invalid identifier or password")
	errUnexpectedBody = badRequest("InvalidRequest", "A request body was provided when none was expected")
)

// handler answers one XRPC method: a value to encode as JSON, nil for an
// empty 200 answer, or an error.
type handler func(s *Server, r *http.Request, body []byte) (any, *xrpcError)

type route struct {
	method string // GET for queries, POST for procedures
	handle handler
}

var routes = map[string]route{
	"com.atproto.server.createSession":     {http.MethodPost, (*Server).createSession},
	"com.atproto.server.refreshSession":    {http.MethodPost, (*Server).refreshSession},
	"com.atproto.server.getSession":        {http.MethodGet, (*Server).getSession},
	"com.atproto.server.deleteSession":     {http.MethodPost, (*Server).deleteSession},
	"com.atproto.server.createAccount":     {http.MethodPost, (*Server).createAccount},
	"com.atproto.server.createAppPassword": {http.MethodPost, (*Server).createAppPassword},
	"com.atproto.server.deactivateAccount": {http.MethodPost, (*Server).deactivateAccount},
	"com.atproto.server.describeServer":    {http.MethodGet, (*Server).describeServer},
	"com.atproto.identity.resolveHandle":   {http.MethodGet, (*Server).resolveHandle},
	"com.atproto.repo.uploadBlob":          {http.MethodPost, (*Server).uploadBlob},
	"com.atproto.repo.createRecord":        {http.MethodPost, (*Server).createRecord},
}

func (s *Server) serveXRPC(w http.ResponseWriter, r *http.Request, body []byte) {
	nsid := strings.TrimPrefix(r.URL.Path, "/xrpc/")
	rt, ok := routes[nsid]
	if !ok {
		writeError(w, &xrpcError{http.StatusNotImplemented, "MethodNotImplemented", "Method Not Implemented"})
		return
	}
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	if method != rt.method {
		writeError(w, badRequest("InvalidRequest",
			fmt.Sprintf("Incorrect HTTP method (%s) expected %s", r.Method, rt.method)))
		return
	}
	if _, ok := dpopScheme(r); ok {
		w.Header().Set("DPoP-Nonce", s.DPoPNonce())
	}
	out, xerr := rt.handle(s, r, body)
	if xerr != nil {
		writeError(w, xerr)
		return
	}
	if out == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":"InternalServerError","message":"Internal Server Error"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, e *xrpcError) {
	if isDPoPError(e) {
		w.Header().Set("WWW-Authenticate", dpopChallenge(e.name, e.msg))
	}
	writeJSON(w, e.status, struct {
		Error   string `json:"error"`
		Message string `json:"message,omitempty"`
	}{e.name, e.msg})
}

// decodeInput checks that a procedure's JSON input was sent as such and
// decodes it into v.
func decodeInput(r *http.Request, body []byte, v any) *xrpcError {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return badRequest("InvalidRequest", "Request encoding (Content-Type) required but not provided")
	}
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		return badRequest("InvalidRequest", "Wrong request encoding (Content-Type): "+ct)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return badRequest("InvalidRequest", "Request body is not a valid JSON object")
	}
	return nil
}

// noInput rejects a body sent to a procedure that takes none.
func noInput(body []byte) *xrpcError {
	if len(bytes.TrimSpace(body)) > 0 {
		return errUnexpectedBody
	}
	return nil
}

// required checks that the named string properties are present.
func required(props ...string) *xrpcError {
	for i := 0; i+1 < len(props); i += 2 {
		if props[i+1] == "" {
			return badRequest("InvalidRequest", fmt.Sprintf("Input must have the property %q", props[i]))
		}
	}
	return nil
}

// bearer extracts the token of an "Authorization: Bearer" header.
func bearer(r *http.Request) (string, *xrpcError) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || strings.TrimSpace(tok) == "" {
		return "", errAuthMissing
	}
	return strings.TrimSpace(tok), nil
}
