package ui

import (
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
)

func TestCountdownText(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, "expired"},
		{-time.Second, "expired"},
		{999 * time.Millisecond, "0:00"},
		{42 * time.Second, "0:42"},
		{42*time.Second + 900*time.Millisecond, "0:42"},
		{time.Minute, "1m00s"},
		{4*time.Minute + 7*time.Second, "4m07s"},
		{time.Hour, "1h00m00s"},
		{time.Hour + 59*time.Minute + 12*time.Second, "1h59m12s"},
		{47*time.Hour + 59*time.Minute, "47h59m00s"},
		{48 * time.Hour, "2d"},
		{89*24*time.Hour + 23*time.Hour, "89d"},
	} {
		if got := countdown(c.d); got != c.want {
			t.Errorf("countdown(%v) = %q, want %q", c.d, got, c.want)
		}
	}
	if got := days(90 * 24 * time.Hour); got != "90d" {
		t.Errorf("days(90d) = %q", got)
	}
	for d, want := range map[time.Duration]string{
		48 * time.Hour: "2d", 47*time.Hour + 59*time.Minute: "47h", 5 * time.Hour: "5h", time.Hour: "1h",
		59*time.Minute + 12*time.Second: "59m12s", 42 * time.Second: "0:42", 0: "expired",
	} {
		if got := days(d); got != want || len(got) > len("REFRESH") {
			t.Errorf("days(%v) = %q, want %q (at most the column's 7 cells)", d, got, want)
		}
	}
	if got := days(5 * time.Hour); got != "5h" {
		t.Errorf("days(5h) = %q", got)
	}
}

func TestBackoff(t *testing.T) {
	want := []time.Duration{1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300}
	for i, w := range want {
		if got := backoff(i+1, 0); got != w*time.Second {
			t.Errorf("backoff(%d, 0) = %v, want %v", i+1, got, w*time.Second)
		}
	}
	if got := backoff(1, 0.999); got < time.Second || got >= 1200*time.Millisecond {
		t.Errorf("jitter: %v", got)
	}
	if got := backoff(100, 0.999); got >= 6*time.Minute {
		t.Errorf("backoff(100) = %v", got)
	}
}

func TestShortDID(t *testing.T) {
	if got := shortDID("did:plc:abcdefghijklmnopqrstuvwx", 16); got != "did:plc:…rstuvwx" || len([]rune(got)) != 16 {
		t.Errorf("shortDID = %q", got)
	}
	if got := shortDID("did:web:a.b", 16); got != "did:web:a.b" {
		t.Errorf("shortDID short = %q", got)
	}
}

func TestExpiryMemoStaysBounded(t *testing.T) {
	var e expiryMemo
	for i := range memoMax + 10 {
		e.of(string(rune('a'+i%26)) + time.Duration(i).String())
	}
	if len(e.m) > memoMax {
		t.Fatalf("memo holds %d tokens", len(e.m))
	}
	if !e.of("not a token").IsZero() {
		t.Fatal("an undecodable token has an expiry")
	}
}

// The scheduler's memoised refreshDue must agree with auth.RefreshDue,
// and for an OAuth session (opaque tokens) with its NeedsRefresh.
func TestRefreshDueMatchesAuth(t *testing.T) {
	iat := time.Unix(1_800_000_000, 0)
	tok := func(life time.Duration) string {
		enc := func(v string) string { return base64.RawURLEncoding.EncodeToString([]byte(v)) }
		return enc(`{"typ":"at+jwt"}`) + "." + enc(fmt.Sprintf(`{"iat":%d,"exp":%d}`, iat.Unix(), iat.Add(life).Unix())) + ".sig"
	}
	for _, life := range []time.Duration{2 * time.Second, 80 * time.Second, 2 * time.Hour} {
		for _, at := range []time.Duration{0, life / 2, life * 3 / 4, life - time.Second, life, life + time.Minute} {
			m := New(nil, Options{Now: func() time.Time { return iat.Add(at) }})
			for _, tk := range []string{tok(life), "not-a-jwt"} {
				a := &storage.Account{SessionData: auth.SessionData{AccessJwt: tk}}
				if got, want := m.refreshDue(a), auth.RefreshDue(tk, iat.Add(at), m.opts.RefreshMargin); got != want {
					t.Errorf("life %v at %v: refreshDue %v, auth.RefreshDue %v", life, at, got, want)
				}
			}
			o := &storage.Account{SessionData: auth.SessionData{AccessJwt: "opaque-access", RefreshJwt: "opaque-refresh", RefreshedAt: iat,
				OAuth: &auth.OAuthData{AccessExpiresAt: iat.Add(life), SessionEndsAt: iat.Add(auth.OAuthSessionLimit)}}}
			due, want := m.refreshDue(o), o.NeedsRefresh(iat.Add(at), m.opts.RefreshMargin)
			if due != want || due != (at >= life-auth.EffectiveMargin(life, m.opts.RefreshMargin)) {
				t.Errorf("OAuth, life %v at %v: refreshDue %v, NeedsRefresh %v", life, at, due, want)
			}
		}
	}
}
