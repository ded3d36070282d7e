package auth

import (
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"
)

// jwt builds an unsigned compact JWT with the given header type and claims.
func jwt(t testing.TB, typ string, claims map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]string{"alg": "HS256", "typ": typ}) + "." + enc(claims) + ".c2lnbmF0dXJl"
}

// accessToken is an access JWT issued at iat that lives for life.
func accessToken(t testing.TB, iat time.Time, life time.Duration) string {
	return jwt(t, "at+jwt", map[string]any{
		"scope": ScopeAppPass, "sub": "did:plc:abc", "aud": "did:web:pds.example",
		"iat": iat.Unix(), "exp": iat.Add(life).Unix(),
	})
}
