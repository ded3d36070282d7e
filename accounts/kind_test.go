package accounts

import (
	"encoding/base64"
	"testing"

	"github.com/skyswitch/skyswitch/auth"
)

// An access token's kind comes from its scope; a token scoped for refresh,
// or one that is not a JWT, is of no kind an access token can be.
func TestTokenKindOfAccessTokens(t *testing.T) {
	tok := func(scope string) string {
		enc := base64.RawURLEncoding.EncodeToString
		return enc([]byte(`{"typ":"at+jwt","alg":"ES256K"}`)) + "." + enc([]byte(`{"scope":"`+scope+`","exp":4000000000}`)) + ".c2ln"
	}
	for jwt, want := range map[string]auth.TokenKind{
		tok(auth.ScopeAccess):            auth.KindFull,
		tok(auth.ScopeAppPass):           auth.KindAppPassword,
		tok(auth.ScopeAppPassPrivileged): auth.KindAppPasswordPrivileged,
		tok(auth.ScopeRefresh):           auth.KindUnknown,
		"not-a-jwt":                      auth.KindUnknown,
	} {
		if got := TokenKind(jwt); got != want {
			t.Errorf("%s: got %v, want %v", jwt[len(jwt)-20:], got, want)
		}
	}
	for kind, want := range map[auth.TokenKind]string{
		auth.KindFull: "full account access", auth.KindAppPassword: "app password",
		auth.KindAppPasswordPrivileged: "privileged app password", auth.KindUnknown: "unknown kind", auth.KindRefresh: "unknown kind",
	} {
		if got := KindText(kind); got != want {
			t.Errorf("KindText(%v) = %q, want %q", kind, got, want)
		}
	}
}
