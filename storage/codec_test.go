package storage

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// filled returns a T with every field set to a non-zero value, found by
// reflection: a field added to auth.SessionData or to the storage types
// appears here without anyone updating the test.
func filled[T any]() T {
	var v T
	fill(reflect.ValueOf(&v).Elem(), "f")
	return v
}

func fill(v reflect.Value, name string) {
	switch {
	case v.Type() == reflect.TypeFor[time.Time]():
		v.Set(reflect.ValueOf(t0.Add(time.Duration(len(name)) * time.Second)))
	case v.Type() == reflect.TypeFor[json.RawMessage]():
		v.Set(reflect.ValueOf(json.RawMessage(`{"id":"` + name + `","n":[1,2]}`)))
	case v.Kind() == reflect.String && strings.HasSuffix(name, ".Secrets"):
		v.SetString(SecretsKeyring) // the one value besides ""
	case v.Kind() == reflect.String:
		v.SetString("did:x-" + name)
	case v.Kind() == reflect.Bool:
		v.SetBool(true)
	case v.Kind() == reflect.Int:
		v.SetInt(int64(len(name)))
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), name+"."+v.Type().Field(i).Name)
			}
		}
	default:
		panic("fill: add a case for " + v.Type().String())
	}
}

// TestCodecCoversEveryField checks the hand-written codec against
// encoding/json in both directions with every field set. It fails when a
// field is added to auth.SessionData or the storage types and not to the
// codec, which would otherwise drop it silently.
func TestCodecCoversEveryField(t *testing.T) {
	st := NewState()
	a := filled[Account]()
	st.Upsert(a)
	st.Active = a.DID
	st.Version, st.Secrets, st.KeyringID = CurrentVersion, SecretsKeyring, "k-1"
	st.PendingLogouts = []PendingLogout{filled[PendingLogout]()}

	ours, err := encode(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	// An account whose secrets are in the keyring is written without them.
	st.Accounts[0].AccessJwt, st.Accounts[0].RefreshJwt = "", ""
	var viaStd State
	if err := json.Unmarshal(ours, &viaStd); err != nil || !sameState(&viaStd, st) {
		t.Errorf("encoding/json reads our output differently (err %v):\n got %+v\nwant %+v", err, &viaStd, st)
	}
	std, _ := json.Marshal(st)
	back, err := decode("std", std)
	if err != nil || !sameState(back, st) {
		t.Errorf("we read encoding/json's output differently (err %v):\n got %+v\nwant %+v", err, back, st)
	}
}

func TestAppendString(t *testing.T) {
	tests := []string{
		"", "plain ascii that is longer than eight bytes", `quote " and backslash \`,
		"\x00\x01\x1f\n\r\t", "é 日本 😀", "mixed 12345678\"12345678\\12345678\x7f",
		"<html>&amp;", "\u2028\u2029", strings.Repeat("abcdefgh", 9) + "\"",
	}
	for _, s := range tests {
		out := appendString(nil, s)
		var back string
		if err := json.Unmarshal(out, &back); err != nil || back != s {
			t.Errorf("appendString(%q) = %s, reads back as %q (%v)", s, out, back, err)
		}
		r := &reader{data: out}
		if got := r.str(); got != s || r.err != nil {
			t.Errorf("reader reads %s as %q (%v)", out, got, r.err)
		}
	}
	// Invalid UTF-8 becomes U+FFFD, as encoding/json does.
	bad := "a\xffb\xc3"
	std, _ := json.Marshal(bad)
	var want, got string
	json.Unmarshal(std, &want)
	json.Unmarshal(appendString(nil, bad), &got)
	if got != want || !utf8.ValidString(got) {
		t.Errorf("invalid UTF-8 written as %q, encoding/json writes %q", got, want)
	}
}

func TestReaderStringsMatchEncodingJSON(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{`"abc"`, true}, {`"a\"b\\c\/d"`, true}, {`"\b\f\n\r\t"`, true},
		{`"\u00e9\u65e5"`, true}, {`"\ud83d\ude00"`, true}, {`"\ud800"`, true},
		{`"\ud800\u0041"`, true}, {`"\udc00\ud800"`, true}, {`"x\ud83d"`, true},
		{`"\u12"`, false}, {`"\x41"`, false}, {`"\u+123"`, false}, {`"abc`, false},
		{`"a` + "\x01" + `"`, false}, {`"\`, false}, {`"\u00G0"`, false},
	}
	for _, tt := range tests {
		r := &reader{data: []byte(tt.in)}
		got := r.str()
		var want string
		stdErr := json.Unmarshal([]byte(tt.in), &want)
		if ok := r.err == nil; ok != tt.ok || ok != (stdErr == nil) {
			t.Errorf("%s: reader err %v, encoding/json err %v, want ok=%v", tt.in, r.err, stdErr, tt.ok)
			continue
		}
		if tt.ok && got != want {
			t.Errorf("%s: reader %q, encoding/json %q", tt.in, got, want)
		}
	}
}

// TestPlainWord checks the 8-byte fast path against the byte table.
func TestPlainWord(t *testing.T) {
	word := func(b []byte) uint64 {
		var w uint64
		for i := 7; i >= 0; i-- {
			w = w<<8 | uint64(b[i])
		}
		return w
	}
	for c := range 256 {
		for pos := range 8 {
			b := []byte("abcdefgh")
			b[pos] = byte(c)
			if got := plainWord(word(b)); got != plain[c] {
				t.Fatalf("byte %#x at %d: plainWord %v, table %v", c, pos, got, plain[c])
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		b := make([]byte, 8)
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		want := true
		for _, c := range b {
			want = want && plain[c]
		}
		if got := plainWord(word(b)); got != want {
			t.Fatalf("%q: plainWord %v, table %v", b, got, want)
		}
	}
}

func TestIntegers(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"0", 0, true}, {"-0", 0, true}, {"42", 42, true}, {"-7", -7, true}, {"null", 0, true},
		{"01", 0, false}, {"1.0", 0, false}, {"1e2", 0, false}, {"+1", 0, false},
		{"99999999999999999999", 0, false}, {"-", 0, false}, {`"1"`, 0, false},
	}
	for _, tt := range tests {
		r := &reader{data: []byte(tt.in)}
		got := r.integer()
		if r.err == nil && r.peek() != 0 {
			r.fail("trailing")
		}
		if (r.err == nil) != tt.ok || tt.ok && got != tt.want {
			t.Errorf("integer(%s) = %d, %v", tt.in, got, r.err)
		}
	}
}
