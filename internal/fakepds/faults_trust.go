package fakepds

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
)

// serveRewritten serves the request as usual and answers with rewrite's
// version of a 200 answer's body (FaultSubMismatch, FaultLooseTypes).
func (s *Server) serveRewritten(w http.ResponseWriter, r *http.Request, body []byte, rewrite func([]byte) []byte) {
	rec := httptest.NewRecorder()
	s.serve(rec, r, body)
	out := rec.Body.Bytes()
	if rec.Code == http.StatusOK {
		out = rewrite(out)
	}
	for k, vs := range rec.Header() {
		w.Header()[k] = vs
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.Code)
	_, _ = w.Write(out)
}

// swapTokens replaces accessJwt and refreshJwt in a session answer with a
// new login of another account than the answer's did (other, if set); in
// an OAuth token answer it replaces sub with another DID.
func (s *Server) swapTokens(answer []byte, other string) []byte {
	var m map[string]json.RawMessage
	var did string
	if json.Unmarshal(answer, &m) != nil {
		return answer
	}
	s.mu.Lock()
	switch {
	case m["access_token"] != nil && json.Unmarshal(m["sub"], &did) == nil:
		m["sub"], _ = json.Marshal(cmp.Or(other, s.otherDID(did)))
	case m["accessJwt"] != nil && json.Unmarshal(m["did"], &did) == nil:
		access, refresh := s.newSession(cmp.Or(other, s.otherDID(did)), ScopeAccess, "", s.now())
		m["accessJwt"], _ = json.Marshal(access)
		m["refreshJwt"], _ = json.Marshal(refresh)
	default:
		s.mu.Unlock()
		return answer
	}
	s.mu.Unlock()
	b, err := json.Marshal(m)
	if err != nil {
		return answer
	}
	return b
}

// loosenTypes writes the booleans and numbers at the top level of a JSON
// object as strings (FaultLooseTypes).
func loosenTypes(answer []byte) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(answer, &m) != nil {
		return answer
	}
	for k, v := range m {
		if s := string(v); s == "true" || s == "false" || s != "" && strings.ContainsRune("-0123456789", rune(s[0])) {
			m[k], _ = json.Marshal(s)
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return answer
	}
	return b
}

// otherDID is the first account's DID, by DID, that is not did, or a DID no
// account has. Callers hold s.mu.
func (s *Server) otherDID(did string) string {
	dids := make([]string, 0, len(s.accounts))
	for d := range s.accounts {
		if d != did {
			dids = append(dids, d)
		}
	}
	if len(dids) == 0 {
		return "did:plc:nobodyhere234567abcdefgh"
	}
	slices.Sort(dids)
	return dids[0]
}

// serveEchoBody answers as FaultEchoAuthorizationBody says.
func serveEchoBody(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	token := strings.TrimPrefix(auth, "Bearer ")
	var escaped strings.Builder
	for _, c := range token {
		fmt.Fprintf(&escaped, `\u%04x`, c)
	}
	quote := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	doc := `{"echo":{"authorization":` + quote(auth) + `},"token":` + quote(token) +
		`,"escaped":"` + escaped.String() + `","tail":` + quote(token[max(len(token)-32, 0):])
	if r.URL.Query().Get("cursor") == "" {
		doc += `,"cursor":"2"`
	}
	doc += "}"
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(doc))
}
