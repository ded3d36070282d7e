package cli

// Tests of api's JSON handling without copies: compacting in place,
// reading a page's members, writing as the sanitiser would, reading a
// body within its bound, and the memory these take.

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/sanitize"
)

var jsonSeeds = []string{
	`{}`, `[]`, `null`, `"s"`, `12.5e3`, `true`,
	` { "a" : [ 1 , 2 ] , "b" : { } } `,
	"{\n\t\"records\": [\r\n{\"uri\": \"at://x\"}],\n \"cursor\": \"c 1\"}",
	`{"s":"quote \" and \\ and \\\" spaces  in string","t":"\u00e9 \u200d \u0085"}`,
	`{"cursor":null,"records":[]}`,
	`{"curs\u006fr":"escaped key","x":[[],{}]}`,
	`{"cursor":"a","cursor":"b"}`,
	"{\"raw\":\"\u0085 \u200d \u202e \xe2\x80 \x9b\xff\",\"emoji\":\"👩\u200d💻\"}",
}

// compactJSON gives what json.Compact gives.
func FuzzCompactJSON(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if !json.Valid(in) {
			return
		}
		var want bytes.Buffer
		if err := json.Compact(&want, in); err != nil {
			t.Fatal(err)
		}
		if got := compactJSON(bytes.Clone(in)); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("compactJSON(%q) = %q, want %q", in, got, want.Bytes())
		}
	})
}

// members finds what json.Unmarshal into a map finds: every key, and for
// a key given twice, the last value.
func FuzzMembers(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if !json.Valid(in) {
			return
		}
		page := compactJSON(bytes.Clone(in))
		var want map[string]json.RawMessage
		err := json.Unmarshal(page, &want)
		got := map[string]json.RawMessage{}
		isObject := members(page, func(key, value []byte) {
			var k string
			if err := json.Unmarshal(key, &k); err != nil {
				t.Fatalf("key %q: %v", key, err)
			}
			if !json.Valid(value) {
				t.Fatalf("value %q of %q is not JSON", value, k)
			}
			got[k] = json.RawMessage(value)
		})
		if isObject != (err == nil && want != nil) {
			t.Fatalf("members(%q) says object %v; json.Unmarshal: %v, %v", page, isObject, want, err)
		}
		if !isObject {
			return
		}
		if len(got) != len(want) {
			t.Fatalf("members(%q) = %v, want %v", page, got, want)
		}
		for k, v := range want {
			// Unmarshal into a map keeps a value as it came, spaces and all.
			if !bytes.Equal(got[k], compactJSON(bytes.Clone(v))) {
				t.Errorf("members(%q)[%q] = %q, want %q", page, k, got[k], v)
			}
		}
	})
}

// jsonOut writes what the sanitiser writes of sanitize.JSON's output,
// however the document is cut into writes at rune boundaries.
func FuzzJSONOut(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add([]byte(s), uint8(3))
	}
	f.Fuzz(func(t *testing.T, in []byte, cut uint8) {
		want := sanitize.Text(string(sanitize.JSON(in)))
		var buf bytes.Buffer
		w := newJSONOut(sanitize.NewWriter(&buf), &buf)
		i := min(int(cut), len(in))
		for i < len(in) && !runeStart(in[i]) {
			i++
		}
		w.text(in[:i])
		w.text(in[i:])
		if err := w.flush(); err != nil {
			t.Fatal(err)
		}
		if buf.String() != want {
			t.Errorf("jsonOut wrote %q, the sanitiser %q", buf.String(), want)
		}
		// To a file: sanitize.JSON's escapes, and bytes that are not
		// UTF-8 as they are.
		buf.Reset()
		w = newJSONOut(nil, &buf)
		w.text(in)
		w.flush()
		if want := sanitize.JSON(in); !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("jsonOut to a file wrote %q, sanitize.JSON %q", buf.Bytes(), want)
		}
	})
}

func runeStart(b byte) bool { return b&0xc0 != 0x80 }

// A write error is returned, not lost in the buffer.
func TestJSONOutWriteError(t *testing.T) {
	t.Parallel()
	w := newJSONOut(sanitize.NewWriter(failWriter{}), failWriter{})
	if err := writeJSONDoc(w, []byte(`{"a":1}`), false); err == nil {
		t.Error("a failed write was not reported")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// mustNotRead fails the test when read: a body refused for its declared
// length must not be read at all.
type mustNotRead struct{ t *testing.T }

func (r mustNotRead) Read([]byte) (int, error) {
	r.t.Error("a body over the bound by its Content-Length was read")
	return 0, io.EOF
}

func TestReadBody(t *testing.T) {
	t.Parallel()
	const limit = 1000
	body := strings.Repeat("x", limit)
	for _, size := range []int64{-1, limit} {
		if got, err := readBody(strings.NewReader(body), size, limit); err != nil || string(got) != body {
			t.Errorf("size %d: a body of exactly the limit: %d bytes, %v", size, len(got), err)
		}
		if _, err := readBody(strings.NewReader(body+"y"), size, limit); !errors.Is(err, errTooLarge) {
			t.Errorf("size %d: a body over the limit: %v", size, err)
		}
	}
	// A body longer than it said is read on, within the limit.
	if got, err := readBody(strings.NewReader(body[:20]), 10, limit); err != nil || string(got) != body[:20] {
		t.Errorf("a body longer than its Content-Length: %q, %v", got, err)
	}
	if _, err := readBody(mustNotRead{t}, limit+1, limit); !errors.Is(err, errTooLarge) {
		t.Errorf("a Content-Length over the limit: %v", err)
	}
	// A body cut short is an error, not a shorter body: HTTP says
	// io.ErrUnexpectedEOF.
	cut := io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(io.ErrUnexpectedEOF))
	if got, err := readBody(cut, -1, limit); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("a cut body: %q, %v", got, err)
	}
	// Read in blocks (64 KiB, doubling), joined.
	big := strings.Repeat("0123456789", 50_000)
	if got, err := readBody(iotest.HalfReader(strings.NewReader(big)), -1, 1<<20); err != nil || string(got) != big {
		t.Errorf("a body of several blocks: %d bytes, %v", len(got), err)
	}
}

// allocated is how many bytes f allocates: the whole process's count, so
// a test that uses it runs alone.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A large page with its Content-Length is read into one buffer and
// written without another copy: it allocates about its size once (the
// old code, with io.ReadAll's growth, json.Compact's and sanitize.JSON's
// copies, about seven times it).
func TestLargeJSONCopiedOnce(t *testing.T) {
	if !alone(t) {
		return
	}
	var doc bytes.Buffer
	doc.WriteString(`{"records": [`)
	for i := 0; doc.Len() < 32<<20; i++ {
		fmt.Fprintf(&doc, `{ "uri" : "at://did:plc:x/app.bsky.feed.post/%08d", "text" : "h\u00e9llo \u200d \u0085" }, `, i)
	}
	doc.WriteString(`{}]}`)
	header := http.Header{"Content-Length": {strconv.Itoa(doc.Len())}}
	var err error
	n := allocated(func() {
		var data []byte
		resp := &auth.RawResponse{Header: header, Body: io.NopCloser(bytes.NewReader(doc.Bytes()))}
		if data, err = readJSON(resp, "x", maxJSONBytes); err == nil {
			err = writeJSONDoc(newJSONOut(sanitize.NewWriter(io.Discard), io.Discard), data, false)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("a %d MiB page allocated %d MiB", doc.Len()>>20, n>>20)
	if limit := uint64(doc.Len()) * 3 / 2; n > limit {
		t.Errorf("a %d MiB page allocated %d MiB, more than %d MiB", doc.Len()>>20, n>>20, limit>>20)
	}
}

// --paginate keeps a digest of each cursor it followed, not the cursor:
// with 1 MiB cursors, what it holds does not grow by a cursor a page.
func TestPaginateKeepsCursorDigests(t *testing.T) {
	if !alone(t) { // it reads the process's heap
		return
	}
	const pages = 24
	var live []uint64
	call := func(req auth.RawRequest) (*auth.RawResponse, error) {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		live = append(live, ms.HeapAlloc)
		page := `{"items":[1]}`
		if len(live) < pages {
			salt := make([]byte, 8)
			rand.Read(salt)
			page = `{"items":[1],"cursor":"` + hex.EncodeToString(salt) + strings.Repeat("c", 1<<20) + `"}`
		}
		return &auth.RawResponse{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(page))}, nil
	}
	out := &apiOut{text: newJSONOut(sanitize.NewWriter(io.Discard), io.Discard)}
	e := &invocation{}
	if err := e.paginate(call, auth.RawRequest{NSID: "com.example.pages"}, apiOptions{paginate: true, maxPages: defaultMaxPages}, out); err != nil {
		t.Fatal(err)
	}
	if len(live) != pages {
		t.Fatalf("%d pages called, want %d", len(live), pages)
	}
	if grew := int64(live[pages-1]) - int64(live[2]); grew > 8<<20 {
		t.Errorf("the heap grew by %d MiB over %d pages with 1 MiB cursors", grew>>20, pages-3)
	}
}
