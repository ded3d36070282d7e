package sanitize

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFieldKeepsACleanFieldAsItIs(t *testing.T) {
	for _, s := range []string{"", "alice@example.com", "ünïcode@exämple.org", strings.Repeat("a", 254)} {
		if got := Field(s, 254); got != s {
			t.Errorf("Field(%q) = %q", s, got)
		}
	}
}

func TestFieldMakesUnsafeRunesVisibleOnOneLine(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a\x1b[0m@b.c", `a\x1b[0m@b.c`},
		{"zero\u200bwidth@b.c", `zero\u200bwidth@b.c`}, // a rule the old login-only filter lacked
		{"tag\U000E0041@b.c", `tag\U000e0041@b.c`},
		{"two\nlines@b.c", "two lines@b.c"},
		{"bad\xff@b.c", `bad\xff@b.c`},
		{"c1\u009f@b.c", `c1\u009f@b.c`},
	} {
		if got := Field(tc.in, 254); got != tc.want {
			t.Errorf("Field(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFieldCutsBetweenRunesAndEscapes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"abcdef", 4, "abcd…"},
		{"abcdef", 6, "abcdef"},
		{"ab\x1bcd", 4, "ab…"},     // not "ab\x…"
		{"ab\x1bcd", 6, `ab\x1b…`}, // the whole escape fits
		{"aé", 2, "a…"},            // é is two bytes
		{"日本語", 7, "日本…"},
	} {
		got := Field(tc.in, tc.n)
		if got != tc.want {
			t.Errorf("Field(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
		if !utf8.ValidString(got) || len(strings.TrimSuffix(got, "…")) > tc.n {
			t.Errorf("Field(%q, %d) = %q: invalid or over %d bytes", tc.in, tc.n, got, tc.n)
		}
	}
}
