package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestParseIdentifier(t *testing.T) {
	cases := []struct {
		in   string
		want string
		kind IdentifierKind
	}{
		{"alice.bsky.social", "alice.bsky.social", IdentHandle},
		{"@Alice.Bsky.Social", "alice.bsky.social", IdentHandle},
		{"  bob.test ", "bob.test", IdentHandle},
		{"did:plc:ewvi7nxzyoun6zhxrhs64oiz", "did:plc:ewvi7nxzyoun6zhxrhs64oiz", IdentDID},
		{"did:web:example.com", "did:web:example.com", IdentDID},
		{"Alice@Example.com", "alice@example.com", IdentEmail},
	}
	for _, c := range cases {
		got, kind, err := ParseIdentifier(c.in)
		if err != nil || got != c.want || kind != c.kind {
			t.Errorf("ParseIdentifier(%q) = %q, %v, %v; want %q, %v", c.in, got, kind, err, c.want, c.kind)
		}
	}
	for _, bad := range []string{"", "alice", "alice..test", "-a.test", "a.1test", "did:plc:", "did:PLC:x",
		"a@b", "@", "a b.test", strings.Repeat("a.", 130) + "test", "did:plc:" + strings.Repeat("a", 2048)} {
		if _, _, err := ParseIdentifier(bad); !errors.Is(err, ErrBadIdentifier) {
			t.Errorf("ParseIdentifier(%q): want ErrBadIdentifier, got %v", bad, err)
		}
	}
}

func TestNormalizeServiceURL(t *testing.T) {
	ok := map[string]string{
		"https://bsky.social":      "https://bsky.social",
		"https://BSKY.social/":     "https://bsky.social",
		"bsky.social":              "https://bsky.social",
		"http://localhost:2583":    "http://localhost:2583",
		"http://127.0.0.1:8080":    "http://127.0.0.1:8080",
		"http://[::1]:1":           "http://[::1]:1",
		"https://xn--bcher-kva.ch": "https://xn--bcher-kva.ch",
		"https://bsky.social:":     "https://bsky.social",
	}
	for in, want := range ok {
		if got, err := NormalizeServiceURL(in); err != nil || got != want {
			t.Errorf("NormalizeServiceURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{
		"", "http://bsky.social", "ftp://bsky.social", "javascript:alert(1)", "https://user:pw@bsky.social",
		"https://bsky.social/xrpc", "https://bsky.social?x=1", "https://bsky.social#f", "https://bücher.ch",
		"https://", "file:///etc/passwd", "http://127.0.0.1.evil.com",
		// url.Parse unescapes the host: these came out as hosts that
		// would not parse again (FuzzNormalizeServiceURL).
		"%2500000000000000000000000000000", "https://a%2541b.example", "https://[::1%25lo]", "https://a%2520b",
	} {
		if _, err := NormalizeServiceURL(bad); !errors.Is(err, ErrBadURL) {
			t.Errorf("NormalizeServiceURL(%q): want ErrBadURL, got %v", bad, err)
		}
	}
}

func TestNormalizeServiceURLNeverEchoesPassword(t *testing.T) {
	_, err := NormalizeServiceURL("https://me:hunter2@bsky.social")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("got %v", err)
	}
}

func TestNormalizeSignInCode(t *testing.T) {
	for in, want := range map[string]string{
		"ABCDE-12345": "ABCDE-12345", "abcde-12345": "ABCDE-12345", " abcde 12345 ": "ABCDE-12345",
		"abcde12345": "ABCDE-12345",
	} {
		if got, err := NormalizeSignInCode(in); err != nil || got != want {
			t.Errorf("NormalizeSignInCode(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "ABCDE", "ABCDE-123456", "ABCDE_12345", "ÄBCDE-12345"} {
		if _, err := NormalizeSignInCode(bad); err == nil {
			t.Errorf("NormalizeSignInCode(%q): want an error", bad)
		}
	}
}

// A bare loopback host (localhost:2583, as a PDS under development is
// given) is not guessed to be https, which fails later as "did not speak
// TLS": it is refused, saying to add http:// (or https://), the URL to write
// in full. Bare public hosts still get https://.
func TestNormalizeServiceURLBareLoopbackSaysAddHTTP(t *testing.T) {
	for in, want := range map[string]string{
		"localhost:2583":   "http://localhost:2583",
		" LocalHost:2583 ": "http://localhost:2583",
		"127.0.0.1:2583":   "http://127.0.0.1:2583",
		"[::1]:2583":       "http://[::1]:2583",
		"pds.localhost":    "http://pds.localhost",
		"127.0.0.2:80":     "http://127.0.0.2:80",
		"localhost:2583/":  "http://localhost:2583",
		"localhost.:2583":  "http://localhost.:2583",
	} {
		_, err := NormalizeServiceURL(in)
		if !errors.Is(err, ErrBadURL) {
			t.Errorf("%q: want ErrBadURL, got %v", in, err)
			continue
		}
		if !strings.Contains(err.Error(), "add http://") || !strings.Contains(err.Error(), "("+want+")") {
			t.Errorf("%q: %q does not say to add http:// (%s)", in, err, want)
		}
	}
	for in, want := range map[string]string{"bsky.social": "https://bsky.social", "pds.example.com:8443": "https://pds.example.com:8443",
		"http://localhost:2583": "http://localhost:2583", "https://localhost:2583": "https://localhost:2583"} {
		if got, err := NormalizeServiceURL(in); err != nil || got != want {
			t.Errorf("NormalizeServiceURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
