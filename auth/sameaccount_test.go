package auth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

const (
	didMe    = "did:plc:aliceaaaaaaaaaaaaaaaaaaa"
	didOther = "did:plc:bobbbbbbbbbbbbbbbbbbbbbb"
)

// answering is a client of a server that answers every XRPC call with
// answer as JSON, and nothing else (a DID lookup gets 404); and its URL.
func answering(t *testing.T, answer map[string]any) (*Client, string) {
	t.Helper()
	base := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/xrpc/") {
			http.NotFound(w, r)
			return
		}
		json.NewEncoder(w).Encode(answer)
	})
	return &Client{Timeout: 5 * time.Second, Resolver: &Resolver{PLCURL: base}}, base
}

// tokenFor is an access token whose payload is claims over a fixed iat and exp.
func tokenFor(t *testing.T, claims map[string]any) string {
	c := map[string]any{"scope": ScopeAccess, "iat": 1_800_000_000, "exp": 1_800_007_200}
	for k, v := range claims {
		c[k] = v
	}
	return jwt(t, "at+jwt", c)
}

// sessionCases are session answers skyswitch must refuse (want: what the
// refusal names) or take (want "").
func sessionCases(t *testing.T) map[string]struct {
	answer map[string]any
	want   string
} {
	mine := tokenFor(t, map[string]any{"sub": didMe})
	theirs := tokenFor(t, map[string]any{"sub": didOther})
	answer := func(did, access, refresh string) map[string]any {
		return map[string]any{"did": did, "handle": "alice.test", "accessJwt": access, "refreshJwt": refresh}
	}
	return map[string]struct {
		answer map[string]any
		want   string
	}{
		"the body names another DID":         {answer(didOther, mine, mine), "is for another account (" + didOther + ")"},
		"the access token is another's":      {answer(didMe, theirs, mine), "holds tokens for another account (" + didOther + ")"},
		"the refresh token is another's":     {answer(didMe, mine, theirs), "holds tokens for another account (" + didOther + ")"},
		"a sub beside an exp not understood": {answer(didMe, tokenFor(t, map[string]any{"sub": didOther, "exp": "soon"}), mine), didOther},
		"a sub that is not a DID":            {answer(didMe, tokenFor(t, map[string]any{"sub": "\x1b]0;x\a"}), mine), "another account (not a valid DID)"},
		"the same account":                   {answer(didMe, mine, mine), ""},
		// Tokens are opaque to clients: one that is not a JWT, or names no
		// subject, names no other account either.
		"tokens that are not JWTs":   {answer(didMe, "opaque-access-token-1234567890", "opaque.refresh"), ""},
		"a JWT without sub":          {answer(didMe, tokenFor(t, nil), mine), ""},
		"a sub that is not a string": {answer(didMe, tokenFor(t, map[string]any{"sub": 42}), mine), ""},
	}
}

func TestRefreshRefusesAnAnswerForAnotherAccount(t *testing.T) {
	old := SessionData{DID: didMe, Handle: "alice.test", AccessJwt: tokenFor(t, map[string]any{"sub": didMe, "n": 1}),
		RefreshJwt: tokenFor(t, map[string]any{"sub": didMe, "n": 2})}
	for name, tc := range sessionCases(t) {
		t.Run(name, func(t *testing.T) {
			c, base := answering(t, tc.answer)
			old := old
			old.PDSURL = base
			got, err := c.RefreshSession(context.Background(), old)
			if tc.want == "" {
				if err != nil || got.AccessJwt != tc.answer["accessJwt"] || got.DID != didMe {
					t.Fatalf("an answer for the same account was not taken: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrBadResponse) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want a refusal naming %q", err, tc.want)
			}
			if !reflect.DeepEqual(got, old) {
				t.Error("the refused answer changed the session")
			}
			for _, tok := range []any{tc.answer["accessJwt"], tc.answer["refreshJwt"], old.AccessJwt, old.RefreshJwt} {
				if strings.Contains(err.Error(), tok.(string)) {
					t.Error("the refusal quotes a token")
				}
			}
		})
	}
}

func TestLoginRefusesAnAnswerForAnotherAccount(t *testing.T) {
	for name, tc := range sessionCases(t) {
		if strings.HasPrefix(name, "the body") {
			continue // at login the body's did is the account: see below
		}
		t.Run(name, func(t *testing.T) {
			for _, call := range []string{"login", "create account"} {
				c, base := answering(t, tc.answer)
				var events int
				opts := SessionOptions{OnEvent: func(Event) { events++ }}
				var s *Session
				var err error
				if call == "login" {
					s, err = c.Login(context.Background(), LoginInput{Service: base, Identifier: "alice.test", Password: "pw"}, opts)
				} else {
					s, err = c.CreateAccount(context.Background(), CreateAccountInput{Service: base, Handle: "alice.test", Password: "pw"}, opts)
				}
				if tc.want == "" {
					if err != nil || s.Data().DID != didMe || events != 1 {
						t.Fatalf("%s: an answer for the same account was not taken: %v", call, err)
					}
					continue
				}
				if s != nil || !errors.Is(err, ErrBadResponse) || !strings.Contains(err.Error(), tc.want) || events != 0 {
					t.Fatalf("%s: got %v (%d events), want a refusal naming %q", call, err, events, tc.want)
				}
			}
		})
	}
	// Logged in by DID, an answer for another DID is refused too, however
	// well its tokens agree with its body.
	theirs := tokenFor(t, map[string]any{"sub": didOther})
	c, base := answering(t, map[string]any{"did": didOther, "handle": "bob.test", "accessJwt": theirs, "refreshJwt": theirs})
	s, err := c.Login(context.Background(), LoginInput{Service: base, Identifier: didMe, Password: "pw"}, SessionOptions{})
	if s != nil || !errors.Is(err, ErrBadResponse) || !strings.Contains(err.Error(), "is for another account ("+didOther+")") {
		t.Fatalf("login by DID answered for another: %v", err)
	}
}
