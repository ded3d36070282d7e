package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/skyswitch/skyswitch/internal/sanitize"
)

// The bearer of these tests: a JWT whose signature is its secret part.
const (
	wBearer = "eyJ0eXAiOiJhdCtqd3QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkaWQ6cGxjOmFiYyJ9.UBgM9x7Lq2vT1kR8nW4sY6zA0dF3hJ5mP-cX_eG9iOu"
	wSig    = "UBgM9x7Lq2vT1kR8nW4sY6zA0dF3hJ5mP-cX_eG9iOu"
	wOpaque = "opaque/token+with/slashes.and.dots"
)

// jsonEscaped is s with every byte written as a \u escape.
func jsonEscaped(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		fmt.Fprintf(&b, `\u%04X`, c)
	}
	return b.String()
}

// withheldCases are bodies and what a client may read of them.
var withheldCases = []struct{ name, body, want string }{
	{"the bearer in a JSON string", `{"token":"` + wBearer + `"}`, `{"token":"` + BodyWithheld + `"}`},
	{"the Authorization header", `{"h":"Bearer ` + wBearer + `"}`, `{"h":"Bearer ` + BodyWithheld + `"}`},
	{"the bearer as JSON escapes", `{"t":"` + jsonEscaped(wBearer) + `"}`, `{"t":"` + BodyWithheld + `"}`},
	{"half escaped, half not", `["` + wBearer[:50] + jsonEscaped(wBearer[50:]) + `"]`, `["` + BodyWithheld + `"]`},
	{"its signature alone", `{"sig":"` + wSig + `"}`, `{"sig":"` + BodyWithheld + `"}`},
	{"the signature's last 32 bytes", `"…` + wSig[len(wSig)-32:] + `"`, `"…` + BodyWithheld + `"`},
	{"a quoteLen piece of the signature", `x` + wSig[7:7+quoteLen] + `x`, `x` + BodyWithheld + `x`},
	{"split by zero-width spaces", `"` + strings.Join(strings.Split(wSig, ""), "\u200b") + `"`, `"` + BodyWithheld + `"`},
	{"split by escaped zero-width spaces and newlines", `"` + wSig[:10] + `\u200b` + wSig[10:20] + `\n` + wSig[20:] + `"`, `"` + BodyWithheld + `"`},
	{"twice, apart", wBearer + ", " + wBearer, BodyWithheld + ", " + BodyWithheld},
	{"in binary bytes", "\x00\xff\x01" + wBearer + "\xfe\x00", "\x00\xff\x01" + BodyWithheld + "\xfe\x00"},
	{"an opaque token with \\/", `{"t":"` + strings.ReplaceAll(wOpaque, "/", `\/`) + `"}`, `{"t":"` + BodyWithheld + `"}`},
	{"a piece of an opaque token", `{"t":"` + wOpaque[3:3+quoteLen] + `"}`, `{"t":"` + BodyWithheld + `"}`},
	// What is no credential passes as it is.
	{"the header and claims without the signature", `"` + wBearer[:len(wBearer)-len(wSig)] + `"`, `"` + wBearer[:len(wBearer)-len(wSig)] + `"`},
	{"another token with the same claims", `{"accessJwt":"` + wBearer[:len(wBearer)-len(wSig)] + `b3RoZXItc2lnbmF0dXJlLW9mLWEtbmV3LXNlc3Npb24"}`,
		`{"accessJwt":"` + wBearer[:len(wBearer)-len(wSig)] + `b3RoZXItc2lnbmF0dXJlLW9mLWEtbmV3LXNlc3Npb24"}`},
	{"a piece one byte short", `"` + wSig[:quoteLen-1] + `"`, `"` + wSig[:quoteLen-1] + `"`},
	{"escapes of other text", `{"a":"\u00e9\\u0065\"\/x","b":"\ud83d\ude00"}`, `{"a":"\u00e9\\u0065\"\/x","b":"\ud83d\ude00"}`},
	{"a backslash at the end", `abc\`, `abc\`},
	{"a cut escape at the end", `abc\u00`, `abc\u00`},
	{"a cut rune at the end", "abc\xe2\x80", "abc\xe2\x80"},
	{"empty", "", ""},
}

func withholdAll(t *testing.T, r io.Reader) string {
	t.Helper()
	got, err := io.ReadAll(withholdBody(io.NopCloser(r), requestCredentials(wBearer, nil, wOpaque)))
	if err != nil {
		t.Fatal(err)
	}
	return string(got)
}

func TestWithholdBodyReplacesEveryRepeatOfACredential(t *testing.T) {
	for _, tc := range withheldCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := withholdAll(t, strings.NewReader(tc.body)); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			if json.Valid([]byte(tc.body)) && !json.Valid([]byte(tc.want)) {
				t.Error("valid JSON became invalid")
			}
		})
	}
}

// However the body arrives, one byte at a time or cut at any point, what
// is read is the same.
func TestWithholdBodyAcrossReads(t *testing.T) {
	for _, tc := range withheldCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := withholdAll(t, iotest.OneByteReader(strings.NewReader(tc.body))); got != tc.want {
				t.Errorf("one byte a read:\n got  %q\nwant %q", got, tc.want)
			}
			for cut := range len(tc.body) {
				r := io.MultiReader(strings.NewReader(tc.body[:cut]), strings.NewReader(tc.body[cut:]))
				if got := withholdAll(t, r); got != tc.want {
					t.Fatalf("cut at %d:\n got  %q\nwant %q", cut, got, tc.want)
				}
			}
		})
	}
}

// Large bodies, read in chunks of any size: every echo is withheld and
// everything else passes byte for byte.
func TestWithholdBodyLargeAndChunked(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var body, want bytes.Buffer
	for i := range 3000 {
		filler := make([]byte, rng.IntN(200))
		for j := range filler {
			filler[j] = byte(rng.IntN(256))
			if filler[j] == '\\' {
				filler[j] = '/'
			}
		}
		body.Write(filler)
		want.Write(filler)
		if i%7 == 0 {
			body.WriteString(`"` + wBearer + `"`)
			want.WriteString(`"` + BodyWithheld + `"`)
		}
	}
	r := &chunky{data: body.Bytes(), rng: rng}
	if got := withholdAll(t, r); got != want.String() {
		t.Fatalf("%d bytes in, %d out, %d wanted", body.Len(), len(got), want.Len())
	}
}

// chunky reads data in chunks of random size.
type chunky struct {
	data []byte
	rng  *rand.Rand
}

func (c *chunky) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 1+c.rng.IntN(70000))], c.data)
	c.data = c.data[n:]
	return n, nil
}

// A body that fails after some bytes: they are read, withheld where they
// must be, and the failure is returned after them.
func TestWithholdBodyPassesOnAFailure(t *testing.T) {
	cut := errors.New("cut")
	r := io.MultiReader(strings.NewReader(`{"t":"`+wBearer+`","x":"`), iotest.ErrReader(cut))
	got, err := io.ReadAll(withholdBody(io.NopCloser(r), requestCredentials(wBearer, nil)))
	if !errors.Is(err, cut) || string(got) != `{"t":"`+BodyWithheld+`","x":"` {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestRawWithholdsTheBearerInABody(t *testing.T) {
	base := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"echo":%q,"escaped":"%s"}`, r.Header.Get("Authorization"), jsonEscaped(wBearer))
	})
	resp, err := (&Client{}).Raw(context.Background(), base, wBearer, RawRequest{Method: http.MethodGet, NSID: "com.example.echo"})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	want := `{"echo":"Bearer ` + BodyWithheld + `","escaped":"` + BodyWithheld + `"}`
	if err != nil || string(got) != want {
		t.Fatalf("got %q, %v", got, err)
	}
}

func BenchmarkWithholdBody(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, kind := range []string{"binary", "json"} {
		data := make([]byte, 8<<20)
		for i := range data {
			if kind == "binary" {
				data[i] = byte(rng.IntN(256))
			} else {
				data[i] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\":,{} "[rng.IntN(68)]
			}
		}
		b.Run(kind, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				io.Copy(io.Discard, withholdBody(io.NopCloser(bytes.NewReader(data)), requestCredentials(wBearer, nil)))
			}
		})
	}
}

// Whatever the body and however it is cut, the reading is the same, and no
// piece of the signature is left in it, even with what Fold removes taken
// out.
func FuzzWithholdBody(f *testing.F) {
	for _, tc := range withheldCases {
		f.Add([]byte(tc.body), uint16(len(tc.body)/2))
	}
	f.Add([]byte(`\`+wSig), uint16(3))
	f.Add([]byte(`\U`+wSig[1:quoteLen+1]), uint16(0))
	cs := requestCredentials(wBearer, nil, wOpaque)
	f.Fuzz(func(t *testing.T, body []byte, cut uint16) {
		read := func(r io.Reader) string {
			got, err := io.ReadAll(withholdBody(io.NopCloser(r), cs))
			if err != nil {
				t.Fatal(err)
			}
			return string(got)
		}
		whole := read(bytes.NewReader(body))
		at := int(cut) % (len(body) + 1)
		if got := read(io.MultiReader(bytes.NewReader(body[:at]), bytes.NewReader(body[at:]))); got != whole {
			t.Fatalf("cut at %d: %q, whole: %q", at, got, whole)
		}
		if got := read(iotest.OneByteReader(bytes.NewReader(body))); got != whole {
			t.Fatalf("one byte a read: %q, whole: %q", got, whole)
		}
		folded := sanitize.Fold(whole)
		for _, secret := range []string{wSig, wOpaque} {
			for i := 0; i+quoteLen <= len(secret); i++ {
				if strings.Contains(folded, secret[i:i+quoteLen]) {
					t.Fatalf("a piece of a credential is left: %q", whole)
				}
			}
		}
	})
}
