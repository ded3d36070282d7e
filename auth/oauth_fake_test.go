package auth

// A small OAuth server for the auth package's own tests: the PDS, its
// authorization server and its PLC directory on one httptest server, each
// proof checked (signature, htm, htu, nonce, ath, the session's key).

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

const fakeDID = "did:plc:fakeoauthaccount0000000"

type fakeOAuth struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	nonce    string            // the nonce every proof must carry
	requests map[string]parReq // by request_uri
	codes    map[string]parReq // by code
	access   map[string]string // access token → jkt
	refresh  string            // the one live refresh token
	jkt      string            // the session's key
	seq      int
	bearers  int // plain Bearer requests seen
	// Faults.
	sub        string                     // the token answer's sub ("" means fakeDID)
	issuer     string                     // the metadata's issuer ("" means the server's URL)
	refreshErr string                     // an OAuth error code the refresh answers
	echo       bool                       // error descriptions quote what the form sent
	bare       bool                       // a refresh answers without sub and scope (RFC 6749 allows it)
	bareCode   bool                       // the code's exchange answers without scope
	override   map[string]json.RawMessage // members of the token answers, as written
	noIss      bool                       // the metadata says the callback carries no iss
	// challenges, when set, are the WWW-Authenticate headers of the PDS's
	// DPoP refusal, whose body then names no error.
	challenges []string
	// elsewhere is the PDS the DID document of elsewhereDID names.
	elsewhere string
}

// elsewhereDID is an account whose DID document names f.elsewhere.
const elsewhereDID = "did:plc:elsewhere0000000000000000"

type parReq struct{ form url.Values }

func newFakeOAuth(t *testing.T) *fakeOAuth {
	f := &fakeOAuth{t: t, nonce: "n0", requests: map[string]parReq{}, codes: map[string]parReq{}, access: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// client is a Client resolving DIDs at f.
func (f *fakeOAuth) client() *Client {
	return &Client{Resolver: &Resolver{PLCURL: f.srv.URL}}
}

func (f *fakeOAuth) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	u := f.srv.URL
	switch r.URL.Path {
	case "/.well-known/oauth-protected-resource":
		writeJSON(w, 200, map[string]any{"resource": u, "authorization_servers": []string{u}})
	case "/.well-known/oauth-authorization-server":
		writeJSON(w, 200, map[string]any{"issuer": orDefault(f.issuer, u), "pushed_authorization_request_endpoint": u + "/oauth/par",
			"authorization_endpoint": u + "/oauth/authorize", "token_endpoint": u + "/oauth/token", "revocation_endpoint": u + "/oauth/revoke",
			"authorization_response_iss_parameter_supported": !f.noIss, "dpop_signing_alg_values_supported": []string{"ES256"},
			"code_challenge_methods_supported": []string{"S256"}})
	case "/" + fakeDID:
		writeJSON(w, 200, map[string]any{"id": fakeDID, "alsoKnownAs": []string{"at://alice.doc.test"},
			"service": []map[string]any{{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": u}}})
	case "/" + elsewhereDID:
		writeJSON(w, 200, map[string]any{"id": elsewhereDID,
			"service": []map[string]any{{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": f.elsewhere}}})
	case "/oauth/par", "/oauth/token", "/oauth/revoke":
		f.serveAS(w, r)
	default:
		f.serveXRPC(w, r)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// serveAS answers the authorization server's endpoints.
func (f *fakeOAuth) serveAS(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	jkt, err := f.checkProof(r, "")
	if err != nil {
		w.Header().Set("DPoP-Nonce", f.nonce)
		code := "invalid_dpop_proof"
		if errors.Is(err, errNonce) {
			code = "use_dpop_nonce"
		}
		writeJSON(w, 400, map[string]string{"error": code, "error_description": err.Error()})
		return
	}
	fail := func(code string) {
		desc := "refused"
		if f.echo {
			desc = "refused: " + r.Form.Encode()
		}
		writeJSON(w, 400, map[string]string{"error": code, "error_description": desc})
	}
	switch r.URL.Path {
	case "/oauth/par":
		f.seq++
		ru := fmt.Sprintf("urn:ietf:params:oauth:request_uri:req-%d", f.seq)
		f.requests[ru] = parReq{form: r.Form}
		writeJSON(w, 201, map[string]any{"request_uri": ru, "expires_in": 300})
	case "/oauth/revoke":
		if r.Form.Get("token") == f.refresh {
			f.refresh, f.access = "", map[string]string{}
		}
		w.WriteHeader(200)
	case "/oauth/token":
		switch r.Form.Get("grant_type") {
		case "authorization_code":
			req, ok := f.codes[r.Form.Get("code")]
			delete(f.codes, r.Form.Get("code"))
			if !ok || pkceChallenge(r.Form.Get("code_verifier")) != req.form.Get("code_challenge") ||
				r.Form.Get("client_id") != req.form.Get("client_id") || r.Form.Get("redirect_uri") != req.form.Get("redirect_uri") {
				fail("invalid_grant")
				return
			}
			f.jkt = jkt
		case "refresh_token":
			if f.refreshErr != "" || r.Form.Get("refresh_token") != f.refresh || jkt != f.jkt {
				fail(orDefault(f.refreshErr, "invalid_grant"))
				return
			}
		}
		f.seq++
		at, rt := fmt.Sprintf("access-token-%d-secret-part", f.seq), fmt.Sprintf("refresh-token-%d-secret-part", f.seq)
		f.access, f.refresh = map[string]string{at: jkt}, rt
		ans := map[string]any{"access_token": at, "refresh_token": rt, "token_type": "DPoP", "expires_in": 3600,
			"scope": "atproto transition:generic", "sub": orDefault(f.sub, fakeDID)}
		for k, v := range f.override {
			ans[k] = v
		}
		if f.bareCode && r.Form.Get("grant_type") == "authorization_code" {
			delete(ans, "scope")
		}
		if f.bare && r.Form.Get("grant_type") == "refresh_token" {
			delete(ans, "sub")
			delete(ans, "scope")
		}
		writeJSON(w, 200, ans)
	}
}

// serveXRPC answers the PDS's calls: a DPoP-bound token and its proof.
func (f *fakeOAuth) serveXRPC(w http.ResponseWriter, r *http.Request) {
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if scheme == "Bearer" {
		f.bearers++
	}
	jkt, ok := f.access[tok]
	if scheme != "DPoP" || !ok {
		// As the reference PDS answers a token expired or revoked.
		w.Header().Set("WWW-Authenticate", `DPoP algs="ES256", error="invalid_token", error_description="Invalid token"`)
		writeJSON(w, 401, map[string]string{"error": "invalid_token", "message": "Invalid token"})
		return
	}
	if pj, err := f.checkProof(r, tok); err != nil || pj != jkt {
		w.Header().Set("DPoP-Nonce", f.nonce)
		code := "invalid_dpop_proof"
		if errors.Is(err, errNonce) {
			code = "use_dpop_nonce"
		}
		if f.challenges != nil {
			w.Header()["Www-Authenticate"] = f.challenges
			writeJSON(w, 401, map[string]string{"message": fmt.Sprint(err)})
			return
		}
		w.Header().Set("WWW-Authenticate", `DPoP error="`+code+`", error_description="refused"`)
		writeJSON(w, 401, map[string]string{"error": code, "message": fmt.Sprint(err)})
		return
	}
	writeJSON(w, 200, map[string]any{"did": fakeDID, "handle": "alice.test", "active": true})
}

var errNonce = errors.New("nonce missing or stale")

// checkProof verifies r's DPoP proof (for token, with its ath) and
// returns its key's thumbprint.
func (f *fakeOAuth) checkProof(r *http.Request, token string) (string, error) {
	h, claims, err := verifyProof(r.Header.Get("DPoP"))
	if err != nil {
		return "", err
	}
	want := f.srv.URL + r.URL.Path
	if claims["htm"] != r.Method || claims["htu"] != want {
		return "", fmt.Errorf("htm/htu %v %v", claims["htm"], claims["htu"])
	}
	sum := sha256.Sum256([]byte(token))
	if ath, _ := claims["ath"].(string); token != "" && ath != b64.EncodeToString(sum[:]) || token == "" && claims["ath"] != nil {
		return "", errors.New("ath")
	}
	if claims["nonce"] != f.nonce {
		return "", errNonce
	}
	return h.JWK.X + h.JWK.Y, nil
}

type proofHeader struct {
	Typ, Alg string
	JWK      struct{ Kty, Crv, X, Y, D string }
}

// verifyProof checks a proof's form and signature and returns its parts.
func verifyProof(proof string) (proofHeader, map[string]any, error) {
	var h proofHeader
	var claims map[string]any
	parts := strings.Split(proof, ".")
	if len(parts) != 3 {
		return h, nil, errors.New("not a JWS")
	}
	hb, _ := b64.DecodeString(parts[0])
	cb, _ := b64.DecodeString(parts[1])
	sig, _ := b64.DecodeString(parts[2])
	if json.Unmarshal(hb, &h) != nil || json.Unmarshal(cb, &claims) != nil || len(sig) != 64 {
		return h, nil, errors.New("malformed proof")
	}
	if h.Typ != "dpop+jwt" || h.Alg != "ES256" || h.JWK.Kty != "EC" || h.JWK.Crv != "P-256" || h.JWK.D != "" {
		return h, nil, fmt.Errorf("header %+v", h)
	}
	x, _ := b64.DecodeString(h.JWK.X)
	y, _ := b64.DecodeString(h.JWK.Y)
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
	if err != nil {
		return h, nil, err
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(pub, sum[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return h, nil, errors.New("bad signature")
	}
	return h, claims, nil
}

// approve is the browser consenting to the pushed request in
// authorizeURL: the callback URL, with what mod changes in its query.
func (f *fakeOAuth) approve(authorizeURL string, mod func(q url.Values)) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, _ := url.Parse(authorizeURL)
	req, ok := f.requests[u.Query().Get("request_uri")]
	if !ok || u.Query().Get("client_id") != req.form.Get("client_id") {
		f.t.Fatalf("authorize: unknown request %s", authorizeURL)
	}
	f.seq++
	code := fmt.Sprintf("code-%d-secret", f.seq)
	f.codes[code] = req
	q := url.Values{"code": {code}, "state": {req.form.Get("state")}, "iss": {f.srv.URL}}
	if mod != nil {
		mod(q)
	}
	return req.form.Get("redirect_uri") + "?" + q.Encode()
}
