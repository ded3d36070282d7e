package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/auth"
)

// FuzzLoad feeds arbitrary bytes to the loader. It must never panic, its
// errors must never quote a token-like value ("eyJ…") of the file, and
// whatever it accepts must (1) be read the same by encoding/json, strict,
// and (2) survive a write and a read unchanged. The committed corpus is
// under testdata/fuzz/FuzzLoad.
func FuzzLoad(f *testing.F) {
	valid, _ := encode(stateWith(2), nil)
	f.Add(valid)
	f.Add([]byte(`{"version":1}`))
	f.Add([]byte(`{"version":1,"active":"did:plc:a","accounts":[{"did":"did:plc:a","didDoc":{"a":[1,2.5e3,true,null,"\u00e9"]}}]}`))
	f.Add([]byte(`{"version":1,"pendingLogouts":[{"session":{"refreshJwt":"r","did":"d"},"attempts":3,"queuedAt":"2025-06-01T12:00:00+02:00"}]}`))
	f.Add([]byte(`{"version":1,"previous":"\ud83d\ude00\ud800x\\\"\/\b\f\n\r\t"}`))
	f.Add([]byte(`{"version":99,"x":1}`))
	f.Add([]byte(`{"version":1,"active":"eyJhbGciOi.eyJzdWIi.c2ln"}`))
	f.Add([]byte(`{"version":1,"accounts":[{"did":"did:plc:a","eyJhbGciOi":"x"}]}`))
	f.Add([]byte(`{"version":1,"accounts":[{"did":"did:plc:a","active":true,"status":null,"didDoc":null}]}`))
	f.Add([]byte(`{"version":3,"accounts":[{"did":"did:plc:a","handle":"a.test","handleCheck":{"handle":"a.test","status":"unverified","names":"did:plc:b","at":"2025-06-01T12:00:00Z"}},{"did":"did:plc:b","handle":"A.test"}]}`))
	f.Add([]byte(`{"version":3,"accounts":[{"did":"did:plc:a","handle":"a.test","handleCheck":{"names":"did:plc:b"}}]}`))
	f.Add([]byte(`{"version":2,"secrets":"keyring","keyringId":"0011","accounts":[{"did":"did:plc:a","secrets":"keyring","secretsTag":"00112233aabbccdd"}]}`))
	f.Add([]byte(`{"version":1,"active":"did:` + keyStart + `QQgwjVhyJhq"}`))
	oauth, _ := os.ReadFile(filepath.Join("testdata", "compat", "v5-oauth.json"))
	f.Add(oauth)
	f.Add([]byte(`{"version":5,"active":"did:` + keyStart + `","accounts":[{"did":"did:plc:a","refreshJwt":"r","oauth":{"clientId":"https://c.test/` + keyStart + `","issuer":"https://i.test","tokenEndpoint":"https://i.test/t","dpopKey":"` + keyStart + `QQg","scope":"atproto","sessionEndsAt":"2025-06-15T12:00:00Z","` + keyStart + `":1}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := decode("fuzz", data)
		// (0) reading one account agrees with reading them all, and
		// its hand reading of the accounts with the one by reflection.
		oneAgrees(t, data, st, err)
		scanAgrees(t, data)
		if err != nil {
			if _, ok := err.(*FileError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			// (0b) an error never quotes what may be a token or a
			// DPoP key.
			for _, start := range []string{"eyJ", keyStart} {
				if bytes.Contains(data, []byte(start)) && strings.Contains(err.Error(), start) {
					t.Fatalf("the error quotes a token-like or key-like value: %v", err)
				}
			}
			return
		}
		// (1) encoding/json, strict, reads the same document.
		var ref State
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ref); err != nil {
			t.Fatalf("accepted what encoding/json refuses: %v", err)
		}
		if !sameState(st, &ref) {
			t.Fatalf("read differently from encoding/json:\n got %+v\nwant %+v", st, &ref)
		}
		// (2) a write and a read give back the same state.
		out, err := encode(st, nil)
		if err != nil {
			t.Fatalf("a loaded state cannot be written: %v", err)
		}
		again, err := decode("fuzz", out)
		if err != nil {
			t.Fatalf("cannot read what was written: %v\n%s", err, out)
		}
		if !sameState(st, again) {
			t.Fatalf("changed by a write and a read:\n got %+v\nwant %+v", again, st)
		}
	})
}

// oneAgrees checks that decodeOne fails exactly when decode failed (with
// the same message) and otherwise finds what State.Choose finds, or fails
// as it does, for the active account, each account by DID and by
// upper-cased handle, and an unknown name.
func oneAgrees(t *testing.T, data []byte, st *State, err error) {
	t.Helper()
	idents := []string{"", "did:plc:nobody", "@nobody.test"}
	if st != nil {
		for _, a := range st.Accounts {
			idents = append(idents, a.DID, "@"+strings.ToUpper(a.Handle))
		}
	}
	for _, ident := range idents {
		a, _, ok, oneErr := decodeOne("fuzz", data, ident)
		if _, choice := oneErr.(*HandleError); !choice && ((err == nil) != (oneErr == nil) || err != nil && err.Error() != oneErr.Error()) {
			t.Fatalf("decodeOne(%q) error %v, decode error %v", ident, oneErr, err)
		}
		if err != nil {
			continue
		}
		want, wantOK, wantErr := st.Choose(ident)
		if ident == "" {
			want, wantOK, wantErr = st.Choose(st.Active)
		}
		if fmt.Sprint(oneErr) != fmt.Sprint(wantErr) {
			t.Fatalf("decodeOne(%q) error %v, Choose error %v", ident, oneErr, wantErr)
		}
		if ok != wantOK || ok && !sameState(&State{Accounts: []Account{*a}}, &State{Accounts: []Account{*want}}) {
			t.Fatalf("decodeOne(%q) = %+v, %v; Find gives %+v, %v", ident, a, ok, want, wantOK)
		}
	}
}

// sameState compares states, with DID documents compared as compact JSON
// (encoding/json keeps a null document as the bytes "null") and times as
// instants.
func sameState(a, b *State) bool {
	norm := func(s *State) *State {
		c := *s
		c.Accounts = append([]Account(nil), s.Accounts...)
		for i := range c.Accounts {
			c.Accounts[i].DIDDoc = compact(c.Accounts[i].DIDDoc)
			c.Accounts[i].OAuth = ownOAuth(c.Accounts[i].OAuth)
		}
		c.PendingLogouts = append([]PendingLogout(nil), s.PendingLogouts...)
		for i := range c.PendingLogouts {
			c.PendingLogouts[i].Session.DIDDoc = compact(c.PendingLogouts[i].Session.DIDDoc)
			c.PendingLogouts[i].Session.OAuth = ownOAuth(c.PendingLogouts[i].Session.OAuth)
		}
		utc(reflect.ValueOf(&c).Elem())
		if len(c.Accounts) == 0 {
			c.Accounts = nil
		}
		if len(c.PendingLogouts) == 0 {
			c.PendingLogouts = nil
		}
		return &c
	}
	return reflect.DeepEqual(norm(a), norm(b))
}

// ownOAuth is a copy of o, for norm to change.
func ownOAuth(o *auth.OAuthData) *auth.OAuthData {
	if o == nil {
		return nil
	}
	c := *o
	return &c
}

// utc puts every time in v in UTC: "+00:00" reads as another location than
// "Z", the same instant.
func utc(v reflect.Value) {
	switch {
	case v.Type() == reflect.TypeFor[time.Time]():
		v.Set(reflect.ValueOf(v.Interface().(time.Time).UTC()))
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			utc(v.Field(i))
		}
	case v.Kind() == reflect.Pointer && !v.IsNil():
		utc(v.Elem())
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Struct:
		for i := range v.Len() {
			utc(v.Index(i))
		}
	}
}

func compact(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return raw
	}
	return b.Bytes()
}

// TestFuzzSeedsAreAsNamed keeps the committed corpus honest: seeds named
// "seed-valid-…" load, every other "seed-…" is refused.
func TestFuzzSeedsAreAsNamed(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzLoad", "seed-*"))
	if len(paths) < 10 {
		t.Fatalf("only %d seeds in the corpus", len(paths))
	}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitN(string(raw), "\n", 3)
		lit := strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")")
		data, err := strconv.Unquote(lit)
		if len(lines) < 2 || lines[0] != "go test fuzz v1" || err != nil {
			t.Fatalf("%s: not a corpus file: %v", p, err)
		}
		_, err = decode(p, []byte(data))
		if wantOK := strings.HasPrefix(filepath.Base(p), "seed-valid-"); (err == nil) != wantOK {
			t.Errorf("%s: err = %v", filepath.Base(p), err)
		}
	}
}
