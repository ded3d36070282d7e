package fields

import (
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"testing"
)

func parseAll(t *testing.T, raw, typed []string) []Field {
	t.Helper()
	var fs []Field
	for _, a := range raw {
		f, err := Parse(a, false)
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	for _, a := range typed {
		f, err := Parse(a, true)
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	return fs
}

func files(name string) ([]byte, error) {
	if name == "post.txt" {
		return []byte("hello from a file"), nil
	}
	return nil, errors.New("no such file")
}

func TestObject(t *testing.T) {
	fs := parseAll(t,
		[]string{"repo=did:plc:abc", "collection=app.bsky.feed.post", "record[text]=hi", "record[$type]=app.bsky.feed.post", "n=42"},
		[]string{"record[langs][]=en", "record[langs][]=fr", "validate=false", "count=3", "ratio=-1.5e3", "none=null", "record[facets][][index]=1", "record[facets][][feature]=x", "record[facets][][index]=2", "body=@post.txt", "word=hello"})
	got, err := Object(fs, files)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(got)
	want := `{"body":"hello from a file","collection":"app.bsky.feed.post","count":3,"n":"42","none":null,"ratio":-1.5e3,` +
		`"record":{"$type":"app.bsky.feed.post","facets":[{"feature":"x","index":1},{"index":2}],"langs":["en","fr"],"text":"hi"},` +
		`"repo":"did:plc:abc","validate":false,"word":"hello"}`
	if string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
}

func TestObjectRefusals(t *testing.T) {
	for _, tc := range [][]Field{
		{{Key: "a", Value: "1"}, {Key: "a", Value: "2"}},
		{{Key: "a", Value: "1"}, {Key: "a[b]", Value: "2"}},
		{{Key: "a[b]", Value: "1"}, {Key: "a[]", Value: "2"}},
		{{Key: "[x]", Value: "1"}},
		{{Key: "a[b", Value: "1"}},
		{{Key: "a[b]c", Value: "1"}},
		{{Key: "f", Value: "@missing", Typed: true}},
	} {
		if got, err := Object(tc, files); err == nil {
			t.Errorf("%v: accepted as %v", tc, got)
		}
	}
	if _, err := Parse("novalue", false); err == nil {
		t.Error("a field without = accepted")
	}
	if _, err := Parse("=v", true); err == nil {
		t.Error("a field without a key accepted")
	}
}

func TestQuery(t *testing.T) {
	fs := parseAll(t, []string{"actor=alice.test", "uris=at://a", "uris=at://b"}, []string{"limit=50", "tags[]=x", "tags[]=y", "skip=null", "reverse=true"})
	got, err := Query(fs, files)
	if err != nil {
		t.Fatal(err)
	}
	want := url.Values{"actor": {"alice.test"}, "uris": {"at://a", "at://b"}, "limit": {"50"}, "tags": {"x", "y"}, "reverse": {"true"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if _, err := Query([]Field{{Key: "a[b]", Value: "1"}}, files); err == nil {
		t.Error("a nested key accepted in a query")
	}
}

func TestTypedValues(t *testing.T) {
	for in, want := range map[string]any{
		"true": true, "false": false, "null": nil, "12": json.Number("12"), "-0.5": json.Number("-0.5"),
		"1e400": "1e400", "0x10": "0x10", "+1": "+1", "NaN": "NaN", "01": "01", "": "", "yes": "yes",
	} {
		got, err := Field{Key: "k", Value: in, Typed: true}.value(files)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("-F k=%s: %#v (%v), want %#v", in, got, err, want)
		}
	}
	if got, _ := (Field{Key: "k", Value: "true"}).value(files); got != "true" {
		t.Errorf("-f k=true is %#v, want the string", got)
	}
}

// As, the lexicon's type, decides what -F makes of a value; -f stays a
// string, and null still leaves the field out.
func TestTypedAs(t *testing.T) {
	read := func(string) ([]byte, error) { return []byte("7\n"), nil }
	fs := []Field{
		{Key: "repo", Value: "123", Typed: true, As: "string"},
		{Key: "yes", Value: "true", Typed: true, As: "string"},
		{Key: "limit", Value: "5", Typed: true, As: "integer"},
		{Key: "fromFile", Value: "@n", Typed: true, As: "integer"},
		{Key: "validate", Value: "false", Typed: true, As: "boolean"},
		{Key: "raw", Value: "5", As: "integer"},
		{Key: "gone", Value: "null", Typed: true, As: "string"},
	}
	obj, err := Object(fs, read)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(obj)
	if want := `{"fromFile":7,"gone":null,"limit":5,"raw":"5","repo":"123","validate":false,"yes":"true"}`; string(got) != want {
		t.Errorf("Object = %s, want %s", got, want)
	}
	for _, f := range []Field{
		{Key: "limit", Value: "five", Typed: true, As: "integer"},
		{Key: "limit", Value: "1.5", Typed: true, As: "integer"},
		{Key: "ok", Value: "yes", Typed: true, As: "boolean"},
	} {
		if _, err := Object([]Field{f}, read); err == nil {
			t.Errorf("%s=%s as %s: no error", f.Key, f.Value, f.As)
		}
	}
}
