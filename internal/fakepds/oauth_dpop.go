package fakepds

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"math/big"
	"net/http"
	"strings"
	"time"
)

// dpopJWK is the public key a DPoP proof carries in its header.
type dpopJWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
	D   string `json:"d,omitempty"` // a private key: refused
}

type dpopHeader struct {
	Typ string   `json:"typ"`
	Alg string   `json:"alg"`
	JWK *dpopJWK `json:"jwk"`
}

type dpopClaims struct {
	JTI   string `json:"jti"`
	HTM   string `json:"htm"`
	HTU   string `json:"htu"`
	IAT   *int64 `json:"iat"`
	Nonce string `json:"nonce"`
	ATH   string `json:"ath"`
}

// proof is a checked DPoP proof: its key's thumbprint.
type proof struct{ jkt string }

func invalidProof(desc string) *oauthError {
	return &oauthError{http.StatusUnauthorized, "invalid_dpop_proof", desc}
}

var errUseNonce = &oauthError{http.StatusBadRequest, "use_dpop_nonce", "Authorization server requires nonce in DPoP proof"}

// checkProof checks the request's DPoP proof as RFC 9449 and the reference
// server do: one proof, typ dpop+jwt, ES256 over the jwk it carries, a
// fresh jti, htm, htu (the server's own URL and the request's path, with
// no query or fragment: stricter than the reference server), iat within
// Options.DPoPIatWindow of the server's clock, the current nonce, and ath
// for an access token (none without one). A missing or stale nonce gives
// use_dpop_nonce (400; the resource server makes it 401). Callers hold
// s.mu.
func (s *Server) checkProof(r *http.Request, accessToken string, now time.Time) (proof, *oauthError) {
	vals := r.Header.Values("DPoP")
	switch {
	case len(vals) == 0:
		return proof{}, invalidProof("DPoP proof required")
	case len(vals) > 1:
		return proof{}, invalidProof("DPoP header must contain a single proof")
	}
	h, c, oerr := verifyProofJWT(vals[0])
	if oerr != nil {
		return proof{}, oerr
	}
	if oerr := s.checkProofClaims(r, c, accessToken, now); oerr != nil {
		return proof{}, oerr
	}
	if _, seen := s.oauth.proofs[c.JTI]; seen {
		return proof{}, invalidProof("DPoP proof replayed")
	}
	s.keepProofJTI(c.JTI, now)
	return proof{jkt: thumbprint(h.JWK)}, nil
}

// verifyProofJWT checks a proof's form and signature.
func verifyProofJWT(tok string) (dpopHeader, dpopClaims, *oauthError) {
	var h dpopHeader
	var c dpopClaims
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || decodePart(parts[0], &h) != nil || decodePart(parts[1], &c) != nil {
		return h, c, invalidProof("Failed to verify DPoP proof: Invalid Compact JWS")
	}
	if h.Typ != "dpop+jwt" {
		return h, c, invalidProof(`Failed to verify DPoP proof: unexpected "typ" JWT header value`)
	}
	if h.Alg != "ES256" || h.JWK == nil || h.JWK.Kty != "EC" || h.JWK.Crv != "P-256" || h.JWK.D != "" {
		return h, c, invalidProof("Failed to verify DPoP proof: unsupported or invalid key")
	}
	pub, ok := publicKey(h.JWK)
	sig, err := b64.DecodeString(parts[2])
	if !ok || err != nil || len(sig) != 64 {
		return h, c, invalidProof("Failed to verify DPoP proof: signature verification failed")
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	rr, ss := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	if !ecdsa.Verify(pub, sum[:], rr, ss) {
		return h, c, invalidProof("Failed to verify DPoP proof: signature verification failed")
	}
	return h, c, nil
}

// checkProofClaims checks a signed proof's claims against the request.
// Callers hold s.mu.
func (s *Server) checkProofClaims(r *http.Request, c dpopClaims, accessToken string, now time.Time) *oauthError {
	if c.IAT == nil {
		return invalidProof(`Failed to verify DPoP proof: "iat" claim missing`)
	}
	if w := s.opts.DPoPIatWindow; w >= 0 {
		if iat := time.Unix(*c.IAT, 0); iat.Before(now.Add(-w)) || iat.After(now.Add(w)) {
			return invalidProof(`Failed to verify DPoP proof: "iat" claim timestamp check failed`)
		}
	}
	if c.JTI == "" {
		return invalidProof(`DPoP "jti" missing`)
	}
	if c.HTM != r.Method {
		return invalidProof(`DPoP "htm" mismatch`)
	}
	if c.HTU != s.URL()+r.URL.Path { // so no query, no fragment
		return invalidProof(`DPoP "htu" mismatch`)
	}
	if c.Nonce == "" {
		return errUseNonce
	}
	if !s.nonceValid(c.Nonce, now) {
		return &oauthError{http.StatusBadRequest, "use_dpop_nonce", `DPoP "nonce" mismatch`}
	}
	switch {
	case accessToken != "" && c.ATH != athOf(accessToken):
		return invalidProof(`DPoP "ath" mismatch`)
	case accessToken == "" && c.ATH != "":
		return invalidProof(`DPoP "ath" claim not allowed`)
	}
	return nil
}

// keepProofJTI remembers a proof's jti for as long as a proof could be
// accepted, dropping the expired ones now and then. Callers hold s.mu.
func (s *Server) keepProofJTI(jti string, now time.Time) {
	if len(s.oauth.proofs) > 1024 {
		for k, until := range s.oauth.proofs {
			if now.After(until) {
				delete(s.oauth.proofs, k)
			}
		}
	}
	s.oauth.proofs[jti] = now.Add(2*max(s.opts.DPoPIatWindow, DefaultDPoPIatWindow) + time.Minute)
}

// publicKey makes the P-256 key of a JWK.
func publicKey(k *dpopJWK) (*ecdsa.PublicKey, bool) {
	x, err1 := b64.DecodeString(k.X)
	y, err2 := b64.DecodeString(k.Y)
	if err1 != nil || err2 != nil || len(x) != 32 || len(y) != 32 {
		return nil, false
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
	return pub, err == nil
}

// thumbprint is a JWK's RFC 7638 SHA-256 thumbprint, base64url.
func thumbprint(k *dpopJWK) string {
	canon, _ := json.Marshal(struct {
		Crv string `json:"crv"`
		Kty string `json:"kty"`
		X   string `json:"x"`
		Y   string `json:"y"`
	}{k.Crv, k.Kty, k.X, k.Y})
	sum := sha256.Sum256(canon)
	return b64.EncodeToString(sum[:])
}

// athOf is a DPoP proof's ath for an access token.
func athOf(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return b64.EncodeToString(sum[:])
}

// nonceAt is the DPoP nonce of a rotation period. Callers hold s.mu.
func (s *Server) nonceAt(period int64) string {
	mac := hmac.New(sha256.New, s.key)
	var buf [16]byte
	binary.BigEndian.PutUint64(buf[:8], uint64(s.oauth.nonceEpoch))
	binary.BigEndian.PutUint64(buf[8:], uint64(period))
	mac.Write([]byte("dpop-nonce"))
	mac.Write(buf[:])
	return b64.EncodeToString(mac.Sum(nil))
}

func noncePeriod(now time.Time) int64 { return now.Unix() / int64(nonceEvery/time.Second) }

// nonceValid accepts, as the reference server does, the nonce of the
// current rotation period and of the one before and after it (periods of
// a minute on the server's clock); RotateDPoPNonce voids them all.
// Callers hold s.mu.
func (s *Server) nonceValid(nonce string, now time.Time) bool {
	p := noncePeriod(now)
	for _, q := range []int64{p - 1, p, p + 1} {
		if hmac.Equal([]byte(nonce), []byte(s.nonceAt(q))) {
			return true
		}
	}
	return false
}

// DPoPNonce is the DPoP nonce the server hands out now (in the DPoP-Nonce
// header of every OAuth answer and of XRPC answers to DPoP requests). The
// authorization server and the resource server share it, as on the
// reference PDS.
func (s *Server) DPoPNonce() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nonceAt(noncePeriod(s.now()))
}

// RotateDPoPNonce makes every nonce handed out so far stale at once: the
// next proof that carries one gets use_dpop_nonce with a new nonce.
// (Advancing the server's clock by two minutes or more does the same.)
func (s *Server) RotateDPoPNonce() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oauth.nonceEpoch++
}

// dpopChallenge is a WWW-Authenticate value for a DPoP error; like the
// reference server it leaves out a description holding a quote.
func dpopChallenge(code, desc string) string {
	v := `DPoP algs="ES256", error="` + code + `"`
	if desc != "" && !strings.Contains(desc, `"`) {
		v += `, error_description="` + desc + `"`
	}
	return v
}
