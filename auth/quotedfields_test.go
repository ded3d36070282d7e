package auth

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// withSig is tok with sig for its signature.
func withSig(tok, sig string) string { return tok[:strings.LastIndexByte(tok, '.')+1] + sig }

// fieldsOf is everything of d but its tokens, as the accounts file and
// list --json keep it.
func fieldsOf(t *testing.T, d SessionData) string {
	d.AccessJwt, d.RefreshJwt = "", ""
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// noTokenIn fails when text holds a 16-byte piece of any token.
func noTokenIn(t *testing.T, what, text string, tokens ...string) {
	t.Helper()
	if requestCredentials("", nil, tokens...).quotedIn(text) {
		t.Errorf("%s quotes a token", what)
	}
}

// A server's answer whose fields quote a token (its own new ones, or the
// session's) keeps none of those fields: status, list and the accounts
// file show them, and the file keeps them even when the tokens live in
// the keyring.
func TestSessionFieldsQuotingATokenAreNotKept(t *testing.T) {
	access := withSig(tokenFor(t, map[string]any{"sub": didMe, "n": 10}), "QWxpY2UncyBhY2Nlc3MgdG9rZW4gc2lnbmF0dXJlIDEw")
	refresh := withSig(tokenFor(t, map[string]any{"sub": didMe, "n": 11}), "QWxpY2UncyByZWZyZXNoIHRva2VuIHNpZ25hdHVyZSAxMQ")
	sig := refresh[strings.LastIndexByte(refresh, '.')+1:]
	hostile := map[string]any{
		"did": didMe, "accessJwt": access, "refreshJwt": refresh,
		"handle": "alice.test",
		"email":  access + "@example.com",
		"status": sig[2 : 2+quoteLen],
		"didDoc": map[string]any{"id": didMe, "alsoKnownAs": []string{"at://alice.test", "at://" + refresh}},
	}

	// At login.
	c, base := answering(t, hostile)
	s, err := c.Login(context.Background(), LoginInput{Service: base, Identifier: "alice.test", Password: "pw"}, SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d := s.Data()
	noTokenIn(t, "the session's fields", fieldsOf(t, d), access, refresh)
	if d.Email != "" || d.Status != "" || d.DIDDoc != nil || d.PDSURL != base {
		t.Errorf("fields kept: email %v, status %v, document %v, pds %v", d.Email != "", d.Status != "", d.DIDDoc != nil, d.PDSURL != base)
	}
	if d.AccessJwt != access || d.DID != didMe {
		t.Error("the session itself was not taken")
	}

	// A handle quoting an (opaque, lower-case) token.
	var h SessionData
	applyWire(&h, wireSession{DID: didMe, AccessJwt: "abcdefghijklmnopqrstuvwxyz012345", RefreshJwt: "r", Handle: "x.abcdefghijklmnopqrstuvwxyz012345.test"})
	if h.Handle != "handle.invalid" {
		t.Errorf("handle %q kept", h.Handle)
	}

	// At a refresh, quoting the session's old tokens: the old fields stay.
	old := SessionData{DID: didMe, Handle: "alice.test", Email: "alice@example.com", AccessJwt: tokenFor(t, map[string]any{"sub": didMe, "n": 1}),
		RefreshJwt: tokenFor(t, map[string]any{"sub": didMe, "n": 2}), DIDDoc: json.RawMessage(`{"id":"` + didMe + `"}`)}
	fresh := map[string]any{"did": didMe, "accessJwt": access, "refreshJwt": refresh, "handle": "alice.test",
		"email": "mail-" + old.RefreshJwt, "status": "ok",
		"didDoc": map[string]any{"id": didMe, "service": []any{map[string]any{"id": "#x", "serviceEndpoint": "https://x.example/" + old.AccessJwt}}}}
	c, base = answering(t, fresh)
	old.PDSURL = base
	got, err := c.RefreshSession(context.Background(), old)
	if err != nil {
		t.Fatal(err)
	}
	noTokenIn(t, "the refreshed session's fields", fieldsOf(t, got), access, refresh, old.AccessJwt, old.RefreshJwt)
	if got.Email != old.Email || string(got.DIDDoc) != string(old.DIDDoc) || got.Status != "ok" || got.AccessJwt != access {
		t.Errorf("after the refresh: email kept %v, document kept %v, status %q", got.Email == old.Email, string(got.DIDDoc) == string(old.DIDDoc), got.Status)
	}

	// getSession.
	c, base = answering(t, map[string]any{"did": didMe, "handle": "alice.test", "email": got.AccessJwt + "@x.example"})
	got.PDSURL = base
	checked, err := c.NewSession(got, SessionOptions{}).GetSession(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	noTokenIn(t, "getSession's fields", fieldsOf(t, checked), got.AccessJwt, got.RefreshJwt)
	if checked.Email != got.Email {
		t.Error("getSession's email quoting the token was kept")
	}
}

// A DID document found by resolving the DID (the answer had none) that
// quotes a token is neither kept nor followed.
func TestResolvedDIDDocumentQuotingATokenIsNotKept(t *testing.T) {
	access := tokenFor(t, map[string]any{"sub": didMe, "n": 20})
	var base string
	base = serve(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/xrpc/") {
			json.NewEncoder(w).Encode(map[string]any{"did": didMe, "handle": "alice.test", "accessJwt": access, "refreshJwt": access})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"id": didMe, "alsoKnownAs": []string{"at://" + access},
			"service": []any{map[string]any{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": "http://127.0.0.1:9"}}})
	})
	c := &Client{Resolver: &Resolver{PLCURL: base}}
	s, err := c.Login(context.Background(), LoginInput{Service: base, Identifier: "alice.test", Password: "pw"}, SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d := s.Data(); d.DIDDoc != nil || d.PDSURL != base {
		t.Errorf("document kept %v, followed to %s", d.DIDDoc != nil, d.PDSURL)
	}
}

// quotedIn finds the same on a long text (a DID document) as on a short one.
func TestQuotedInLongText(t *testing.T) {
	cs := requestCredentials(wBearer, nil, "short-pw")
	pad := strings.Repeat(`{"k":"zQ3shXjHeiBuRCKmM36cuYnm7YEMzhGnCmCyW92sRJ9pribSF"},`, 200)
	for _, tc := range []struct {
		name, text string
		want       bool
	}{
		{"a piece of the signature", pad + wSig[5:5+quoteLen] + pad, true},
		{"the piece split by a zero-width space", pad + wSig[:8] + "\u200b" + wSig[8:quoteLen] + pad, true},
		{"a short credential whole", pad + "short-pw" + pad, true},
		{"at the very end", pad + wSig[len(wSig)-quoteLen:], true},
		{"at the very start", wSig[:quoteLen] + pad, true},
		{"a piece one byte short", pad + wSig[:quoteLen-1] + pad, false},
		{"nothing", pad, false},
	} {
		if len(tc.text) <= longText {
			t.Fatalf("%s: %d bytes is not long", tc.name, len(tc.text))
		}
		if got := cs.quotedIn(tc.text); got != tc.want {
			t.Errorf("%s: quotedIn = %v", tc.name, got)
		}
	}
}
