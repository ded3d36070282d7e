package storage

import (
	"encoding/json"
	"errors"
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
	case v.Kind() == reflect.String && strings.HasSuffix(name, ".HandleCheck.Status"):
		v.SetString(HandleUnverified)
	case v.Kind() == reflect.String && strings.HasSuffix(name, ".DPoPKey"):
		v.SetString(dpopKey(name))
	case v.Kind() == reflect.String && (strings.HasSuffix(name, "ID") || strings.HasSuffix(name, "Issuer") || strings.HasSuffix(name, "Endpoint")) &&
		strings.Contains(name, ".OAuth."):
		v.SetString("https://x.test/" + name)
	case v.Kind() == reflect.String:
		v.SetString("did:x-" + name)
	case v.Kind() == reflect.Bool:
		v.SetBool(true)
	case v.Kind() == reflect.Int:
		v.SetInt(int64(len(name)))
	case v.Kind() == reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), name)
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
	// An account whose secrets are in the keyring is written without them
	// (the tokens, an OAuth session's key), and the state is not changed.
	if st.Accounts[0].AccessJwt == "" || st.Accounts[0].OAuth.DPoPKey == "" {
		t.Fatal("encode changed the state it wrote")
	}
	st.Accounts[0].AccessJwt, st.Accounts[0].RefreshJwt, st.Accounts[0].OAuth.DPoPKey = "", "", ""
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

// withString is a valid document whose active account's handle is the
// JSON string literal lit.
func withString(lit string) []byte {
	return []byte(`{"version":1,"active":"did:plc:a","accounts":[{"did":"did:plc:a","handle":` + lit + `}]}`)
}

// TestStringsRoundTrip: strings of every kind are written so that
// encoding/json and the reader both read them back unchanged.
func TestStringsRoundTrip(t *testing.T) {
	tests := []string{
		"", "plain ascii that is longer than eight bytes", `quote " and backslash \`,
		"\x00\x01\x1f\n\r\t\b\f", "é 日本 😀", "mixed 12345678\"12345678\\12345678\x7f",
		"<html>&amp;", "\u2028\u2029", strings.Repeat("abcdefgh", 9) + "\"", `a\bc \f`,
	}
	for _, s := range tests {
		st := stateWith(1)
		st.Accounts[0].Handle = s
		out, err := encode(st, nil)
		if err != nil {
			t.Fatal(err)
		}
		var std State
		if err := json.Unmarshal(out, &std); err != nil || std.Accounts[0].Handle != s {
			t.Errorf("%q is written so that encoding/json reads %q (%v)", s, std.Accounts[0].Handle, err)
		}
		back, err := decode("t", out)
		if err != nil || back.Accounts[0].Handle != s {
			t.Errorf("%q is written so that it reads back as %v (%v)", s, back, err)
		}
	}
	// Invalid UTF-8 becomes U+FFFD, as encoding/json does.
	bad := "a\xffb\xc3"
	std, _ := json.Marshal(bad)
	var want string
	json.Unmarshal(std, &want)
	st := stateWith(1)
	st.Accounts[0].Handle = bad
	out, err := encode(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	back, err := decode("t", out)
	if err != nil || back.Accounts[0].Handle != want || !utf8.ValidString(back.Accounts[0].Handle) {
		t.Errorf("invalid UTF-8 written as %v (%v), encoding/json writes %q", back, err, want)
	}
}

// TestReaderStringsMatchEncodingJSON: the reader reads escapes as
// encoding/json does (a lone surrogate as U+FFFD), and refuses what it
// refuses.
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
		st, err := decode("t", withString(tt.in))
		var want string
		stdErr := json.Unmarshal([]byte(tt.in), &want)
		if ok := err == nil; ok != tt.ok || ok != (stdErr == nil) {
			t.Errorf("%s: reader err %v, encoding/json err %v, want ok=%v", tt.in, err, stdErr, tt.ok)
			continue
		}
		if tt.ok && st.Accounts[0].Handle != want {
			t.Errorf("%s: reader %q, encoding/json %q", tt.in, st.Accounts[0].Handle, want)
		}
		// LoadAccount's reader reads it the same.
		if a, _, _, err := decodeOne("t", withString(tt.in), "did:plc:a"); tt.ok && (err != nil || a.Handle != want) {
			t.Errorf("%s: LoadAccount's reader %+v, %v; encoding/json %q", tt.in, a, err, want)
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
		// Read, not checked: a negative count is the state check's to refuse.
		doc := `{"version":1,"pendingLogouts":[{"session":{"refreshJwt":"r"},"attempts":` + tt.in + `}]}`
		st := new(State)
		err := readDocument("t", []byte(doc), st, nil)
		if (err == nil) != tt.ok || tt.ok && st.PendingLogouts[0].Attempts != tt.want {
			t.Errorf("attempts %s: %+v, %v", tt.in, st, err)
		}
	}
}

// TestDIDDocumentAsReceived: a DID document is the server's: it is kept
// byte for byte, white space, escapes, number forms and a name twice
// included, though the same in our own fields is refused.
func TestDIDDocumentAsReceived(t *testing.T) {
	doc := "{ \"id\":\"did:plc:a\",\n \"n\": 1.50E+2, \"s\": \"\\u00e9\", \"id\": \"again\" }"
	in := `{"version":1,"active":"did:plc:a","accounts":[{"did":"did:plc:a","didDoc":` + doc + `}]}`
	st, err := decode("t", []byte(in))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if string(st.Accounts[0].DIDDoc) != doc {
		t.Fatalf("didDoc read as %s", st.Accounts[0].DIDDoc)
	}
	a, _, ok, err := decodeOne("t", []byte(in), "")
	if err != nil || !ok || string(a.DIDDoc) != doc {
		t.Fatalf("decodeOne: %v, %v, %+v", err, ok, a)
	}
	out, err := encode(st, nil)
	if err != nil || !strings.Contains(string(out), `"didDoc": `+doc+",\n") {
		t.Fatalf("written as (%v)\n%s", err, out)
	}
	twice := strings.Replace(in, `"did":"did:plc:a"`, `"did":"did:plc:a","did":"did:plc:a"`, 1)
	if _, err := decode("t", []byte(twice)); err == nil || !strings.Contains(err.Error(), "accounts[0].did: field appears twice") {
		t.Fatalf("a name twice in an account: %v", err)
	}
}

// TestEncodeRefusesWhatCannotBeRead: a DID document that is not JSON, or
// nests too deeply, and a time outside the years 0 to 9999 are not
// written; the error names the member.
func TestEncodeRefusesWhatCannotBeRead(t *testing.T) {
	tests := []struct {
		name, want string
		change     func(a *Account)
	}{
		{"didDoc cut short", "accounts[1].didDoc: not valid JSON", func(a *Account) { a.DIDDoc = json.RawMessage(`{"id":`) }},
		{"didDoc deep", "accounts[1].didDoc: not valid JSON", func(a *Account) {
			a.DIDDoc = json.RawMessage(strings.Repeat("[", 600) + strings.Repeat("]", 600))
		}},
		{"year 10000", "accounts[1].addedAt: time out of range", func(a *Account) { a.AddedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }},
	}
	for _, tt := range tests {
		st := stateWith(2)
		tt.change(&st.Accounts[1])
		_, err := encode(st, nil)
		if !errors.Is(err, ErrInvalidState) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want ErrInvalidState saying %q", tt.name, err, tt.want)
		}
	}
}
