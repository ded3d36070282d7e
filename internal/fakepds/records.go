package fakepds

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// createRecordInput is com.atproto.repo.createRecord's input, as far as the
// fake reads it.
type createRecordInput struct {
	Repo       string          `json:"repo"`
	Collection string          `json:"collection"`
	RKey       string          `json:"rkey"`
	Record     json.RawMessage `json:"record"`
}

// createRecord answers com.atproto.repo.createRecord as the reference PDS
// does in shape: {"uri":"at://<did>/<collection>/<rkey>","cid":…,
// "commit":{…},"validationStatus":"unknown"}. The repo must be the
// caller's own (its DID or handle): a repo no account has is a 400, another
// account's a 401, as there. The record must be a JSON object. The
// record is not kept: a test reads what arrived with LastRequest.
func (s *Server) createRecord(r *http.Request, body []byte) (any, *xrpcError) {
	tok, xerr := bearer(r)
	if xerr != nil {
		return nil, xerr
	}
	var in createRecordInput
	if xerr := decodeInput(r, body, &in); xerr != nil {
		return nil, xerr
	}
	if xerr := required("repo", in.Repo, "collection", in.Collection); xerr != nil {
		return nil, xerr
	}
	if len(in.Record) == 0 || in.Record[0] != '{' {
		return nil, badRequest("InvalidRequest", "Input/record must be an object")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, _, xerr := s.accessAccount(tok, s.now(), anyAccessScope...)
	if xerr != nil {
		return nil, xerr
	}
	switch repo := s.repoDID(in.Repo); {
	case repo == "":
		return nil, badRequest("InvalidRequest", "Could not find repo: "+in.Repo)
	case repo != a.DID:
		return nil, errAuthMissing
	}
	rkey := in.RKey
	if rkey == "" {
		// Unique: every request to the method counts (Calls).
		rkey = fmt.Sprintf("3fake%08d", s.calls["com.atproto.repo.createRecord"])
	}
	cid := rawCID(in.Record)
	return map[string]any{
		"uri":              "at://" + a.DID + "/" + in.Collection + "/" + rkey,
		"cid":              cid,
		"commit":           map[string]string{"cid": cid, "rev": rkey},
		"validationStatus": "unknown",
	}, nil
}

// repoDID is the DID of the account a repo names (its DID or handle), or
// "" for none; s.mu must be held.
func (s *Server) repoDID(repo string) string {
	if _, ok := s.accounts[repo]; ok {
		return repo
	}
	return s.handles[strings.ToLower(repo)]
}
