package auth

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode"
)

func FuzzDecodeError(f *testing.F) {
	f.Add(400, []byte(`{"error":"ExpiredToken","message":"Token has been revoked"}`), "30", "1800000000")
	f.Add(502, []byte(`<html>Bad Gateway</html>`), "", "")
	f.Add(429, []byte(`{"error":["not","a","string"]}`), "Wed, 21 Oct 2015 07:28:00 GMT", "-1")
	f.Fuzz(func(t *testing.T, status int, body []byte, retryAfter, reset string) {
		resp := &http.Response{StatusCode: status, Header: http.Header{}}
		resp.Header.Set("Retry-After", retryAfter)
		resp.Header.Set("RateLimit-Reset", reset)
		now := time.Unix(1_800_000_000, 0)
		err := decodeError("x.y.z", resp, body, now, requestCredentials("fuzz-bearer-token-0123456789", nil))
		xe := err.(*Error)
		if xe.RetryAfter < 0 || xe.RetryAfter > MaxRetryWait {
			t.Fatalf("Retry-After %v out of [0, MaxRetryWait]", xe.RetryAfter)
		}
		if xe.RateLimitReset.After(now.Add(MaxRetryWait)) {
			t.Fatalf("RateLimit-Reset %v beyond MaxRetryWait", xe.RateLimitReset)
		}
		for _, r := range xe.Error() {
			if unicode.IsControl(r) {
				t.Fatalf("control character %U in %q", r, xe.Error())
			}
		}
		if len(xe.Message) > maxMessageLen+len("…") {
			t.Fatalf("message not clipped: %d bytes", len(xe.Message))
		}
	})
}

func FuzzParseIdentifier(f *testing.F) {
	for _, s := range []string{"alice.bsky.social", "@Alice.Test", "did:plc:abc", "did:web:a.b", "a@b.c", "", "@", "did:", "a..b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, kind, err := ParseIdentifier(s)
		if err != nil {
			return
		}
		switch kind {
		case IdentHandle:
			if !ValidHandle(id) || id != strings.ToLower(id) {
				t.Fatalf("accepted handle %q", id)
			}
		case IdentDID:
			if !ValidDID(id) {
				t.Fatalf("accepted DID %q", id)
			}
		case IdentEmail:
			if strings.Count(id, "@") != 1 || bytes.ContainsAny([]byte(id), " \t\r\n") {
				t.Fatalf("accepted email %q", id)
			}
		default:
			t.Fatalf("kind %v for %q", kind, id)
		}
	})
}

func FuzzNormalizeServiceURL(f *testing.F) {
	for _, s := range []string{"https://bsky.social", "http://localhost:2583", "bsky.social", "http://[::1]:1", "javascript:x", "https://u@h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := NormalizeServiceURL(s)
		if err != nil {
			return
		}
		if !strings.HasPrefix(u, "https://") && !(strings.HasPrefix(u, "http://") && IsLoopbackHost(urlHost(u))) {
			t.Fatalf("accepted %q as %q", s, u)
		}
		if strings.ContainsAny(u, "@?#") || strings.Count(u, "/") != 2 {
			t.Fatalf("accepted %q as %q", s, u)
		}
		if again, err := NormalizeServiceURL(u); err != nil || again != u {
			t.Fatalf("not idempotent: %q → %q → %q (%v)", s, u, again, err)
		}
	})
}
