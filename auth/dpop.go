package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"strings"
	"sync"
	"time"
)

// DPoP (RFC 9449) binds an OAuth session's tokens to a key only this
// client holds: every request to the authorization server and every
// request with the access token carries a proof, a JWT signed with the
// session's ES256 key naming the method and URL it is for.

// ErrBadDPoPKey is a session whose DPoP key cannot be read. Its text never
// quotes the key.
var ErrBadDPoPKey = errors.New("the session's DPoP key is not a usable ES256 key")

// b64 is base64url without padding, as JOSE writes everything.
var b64 = base64.RawURLEncoding

// NewDPoPKey makes a fresh ES256 (P-256) key, as OAuthData.DPoPKey keeps
// it: base64url (no padding) of its PKCS #8 DER. A new key per session.
func NewDPoPKey() (string, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return "", err
	}
	return b64.EncodeToString(der), nil
}

// parseDPoPKey reads a key as NewDPoPKey writes it.
func parseDPoPKey(s string) (*ecdsa.PrivateKey, error) {
	der, err := b64.DecodeString(s)
	if err != nil {
		return nil, ErrBadDPoPKey
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, ErrBadDPoPKey
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok || ek.Curve != elliptic.P256() {
		return nil, ErrBadDPoPKey
	}
	return ek, nil
}

// publicJWK is the public half of k as a JWK (RFC 7517), members in the
// order RFC 7638's thumbprint uses.
type publicJWK struct {
	Crv string `json:"crv"`
	Kty string `json:"kty"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

func jwkOf(k *ecdsa.PrivateKey) (publicJWK, error) {
	pub, err := k.PublicKey.ECDH()
	if err != nil {
		return publicJWK{}, ErrBadDPoPKey
	}
	b := pub.Bytes() // 0x04 || X || Y, 32 bytes each
	return publicJWK{Crv: "P-256", Kty: "EC", X: b64.EncodeToString(b[1:33]), Y: b64.EncodeToString(b[33:65])}, nil
}

// dpopProof is a proof for one request: method and URL (htu drops the
// query and fragment), the server's nonce ("" for none yet), and for a
// request carrying the access token its hash (ath).
func dpopProof(k *ecdsa.PrivateKey, method, rawURL, nonce, accessToken string, now time.Time) (string, error) {
	jwk, err := jwkOf(k)
	if err != nil {
		return "", err
	}
	jti := make([]byte, 16)
	rand.Read(jti)
	claims := map[string]any{"jti": b64.EncodeToString(jti), "htm": method, "htu": htu(rawURL), "iat": now.Unix()}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	if accessToken != "" {
		sum := sha256.Sum256([]byte(accessToken))
		claims["ath"] = b64.EncodeToString(sum[:])
	}
	header := map[string]any{"typ": "dpop+jwt", "alg": "ES256", "jwk": jwk}
	return signES256(k, header, claims)
}

// htu is a request URL without its query and fragment.
func htu(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	u.RawQuery, u.Fragment, u.RawFragment, u.ForceQuery = "", "", "", false
	return u.String()
}

// signES256 makes a compact JWS of header and claims: the signature is
// r || s, 32 bytes each (RFC 7518 §3.4), not the ASN.1 Go makes.
func signES256(k *ecdsa.PrivateKey, header, claims any) (string, error) {
	h, err := json.Marshal(header)
	if err != nil {
		return "", err
	}
	c, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := b64.EncodeToString(h) + "." + b64.EncodeToString(c)
	sum := sha256.Sum256([]byte(input))
	der, err := ecdsa.SignASN1(rand.Reader, k, sum[:])
	if err != nil {
		return "", fmt.Errorf("signing a DPoP proof: %w", ErrBadDPoPKey)
	}
	var sig struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &sig); err != nil {
		return "", fmt.Errorf("signing a DPoP proof: %w", ErrBadDPoPKey)
	}
	raw := make([]byte, 64)
	sig.R.FillBytes(raw[:32])
	sig.S.FillBytes(raw[32:])
	return input + "." + b64.EncodeToString(raw), nil
}

// nonceStore holds the last DPoP nonce each server gave, by origin, for
// every session of a Client: a nonce is the server's, not the session's.
type nonceStore struct {
	mu sync.Mutex
	m  map[string]string
}

// get is origin's nonce, or fallback (the one a session kept) when this
// process has seen none yet.
func (n *nonceStore) get(origin, fallback string) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if v, ok := n.m[origin]; ok {
		return v
	}
	return fallback
}

// put remembers an answer's DPoP-Nonce header, when it had one.
func (n *nonceStore) put(origin, nonce string) {
	nonce = strings.TrimSpace(nonce)
	if nonce == "" || len(nonce) > 512 || !validHeaderValue(nonce) {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.m == nil {
		n.m = map[string]string{}
	}
	n.m[origin] = nonce
}

// origin is scheme://host[:port] of rawURL, the key nonces are kept by.
func origin(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}

// WithNonces is d with the DPoP nonces this Client last got from d's
// authorization server and PDS, for the caller to save: the next process
// then starts with them instead of a first request refused. A password
// session is returned as it is.
func (c *Client) WithNonces(d SessionData) SessionData {
	if d.OAuth == nil {
		return d
	}
	o := *d.OAuth
	o.AuthServerNonce = c.dpopNonces().get(origin(o.TokenEndpoint), o.AuthServerNonce)
	o.PDSNonce = c.dpopNonces().get(origin(d.Endpoint()), o.PDSNonce)
	d.OAuth = &o
	return d
}
