package auth

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseClaims(t *testing.T) {
	iat := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	tok := jwt(t, "at+jwt", map[string]any{
		"scope": ScopeAppPassPrivileged, "sub": "did:plc:abc", "aud": "did:web:pds.example",
		"jti": "j1", "iat": iat.Unix(), "exp": iat.Add(2 * time.Hour).Unix(),
	})
	c, err := ParseClaims(tok)
	if err != nil {
		t.Fatal(err)
	}
	want := Claims{Type: "at+jwt", Scope: ScopeAppPassPrivileged, Audience: "did:web:pds.example",
		Subject: "did:plc:abc", ID: "j1", IssuedAt: iat, ExpiresAt: iat.Add(2 * time.Hour)}
	if c != want {
		t.Fatalf("got %+v\nwant %+v", c, want)
	}
	if c.Kind() != KindAppPasswordPrivileged || c.Lifetime() != 2*time.Hour {
		t.Fatalf("kind %v lifetime %v", c.Kind(), c.Lifetime())
	}
}

func TestParseClaimsAudienceArray(t *testing.T) {
	c, err := ParseClaims(jwt(t, "at+jwt", map[string]any{"aud": []string{"a", "b"}}))
	if err != nil || c.Audience != "a b" {
		t.Fatalf("got %q, %v", c.Audience, err)
	}
}

func TestTokenKind(t *testing.T) {
	for scope, want := range map[string]TokenKind{
		ScopeAccess: KindFull, ScopeAppPass: KindAppPassword, ScopeAppPassPrivileged: KindAppPasswordPrivileged,
		ScopeRefresh: KindRefresh, "": KindUnknown, "com.example.other": KindUnknown,
	} {
		if got := (Claims{Scope: scope}).Kind(); got != want {
			t.Errorf("scope %q: got %v want %v", scope, got, want)
		}
	}
}

func TestParseClaimsMalformed(t *testing.T) {
	secretish := "c2VjcmV0LXNpZ25hdHVyZQ"
	cases := map[string]string{
		"empty":           "",
		"two parts":       "a.b",
		"four parts":      "a.b.c.d",
		"bad base64":      "!!!.e30." + secretish,
		"header not json": "bm90IGpzb24.e30." + secretish,
		"payload array":   "e30.WzFd." + secretish,
		"exp is string":   jwt(t, "at+jwt", map[string]any{"exp": "soon"}),
		"exp negative":    jwt(t, "at+jwt", map[string]any{"exp": -5}),
		"exp huge":        jwt(t, "at+jwt", map[string]any{"exp": 1e300}),
		"too long":        strings.Repeat("a", maxTokenLen+1),
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ParseClaims(tok)
			if !errors.Is(err, ErrMalformedToken) {
				t.Fatalf("want ErrMalformedToken, got %v", err)
			}
			if secretish != "" && strings.Contains(err.Error(), secretish) {
				t.Fatalf("error quotes the token: %v", err)
			}
		})
	}
}

func TestSessionDataExpiry(t *testing.T) {
	iat := time.Unix(1_800_000_000, 0).UTC()
	d := SessionData{AccessJwt: accessToken(t, iat, time.Hour), RefreshJwt: "garbage"}
	if !d.AccessExpiry().Equal(iat.Add(time.Hour)) {
		t.Fatalf("access expiry %v", d.AccessExpiry())
	}
	if !d.RefreshExpiry().IsZero() {
		t.Fatalf("undecodable refresh token should give zero time, got %v", d.RefreshExpiry())
	}
}

func FuzzParseClaims(f *testing.F) {
	f.Add("e30.e30.e30")
	f.Add(jwt(f, "at+jwt", map[string]any{"exp": 1, "iat": 0.5, "aud": []any{1}}))
	f.Add("..")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseClaims(s)
		if err == nil && !c.ExpiresAt.IsZero() && c.ExpiresAt.Unix() < 0 {
			t.Fatalf("negative expiry accepted: %v", c.ExpiresAt)
		}
	})
}

// A kind is its code in JSON, as list --json and status --json print it.
func TestTokenKindJSON(t *testing.T) {
	for k, want := range map[TokenKind]string{
		KindFull: `"full"`, KindAppPassword: `"app-password"`, KindAppPasswordPrivileged: `"app-password-privileged"`,
		KindRefresh: `"refresh"`, KindUnknown: `"unknown"`, TokenKind(99): `"unknown"`,
	} {
		if got, err := json.Marshal(k); err != nil || string(got) != want {
			t.Errorf("%v: got %s, %v; want %s", k, got, err, want)
		}
	}
}
