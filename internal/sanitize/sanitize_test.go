package sanitize

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"alice.bsky.social", "alice.bsky.social"},
		{"naïve café ✓ 日本", "naïve café ✓ 日本"},
		{"two\nlines\tand tab", "two\nlines\tand tab"},
		{"\x1b]0;pwned\x07", `\x1b]0;pwned\a`},
		{"\x1b]52;c;ZXZpbA==\x07", `\x1b]52;c;ZXZpbA==\a`},
		{"\x1b[2Jclear", `\x1b[2Jclear`},
		{"over\rwrite", `over\rwrite`},
		{"del\x7f", `del\x7f`},
		{"c1 \u009b31m", `c1 \u009b31m`},
		{"bidi \u202eevil\u202c", `bidi \u202eevil\u202c`},
		{"isolate \u2066x\u2069", `isolate \u2066x\u2069`},
		{"zero\u200bwidth", `zero\u200bwidth`},
		{"bom\ufeff", `bom\ufeff`},
		{"tag\U000E0041", `tag\U000e0041`},
		{"hangul filler \u3164", `hangul filler \u3164`},
		{"sep\u2028x", `sep\u2028x`},
		{"bad \xff byte", `bad \xff byte`},
		{"real \ufffd stays", "real \ufffd stays"},
	} {
		if got := Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLine(t *testing.T) {
	if got, want := Line("a\nb\tc\x1bd"), `a b c\x1bd`; got != want {
		t.Errorf("Line = %q, want %q", got, want)
	}
}

func TestFrameKeepsColoursOnly(t *testing.T) {
	in := "skyswitch\n\x1b[1;38;2;10;20;30mtitle\x1b[0m\n" +
		"@evil \x1b]0;title\x07 \x1b]52;c;ZXZpbA==\x1b\\ \x1b[2J \x1b[?1049l \u202eok\r\n"
	want := "skyswitch\n\x1b[1;38;2;10;20;30mtitle\x1b[0m\n" +
		"@evil ]0;title ]52;c;ZXZpbA==\\ [2J [?1049l ok\n"
	if got := Frame(in); got != want {
		t.Errorf("Frame:\n got %q\nwant %q", got, want)
	}
}

func TestWriterJoinsSplitRunes(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	in := []byte("é→\u202e\x1b[31m✓")
	for i := range in { // one byte a write
		if n, err := w.Write(in[i : i+1]); n != 1 || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), `é→\u202e\x1b[31m✓`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestWriterFlushesACutRune(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	w.Write([]byte("ok\xe2\x86"))
	w.Flush()
	if got, want := buf.String(), `ok\xe2\x86`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestJSONStaysValidAndEscaped(t *testing.T) {
	v := map[string]string{"handle": "a\x1b]0;x\x07\u009b\u202e\u200b\x7f\U000E0041b"}
	enc, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out := JSON(enc)
	for _, r := range string(out) {
		if r != '\n' && Unsafe(r) {
			t.Fatalf("unsafe rune %U left in %s", r, out)
		}
	}
	var back map[string]string
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatalf("not JSON any more: %v: %s", err, out)
	}
	if back["handle"] != v["handle"] {
		t.Errorf("round trip changed the value: %q", back["handle"])
	}
}

func TestFoldFindsASplitSecret(t *testing.T) {
	text := "error: your password is hun\u200bter\u2060-2\u00ad!x"
	if !strings.Contains(Fold(text), Fold("hunter-2!x")) {
		t.Errorf("Fold(%q) = %q: the split password is not found", text, Fold(text))
	}
}

// FuzzSanitize: whatever the input, Text and Line leave no unsafe rune and
// no invalid UTF-8, are idempotent and keep safe text unchanged; Frame
// leaves nothing but SGR sequences behind an ESC, and no tab.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b]0;t\x07", "\x1b[31mred\x1b[0m", "\u202e", "\xff\xfe", "a\nb\tc\r", "\u009b2J"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for name, fn := range map[string]func(string) string{"Text": Text, "Line": Line} {
			out := fn(s)
			if !utf8.ValidString(out) {
				t.Fatalf("%s(%q) is not valid UTF-8: %q", name, s, out)
			}
			for _, r := range out {
				if Unsafe(r) || (name == "Line" && (r == '\n' || r == '\t')) {
					t.Fatalf("%s(%q) = %q keeps %U", name, s, out, r)
				}
			}
			if again := fn(out); again != out {
				t.Fatalf("%s is not idempotent: %q then %q", name, out, again)
			}
		}
		if firstUnsafe(s, false) == len(s) && Text(s) != s {
			t.Fatalf("Text changed safe text %q", s)
		}
		fr := Frame(s)
		if !utf8.ValidString(fr) {
			t.Fatalf("Frame(%q) is not valid UTF-8", s)
		}
		for i := 0; i < len(fr); i++ {
			if fr[i] == 0x1b {
				n := sgrLen(fr[i:])
				if n == 0 {
					t.Fatalf("Frame(%q) = %q keeps an ESC that starts no SGR", s, fr)
				}
				i += n - 1
				continue
			}
		}
		for _, r := range fr {
			if r == '\t' || r != 0x1b && r != '\n' && Unsafe(r) {
				t.Fatalf("Frame(%q) = %q keeps %U", s, fr, r)
			}
		}
		var buf bytes.Buffer
		w := NewWriter(&buf)
		mid := len(s) / 2
		w.Write([]byte(s[:mid]))
		w.Write([]byte(s[mid:]))
		w.Flush()
		if buf.String() != Text(s) {
			t.Fatalf("Writer over two writes = %q, Text = %q", buf.String(), Text(s))
		}
	})
}
