package accounts_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
)

const splitDID = "did:plc:splitserversaccount00000"

// nonceServer wants every DPoP proof to carry its nonce, as the reference
// servers do: a proof with another is refused (use_dpop_nonce, the nonce
// in DPoP-Nonce), and the nonce each proof carried is recorded.
type nonceServer struct {
	srv    *httptest.Server
	nonce  string
	status int // of a refusal: 400 (authorization server) or 401 (PDS)
	answer func(w http.ResponseWriter)
	mu     sync.Mutex
	seen   []string
}

func newNonceServer(t *testing.T, nonce string, status int, answer func(w http.ResponseWriter)) *nonceServer {
	n := &nonceServer{nonce: nonce, status: status, answer: answer}
	n.srv = httptest.NewServer(http.HandlerFunc(n.serve))
	t.Cleanup(n.srv.Close)
	return n
}

func (n *nonceServer) serve(w http.ResponseWriter, r *http.Request) {
	var claims struct{ Nonce string }
	parts := strings.Split(r.Header.Get("DPoP"), ".")
	if len(parts) == 3 {
		b, _ := base64.RawURLEncoding.DecodeString(parts[1])
		_ = json.Unmarshal(b, &claims)
	}
	n.mu.Lock()
	n.seen = append(n.seen, claims.Nonce)
	n.mu.Unlock()
	w.Header().Set("DPoP-Nonce", n.nonce)
	w.Header().Set("Content-Type", "application/json")
	if claims.Nonce != n.nonce {
		w.Header().Set("WWW-Authenticate", `DPoP error="use_dpop_nonce"`)
		w.WriteHeader(n.status)
		w.Write([]byte(`{"error":"use_dpop_nonce","message":"use the nonce"}`))
		return
	}
	n.answer(w)
}

// took returns the nonces the proofs carried since the last call.
func (n *nonceServer) took() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	s := n.seen
	n.seen = nil
	return s
}

// An OAuth session's PDS and authorization server on two origins, each
// with a nonce of its own: each server's nonce is kept for that server
// and saved apart (PDSNonce, AuthServerNonce), never sent to the other.
// The first request to each costs one retry; the next process sends each
// the right nonce at once.
func TestOAuthNoncesKeptPerServer(t *testing.T) {
	pds := newNonceServer(t, "pds-nonce", http.StatusUnauthorized, func(w http.ResponseWriter) {
		w.Write([]byte(`{"did":"` + splitDID + `","handle":"split.test"}`))
	})
	seq := 0
	as := newNonceServer(t, "as-nonce", http.StatusBadRequest, func(w http.ResponseWriter) {
		seq++
		json.NewEncoder(w).Encode(map[string]any{"access_token": "access-token-" + strings.Repeat("x", seq), "token_type": "DPoP",
			"refresh_token": "refresh-token-" + strings.Repeat("y", seq), "expires_in": 3600, "scope": "atproto", "sub": splitDID})
	})
	key, err := auth.NewDPoPKey()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	d := auth.SessionData{DID: splitDID, Handle: "split.test", Active: true, Service: pds.srv.URL, PDSURL: pds.srv.URL,
		AccessJwt: "access-token-0", RefreshJwt: "refresh-token-0", RefreshedAt: now,
		OAuth: &auth.OAuthData{ClientID: auth.LoopbackClientID(testRedirect, "atproto"), Issuer: as.srv.URL,
			TokenEndpoint: as.srv.URL + "/oauth/token", DPoPKey: key, Scope: "atproto",
			AccessExpiresAt: now.Add(time.Hour), SessionEndsAt: now.Add(auth.OAuthSessionLimit),
			AuthServerNonce: "stale-as", PDSNonce: "stale-pds"}}
	path := filepath.Join(t.TempDir(), "accounts.json")
	err = storage.Open(path).Update(func(st *storage.State) error {
		st.Upsert(storage.Account{SessionData: d, AddedAt: now})
		return st.SetActive(splitDID)
	})
	if err != nil {
		t.Fatal(err)
	}
	process := func() *accounts.Manager {
		return &accounts.Manager{Store: storage.Open(path), Client: &auth.Client{Timeout: 5 * time.Second}}
	}
	want := func(what string, got []string, nonces ...string) {
		t.Helper()
		if strings.Join(got, " ") != strings.Join(nonces, " ") {
			t.Errorf("%s: the proofs carried %q, want %q", what, got, nonces)
		}
	}
	saved := func() *auth.OAuthData {
		st, err := storage.Open(path).Load()
		if err != nil {
			t.Fatal(err)
		}
		a, _ := st.Account(splitDID)
		return a.OAuth
	}

	m := process()
	if _, _, err := call(t, m, "", getSession); err != nil {
		t.Fatalf("Call: %v", err)
	}
	want("the first call", pds.took(), "stale-pds", "pds-nonce")
	if o := saved(); o.PDSNonce != "pds-nonce" || o.AuthServerNonce != "stale-as" {
		t.Errorf("after the call the file keeps PDS nonce %q, authorization server's %q", o.PDSNonce, o.AuthServerNonce)
	}
	if _, err := m.Refresh(ctx, ""); err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	want("the first refresh", as.took(), "stale-as", "as-nonce")
	if o := saved(); o.PDSNonce != "pds-nonce" || o.AuthServerNonce != "as-nonce" {
		t.Errorf("after the refresh the file keeps PDS nonce %q, authorization server's %q", o.PDSNonce, o.AuthServerNonce)
	}

	m = process()
	if _, _, err := call(t, m, "", getSession); err != nil {
		t.Fatalf("the next process's call: %v", err)
	}
	if _, err := m.Refresh(ctx, ""); err != nil {
		t.Fatalf("the next process's refresh: %v", err)
	}
	want("the next process's call", pds.took(), "pds-nonce")
	want("the next process's refresh", as.took(), "as-nonce")
}
