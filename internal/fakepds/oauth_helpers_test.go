package fakepds_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// A minimal DPoP client for the fake's own tests (the real one is auth's).

var b64 = base64.RawURLEncoding

// dpopKey is a DPoP key; its proofs are made on clock.
type dpopKey struct {
	k     *ecdsa.PrivateKey
	clock func() time.Time
}

func newKey(t *testing.T, clock func() time.Time) *dpopKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &dpopKey{k, clock}
}

func (k *dpopKey) jwk() map[string]string {
	pub, _ := k.k.PublicKey.Bytes() // 0x04 || x || y
	return map[string]string{"kty": "EC", "crv": "P-256", "x": b64.EncodeToString(pub[1:33]), "y": b64.EncodeToString(pub[33:])}
}

// jkt is the key's RFC 7638 thumbprint.
func (k *dpopKey) jkt() string {
	j := k.jwk()
	sum := sha256.Sum256([]byte(`{"crv":"P-256","kty":"EC","x":"` + j["x"] + `","y":"` + j["y"] + `"}`))
	return b64.EncodeToString(sum[:])
}

// claims are a proof's claims; edit, when set, may change them (and the
// header) before signing.
type proofEdit func(header, claims map[string]any)

func (k *dpopKey) proof(method, htu, nonce, accessToken string, edits ...proofEdit) string {
	h := map[string]any{"typ": "dpop+jwt", "alg": "ES256", "jwk": k.jwk()}
	c := map[string]any{"jti": b64.EncodeToString(randBytes(12)), "htm": method, "htu": htu, "iat": k.clock().Unix()}
	if nonce != "" {
		c["nonce"] = nonce
	}
	if accessToken != "" {
		sum := sha256.Sum256([]byte(accessToken))
		c["ath"] = b64.EncodeToString(sum[:])
	}
	for _, e := range edits {
		e(h, c)
	}
	hb, _ := json.Marshal(h)
	cb, _ := json.Marshal(c)
	unsigned := b64.EncodeToString(hb) + "." + b64.EncodeToString(cb)
	sum := sha256.Sum256([]byte(unsigned))
	r, s, err := ecdsa.Sign(rand.Reader, k.k, sum[:])
	if err != nil {
		panic(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return unsigned + "." + b64.EncodeToString(sig)
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// oauthClient is a loopback client with one DPoP key and one nonce.
type oauthClient struct {
	t        *testing.T
	srv      *fakepds.Server
	key      *dpopKey
	nonce    string
	redirect string
	clientID string
	scope    string
	verifier string
	state    string
	// reuseVerifier keeps the PKCE verifier for the next request.
	reuseVerifier bool
}

const testRedirect = "http://127.0.0.1:53211/callback"

func loopbackClientID(redirect, scope string) string {
	return "http://localhost?redirect_uri=" + url.QueryEscape(redirect) + "&scope=" + url.QueryEscape(scope)
}

func newOAuthClient(t *testing.T, srv *fakepds.Server, clock func() time.Time) *oauthClient {
	scope := "atproto transition:generic"
	return &oauthClient{t: t, srv: srv, key: newKey(t, clock), redirect: testRedirect,
		clientID: loopbackClientID(testRedirect, scope), scope: scope}
}

// post sends a form with a DPoP proof made with nonce (none if "") and
// keeps the answer's nonce.
func (c *oauthClient) post(path string, form url.Values, key *dpopKey, nonce string, edits ...proofEdit) answer {
	c.t.Helper()
	req, err := http.NewRequest("POST", c.srv.URL()+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if key != nil {
		req.Header.Set("DPoP", key.proof("POST", c.srv.URL()+path, nonce, "", edits...))
	}
	a := do(c.t, c.srv, req)
	if n := a.header.Get("DPoP-Nonce"); n != "" {
		c.nonce = n
	}
	return a
}

// postRetry posts with the client's key and nonce, once more on
// use_dpop_nonce.
func (c *oauthClient) postRetry(path string, form url.Values) answer {
	c.t.Helper()
	a := c.post(path, form, c.key, c.nonce)
	if a.status == http.StatusBadRequest && oauthErr(a) == "use_dpop_nonce" {
		a = c.post(path, form, c.key, c.nonce)
	}
	return a
}

func do(t *testing.T, srv *fakepds.Server, req *http.Request) answer {
	t.Helper()
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, b}
}

// oauthErr is an OAuth or XRPC error answer's error code.
func oauthErr(a answer) string {
	var e struct{ Error string }
	_ = json.Unmarshal(a.body, &e)
	return e.Error
}

// parForm is a good pushed request for the client; a fresh PKCE verifier
// and state are kept.
func (c *oauthClient) parForm() url.Values {
	if !c.reuseVerifier {
		c.verifier = b64.EncodeToString(randBytes(32))
	}
	c.state = b64.EncodeToString(randBytes(8))
	sum := sha256.Sum256([]byte(c.verifier))
	return url.Values{"client_id": {c.clientID}, "response_type": {"code"}, "redirect_uri": {c.redirect},
		"scope": {c.scope}, "state": {c.state}, "code_challenge": {b64.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"}, "login_hint": {"alice.test"}}
}

// authorizeURL pushes a request and returns the URL a browser would open.
func (c *oauthClient) authorizeURL() string {
	c.t.Helper()
	a := c.postRetry("/oauth/par", c.parForm())
	if a.status != http.StatusCreated {
		c.t.Fatalf("PAR: %d %s", a.status, a.body)
	}
	var out struct {
		RequestURI string `json:"request_uri"`
	}
	a.decode(c.t, &out)
	return c.srv.URL() + "/oauth/authorize?client_id=" + url.QueryEscape(c.clientID) + "&request_uri=" + url.QueryEscape(out.RequestURI)
}

// tokens is a token endpoint answer.
type tokens struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int64  `json:"expires_in"`
	Scope        string `json:"scope"`
	Sub          string `json:"sub"`
}

// exchange redeems the callback's code.
func (c *oauthClient) exchange(callback string) answer {
	c.t.Helper()
	u, err := url.Parse(callback)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.postRetry("/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {u.Query().Get("code")},
		"redirect_uri": {c.redirect}, "code_verifier": {c.verifier}, "client_id": {c.clientID}})
}

func mustTokens(t *testing.T, a answer) tokens {
	t.Helper()
	a.wantOK(t)
	var out tokens
	a.decode(t, &out)
	return out
}

// signIn runs the whole flow for did and returns the tokens.
func (c *oauthClient) signIn(did string) tokens {
	c.t.Helper()
	cb, err := c.srv.ApproveOAuth(c.authorizeURL(), did)
	if err != nil {
		c.t.Fatal(err)
	}
	return mustTokens(c.t, c.exchange(cb))
}

func (c *oauthClient) refresh(tok string) answer {
	c.t.Helper()
	return c.postRetry("/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok}, "client_id": {c.clientID}})
}

// xrpc calls an XRPC method with "Authorization: DPoP" and a proof made by
// key with nonce, once, keeping the answer's nonce.
func (c *oauthClient) xrpc(method, nsid, token string, key *dpopKey, nonce string, edits ...proofEdit) answer {
	c.t.Helper()
	u := c.srv.URL() + "/xrpc/" + nsid
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "DPoP "+token)
	htu, _, _ := strings.Cut(u, "?")
	req.Header.Set("DPoP", key.proof(method, htu, nonce, token, edits...))
	a := do(c.t, c.srv, req)
	if n := a.header.Get("DPoP-Nonce"); n != "" {
		c.nonce = n
	}
	return a
}

// getSession calls getSession with the client's key and nonce, once more
// on use_dpop_nonce.
func (c *oauthClient) getSession(token string) answer {
	c.t.Helper()
	a := c.xrpc("GET", "com.atproto.server.getSession", token, c.key, c.nonce)
	if a.status == http.StatusUnauthorized && oauthErr(a) == "use_dpop_nonce" {
		a = c.xrpc("GET", "com.atproto.server.getSession", token, c.key, c.nonce)
	}
	return a
}

// wantOAuthError checks an error answer's status and code, and its
// description or message when desc is set.
func (a answer) wantOAuthError(t *testing.T, status int, code, desc string) {
	t.Helper()
	var e struct {
		Error       string
		Description string `json:"error_description"`
		Message     string
	}
	_ = json.Unmarshal(a.body, &e)
	got := e.Description + e.Message
	if a.status != status || e.Error != code || (desc != "" && got != desc) {
		t.Fatalf("got %d %s %q, want %d %s %q", a.status, e.Error, got, status, code, desc)
	}
}
