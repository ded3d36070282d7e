package fakepds

import (
	"crypto/sha256"
	"encoding/base32"
	"mime"
	"net/http"
	"strings"
)

// uploadBlob takes a blob's bytes as they are and answers its reference:
// {"blob":{"$type":"blob","ref":{"$link":<CID>},"mimeType":…,"size":…}}.
// The CID is the reference PDS's (CIDv1, raw, sha2-256, base32). The mime
// type is the request's Content-Type without its parameters: unlike the
// reference PDS, which prefers the type it sniffs from the bytes, the fake
// trusts the header, so a test sees what the client declared. The blob is
// not kept.
func (s *Server) uploadBlob(r *http.Request, body []byte) (any, *xrpcError) {
	s.mu.Lock()
	_, xerr := s.requestAccount(r, s.now(), anyAccessScope...)
	s.mu.Unlock()
	if xerr != nil {
		return nil, xerr
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil, badRequest("InvalidRequest", "Request encoding (Content-Type) required but not provided")
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil, badRequest("InvalidRequest", "Wrong request encoding (Content-Type): "+ct)
	}
	return map[string]any{"blob": map[string]any{
		"$type":    "blob",
		"ref":      map[string]string{"$link": rawCID(body)},
		"mimeType": mt,
		"size":     len(body),
	}}, nil
}

// rawCID is the CIDv1 of data as raw bytes with a sha2-256 multihash, in
// base32 (lower case, no padding) after its multibase prefix "b".
func rawCID(data []byte) string {
	sum := sha256.Sum256(data)
	cid := append([]byte{0x01, 0x55, 0x12, 0x20}, sum[:]...)
	enc := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(cid)
	return "b" + strings.ToLower(enc)
}
