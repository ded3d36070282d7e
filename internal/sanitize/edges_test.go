package sanitize

import (
	"strings"
	"testing"
)

// Every range the sanitiser refuses, at its first and last member and at
// the neighbours just outside it, through Unsafe, Text (made visible as an
// escape) and Frame (removed). A neighbour is sometimes in another range
// (U+2065, default-ignorable, beside the isolates): the row says so.
func TestRangeEdges(t *testing.T) {
	for _, tc := range []struct {
		r      rune
		unsafe bool
		what   string
	}{
		{0x0000, true, "C0, first"},
		{0x0008, true, "C0, before tab"},
		{0x0009, false, "tab: kept by Text"},
		{0x000a, false, "newline: kept by Text"},
		{0x000b, true, "C0, after newline"},
		{0x001f, true, "C0, last"},
		{0x0020, false, "space, after C0"},
		{0x007e, false, "~, before DEL"},
		{0x007f, true, "DEL"},
		{0x0080, true, "C1, first"},
		{0x009b, true, "C1, CSI"},
		{0x009f, true, "C1, last"},
		{0x00a0, false, "no-break space, after C1"},
		{0x00ad, true, "soft hyphen (format)"},
		{0x061b, false, "Arabic semicolon, before ALM"},
		{0x061c, true, "Arabic letter mark (bidi)"},
		{0x061d, false, "after ALM"},
		{0x200a, false, "hair space, before the zero-width ones"},
		{0x200b, true, "zero-width space, first of 200B–200F"},
		{0x200f, true, "right-to-left mark, last of 200B–200F"},
		{0x2010, false, "hyphen, after 200F"},
		{0x2027, false, "hyphenation point, before the separators"},
		{0x2028, true, "line separator"},
		{0x2029, true, "paragraph separator"},
		{0x202a, true, "LRE, first embedding/override"},
		{0x202e, true, "RLO, last embedding/override"},
		{0x202f, false, "narrow no-break space, after RLO"},
		{0x205f, false, "medium mathematical space, before word joiner"},
		{0x2060, true, "word joiner, first of 2060–206F"},
		{0x2064, true, "invisible plus"},
		{0x2065, true, "reserved, default-ignorable"},
		{0x2066, true, "LRI, first isolate"},
		{0x2069, true, "PDI, last isolate"},
		{0x206f, true, "nominal digit shapes, last of 2060–206F"},
		{0x2070, false, "superscript zero, after 206F"},
		{0x3163, false, "Hangul letter before the filler"},
		{0x3164, true, "Hangul filler"},
		{0x3165, false, "Hangul letter after the filler"},
		{0xfdcf, false, "before the noncharacters FDD0–FDEF"},
		{0xfdd0, true, "noncharacter, first of FDD0–FDEF"},
		{0xfdef, true, "noncharacter, last of FDD0–FDEF"},
		{0xfdf0, false, "after FDEF"},
		{0xfefe, false, "before the byte order mark"},
		{0xfeff, true, "zero-width no-break space (BOM)"},
		{0xff00, false, "after the BOM"},
		{0xfffd, false, "a real replacement character"},
		{0xfffe, true, "noncharacter FFFE"},
		{0xffff, true, "noncharacter FFFF"},
		{0xe0000, true, "tags block, first (default-ignorable)"},
		{0xe0001, true, "language tag"},
		{0xe007f, true, "cancel tag, last tag"},
		{0xe0fff, true, "last default-ignorable of plane 14"},
		{0xe1000, false, "after plane 14's default-ignorables"},
	} {
		s := "a" + string(tc.r) + "b"
		if got := Unsafe(tc.r); got != tc.unsafe {
			t.Errorf("Unsafe(%U) = %v, want %v (%s)", tc.r, got, tc.unsafe, tc.what)
		}
		escaped := Text(s) == "a"+escape(tc.r)+"b" && escape(tc.r) != string(tc.r)
		if escaped != tc.unsafe {
			t.Errorf("Text(%+q) = %+q (%s)", s, Text(s), tc.what)
		}
		want := s
		if tc.unsafe || tc.r == '\t' {
			want = "ab"
		}
		if got := Frame(s); got != want {
			t.Errorf("Frame(%+q) = %+q, want %+q (%s)", s, got, want, tc.what)
		}
	}
}

// Frame removes a tab, whatever else the frame holds: the layout measured
// none (a terminal would widen the line to the next tab stop), so the line
// keeps the width it was measured at. Frames that are plain text (no
// colour, nothing else to clean) pass the same rule.
func TestFrameRemovesTabs(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a\tb", "ab"},
		{"\t", ""},
		{"one\ttwo\nthree\t\tfour\n", "onetwo\nthreefour\n"},
		{"\x1b[31ma\tb\x1b[0m", "\x1b[31mab\x1b[0m"},
		{"a\tb\x1b]0;x\x07", "ab]0;x"},
	} {
		got := Frame(tc.in)
		if got != tc.want {
			t.Errorf("Frame(%+q) = %+q, want %+q", tc.in, got, tc.want)
		}
		if strings.ContainsRune(got, '\t') {
			t.Errorf("Frame(%+q) keeps a tab", tc.in)
		}
	}
}
