package storage

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
)

// readAccounts reads data's accounts as indexWith does, by hand or with
// full by reflection, and returns what each read kept.
func readAccounts(data []byte, full bool) ([]Account, error) {
	var (
		got     []Account
		scratch Account
	)
	read := accountReader(full, &scratch)
	err := readDocument("t", data, new(State), func(dec *jsontext.Decoder) error {
		scratch = Account{}
		if err := read(dec); err != nil {
			return err
		}
		got = append(got, scratch)
		return nil
	})
	return got, err
}

// scanAgrees checks that what the hand reading of the accounts accepts,
// the reading by reflection accepts too, keeping the same of each account
// and giving the same state and spans; and that indexAccounts answers as
// the reading by reflection does, in the same words. It tells whether the
// hand reading accepted data.
func scanAgrees(t *testing.T, data []byte) bool {
	t.Helper()
	fast, fastErr := readAccounts(data, false)
	full, fullErr := readAccounts(data, true)
	if fastErr == nil && (fullErr != nil || !reflect.DeepEqual(fast, full)) {
		t.Fatalf("read by hand without error, by reflection: %v; by hand:\n%+v\nby reflection:\n%+v\n%s", fullErr, fast, full, data)
	}
	fst, fspans, ferr := indexWith("t", data, false)
	wst, wspans, werr := indexWith("t", data, true)
	if ferr == nil && (werr != nil || !reflect.DeepEqual(fst, wst) || !reflect.DeepEqual(fspans, wspans)) {
		t.Fatalf("indexed by hand without error, by reflection: %v, or differently\n%s", werr, data)
	}
	st, spans, err := indexAccounts("t", data)
	if fmt.Sprint(err) != fmt.Sprint(werr) || !reflect.DeepEqual(st, wst) || !reflect.DeepEqual(spans, wspans) {
		t.Fatalf("indexAccounts: %v; by reflection: %v\n%s", err, werr, data)
	}
	return ferr == nil
}

// handChecked is a document whose accounts hold what the others of
// TestScanAccountAgrees do not: handle checks, the keyring fields, a
// refresh error, an ended session.
const handChecked = `{"version":5,"secrets":"keyring","keyringId":"0011","active":"did:plc:a","accounts":[
 {"accessJwt":"","refreshJwt":"","did":"did:plc:a","handle":"a.test","emailConfirmed":false,"emailAuthFactor":true,"active":false,"status":"deactivated","service":"https://s.test","pdsUrl":"https://p.test","secrets":"keyring","secretsTag":"00112233aabbccdd","handleCheck":{"handle":"a.test","status":"unverified","names":"did:plc:b","at":"2025-06-01T12:00:00.123456789-07:30"},"lastRefreshError":"no","lastRefreshErrorAt":"2025-06-01T12:00:00Z","sessionEnded":true},
 {"accessJwt":"x","refreshJwt":"y","did":"did:plc:b","handle":"b.test","didDoc":"a string","handleCheck":{"handle":"b.test","status":"verified"}}
]}`

// TestScanAccountAgrees: the hand reading of the accounts (scanAccount,
// token's) accepts only what the reading by reflection accepts, into the
// same fields, over the files skyswitch writes (which it must accept, or
// token is slow again) and over every variant of them with one member's
// value, or name, changed to something else, or written twice.
func TestScanAccountAgrees(t *testing.T) {
	docs := map[string][]byte{"hand-checked": []byte(handChecked)}
	for i, st := range []*State{stateWith(3), oauth1000()} {
		s := newStore(t)
		st.Accounts = st.Accounts[:min(3, len(st.Accounts))]
		mustUpdate(t, s, replaceWith(st))
		data, err := os.ReadFile(s.Path())
		if err != nil {
			t.Fatal(err)
		}
		docs[fmt.Sprintf("written %d", i)] = data
	}
	compat, _ := filepath.Glob(filepath.Join("testdata", "compat", "*.json"))
	for _, p := range compat {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		docs[p] = data
	}
	values := []string{`null`, `0`, `1.5`, `true`, `false`, `""`, `"x"`, `{}`, `[]`, `"\u0041"`, `"a\ud800"`,
		`"2025-06-01T12:00:00Z"`, `"2025-06-01T12:00:00.5+02:00"`, `"2025-06-01T12:00:00+24:00"`,
		`"2025-06-01T12:00:00-00:60"`, `"2025-06-01T12:00:00,5Z"`, `"2025-06-01t12:00:00Z"`,
		`"2025-06-01 12:00:00Z"`, `"2025-06-01T12:00:60Z"`, `"2025-02-30T12:00:00Z"`,
		`"2025-06-01T12:00:00.Z"`, `"2025-06-01T12:00:00.1234567890Z"`, `"2025-06-01T12:00:00"`,
		`"2025-06-01T1:00:00Z"`, `"10000-01-01T00:00:00Z"`, `"2025-06-01T12:00:00\u005a"`,
		`"did:plc:000000000000000000000001"`, `"did:plc:a"`, `"keyring"`, `"file"`, `"verified"`,
		`"https://x.test"`, `{"a":1,"a":2}`, `{"handle":"a.test"}`,
		strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1)}
	for name, doc := range docs {
		if !scanAgrees(t, doc) {
			t.Errorf("%s: the hand reading refuses it: token would read it twice", name)
		}
		if strings.HasPrefix(name, "testdata") && !strings.Contains(name, "v5-oauth") {
			continue // their accounts hold nothing the others do not
		}
		variants, accepted := 0, 0
		for _, m := range accountMembers(t, doc) {
			var changed [][]byte
			for _, v := range values {
				changed = append(changed, splice(doc, m.value, v))
			}
			n := doc[m.name[0]:m.name[1]]
			for _, other := range []string{
				`"\u00` + fmt.Sprintf("%02x", n[1]) + string(n[2:]),   // the same name, escaped
				`"` + strings.ToUpper(string(n[1:2])) + string(n[2:]), // in another case
				`"x"`,
			} {
				changed = append(changed, splice(doc, m.name, other))
			}
			twice := string(doc[m.name[0]:m.value[1]]) + ", "
			changed = append(changed, splice(doc, [2]int64{m.name[0], m.name[0]}, twice))
			for _, c := range changed {
				variants++
				if scanAgrees(t, c) {
					accepted++
				}
			}
		}
		t.Logf("%s: the hand reading accepted %d of %d variants", name, accepted, variants)
	}
}

// member is where a member of an object is in a document: its name and
// its value, as byte offsets.
type member struct{ name, value [2]int64 }

// accountMembers are the members of the accounts of a document and of
// the objects in them, DID documents excepted.
func accountMembers(t *testing.T, data []byte) []member {
	t.Helper()
	dec := jsontext.NewDecoder(bytes.NewReader(data), jsontext.AllowDuplicateNames(true))
	var (
		out     []member
		opens   []struct{ start, m int64 }
		pending = int64(-1)
	)
	for dec.PeekKind() != 0 {
		before := dec.InputOffset()
		start := before + int64(len(data[before:])-len(bytes.TrimLeft(data[before:], " \t\r\n,:")))
		kind, length := dec.StackIndex(dec.StackDepth())
		isName := kind == '{' && length%2 == 0 && dec.PeekKind() == '"'
		tok, err := dec.ReadToken()
		if err != nil {
			t.Fatal(err)
		}
		end := dec.InputOffset()
		ptr := string(dec.StackPointer())
		switch {
		case isName:
			pending = -1
			if strings.HasPrefix(ptr, "/accounts/") && !strings.Contains(ptr, "/didDoc/") {
				out = append(out, member{name: [2]int64{start, end}})
				pending = int64(len(out) - 1)
			}
		case tok.Kind() == '{' || tok.Kind() == '[':
			opens = append(opens, struct{ start, m int64 }{start, pending})
			pending = -1
		case tok.Kind() == '}' || tok.Kind() == ']':
			o := opens[len(opens)-1]
			opens = opens[:len(opens)-1]
			if o.m >= 0 {
				out[o.m].value = [2]int64{o.start, end}
			}
		case pending >= 0:
			out[pending].value = [2]int64{start, end}
			pending = -1
		}
	}
	return out
}

// splice is data with the bytes at span replaced by with.
func splice(data []byte, span [2]int64, with string) []byte {
	return append(append(append([]byte(nil), data[:span[0]]...), with...), data[span[1]:]...)
}
