package cli

// Tests of `skyswitch api -H` (request headers) and of -i on error answers,
// run as command functions against the fake PDS behind apiWorld's stub.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

const nsidUploadBlob = "com.atproto.repo.uploadBlob"

// tinyPNG is a 1×1 PNG image.
func tinyPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 1, 1))
	img.Set(0, 0, color.RGBA{R: 0x33, G: 0x99, B: 0xff, A: 0xff})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// blobRef decodes uploadBlob's answer.
func blobRef(t *testing.T, r result) (mimeType string, size int, link string) {
	t.Helper()
	var out struct {
		Blob struct {
			Ref struct {
				Link string `json:"$link"`
			}
			MimeType string
			Size     int
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("uploadBlob: not JSON: %v\n%s", err, r)
	}
	return out.Blob.MimeType, out.Blob.Size, out.Blob.Ref.Link
}

func TestAPIHeaders(t *testing.T) {
	t.Parallel()
	e, alice := apiWorld(t, fakepds.Options{})

	// key:value with or without space, a value with a colon, --header
	// as -H, a name given twice: both values, in order.
	r := e.run("", "api", "-H", "atproto-accept-labelers: did:plc:one;redact", "-H", "Atproto-Accept-Labelers:did:plc:two",
		"-H", "Accept-Language: \t de, en;q=0.5 ", "--header", "X-Trace: a:b", "-H", "Accept: application/json", nsidGetSession)
	wantCode(t, r, exitOK)
	got := e.srv.LastRequest(nsidGetSession).Header
	for name, want := range map[string][]string{
		"Atproto-Accept-Labelers": {"did:plc:one;redact", "did:plc:two"},
		"Accept-Language":         {"de, en;q=0.5"},
		"X-Trace":                 {"a:b"},
		"Accept":                  {"application/json"}, // replaces */*
	} {
		if !slices.Equal(got[name], want) {
			t.Errorf("%s: %q, want %q", name, got[name], want)
		}
	}
	if auth := got.Get("Authorization"); auth != "Bearer "+e.account(alice.DID).AccessJwt {
		t.Error("the session's Authorization header is not the one sent")
	}

	// The call sent again after a rejected token carries them too.
	e.srv.Inject(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultQuoteCredentials, Name: "ExpiredToken", Status: 400, Quote: fakepds.QuoteTail, Times: 1})
	before := len(e.srv.Requests(nsidGetSession))
	wantCode(t, e.run("", "api", "-H", "Accept-Language: fr", nsidGetSession), exitOK)
	sent := e.srv.Requests(nsidGetSession)[before:]
	if len(sent) != 2 || sent[0].Header.Get("Accept-Language") != "fr" || sent[1].Header.Get("Accept-Language") != "fr" {
		t.Errorf("%d requests; the retry lost the header?", len(sent))
	}
}

func TestAPIUploadBlob(t *testing.T) {
	t.Parallel()
	e, _ := apiWorld(t, fakepds.Options{})
	dir := t.TempDir()
	img := filepath.Join(dir, "dot.png")
	os.WriteFile(img, tinyPNG(t), 0o600)
	text := filepath.Join(dir, "note")
	os.WriteFile(text, []byte("a note, not JSON\n"), 0o600)
	upload := func(args ...string) (string, int) {
		t.Helper()
		r := e.run("", append(append([]string{"api"}, args...), nsidUploadBlob)...)
		wantCode(t, r, exitOK)
		mt, size, link := blobRef(t, r)
		if !strings.HasPrefix(link, "bafkrei") {
			t.Errorf("blob ref %q", link)
		}
		return mt, size
	}

	// An image goes with the type its bytes show (the fake trusts it).
	if mt, size := upload("--input", img); mt != "image/png" || size != len(tinyPNG(t)) {
		t.Errorf("--input a PNG: %s, %d bytes", mt, size)
	}
	// -H Content-Type decides; given twice, the last counts, once.
	if mt, _ := upload("--input", text, "-H", "Content-Type: image/png"); mt != "image/png" {
		t.Errorf("-H Content-Type: image/png: %s", mt)
	}
	if mt, _ := upload("--input", text, "-H", "content-type: text/plain", "-H", "Content-Type: image/webp"); mt != "image/webp" {
		t.Errorf("the last Content-Type: %s", mt)
	}
	if ct := e.srv.LastRequest(nsidUploadBlob).Header.Values("Content-Type"); len(ct) != 1 {
		t.Errorf("Content-Type sent %d times", len(ct))
	}
	// From standard input too; text is said to be text.
	r := e.run("hello", "api", "--input", "-", nsidUploadBlob)
	wantCode(t, r, exitOK)
	if mt, size, _ := blobRef(t, r); mt != "text/plain" || size != 5 {
		t.Errorf("text from stdin: %s, %d bytes", mt, size)
	}
}

func TestAPIHeaderRefusals(t *testing.T) {
	t.Parallel()
	e, alice := apiWorld(t, fakepds.Options{})
	token := e.account(alice.DID).AccessJwt
	before := e.guard.requests()
	for i, tc := range []struct {
		header, want string
	}{
		{"Accept-Language de", "no colon"},
		{token, "no colon"},
		{": de", "the name"},
		{"Accept Language: de", "the name"},
		{"Accept-Language : de", "none before the colon"},
		{"Bearer " + token + ": x", "the name"},
		{"X-Token: " + token + "\r\nX-More: y", "control character"},
		{"X-Esc: \x1b[31m", "control character"},
		{"Authorization: Bearer " + token, "Authorization cannot be set: skyswitch sends the account's access token"},
		{"authorization: Basic eDp5", "Authorization cannot be set"},
		{"atproto-proxy: did:web:api.bsky.chat#bsky_chat", "Atproto-Proxy cannot be set: use --proxy"},
		{"Host: evil.example", "Host cannot be set"},
		{"Content-Length: 0", "Content-Length cannot be set"},
		{"Transfer-Encoding: chunked", "Transfer-Encoding cannot be set"},
		{"connection: close", "Connection cannot be set"},
	} {
		r := e.run("", "api", "-H", "Accept: */*", "-H", tc.header, nsidGetSession)
		if strings.Contains(r.stdout+r.stderr, token) {
			t.Errorf("case %d: the output holds the token", i)
			continue
		}
		r.args[4] = fmt.Sprintf("(header of case %d)", i) // a failure prints the command line
		wantError(t, r, exitUsage, "-H (header 2)", tc.want)
	}
	if n := e.guard.requests() - before; n != 0 {
		t.Errorf("%d requests sent by command lines that were refused", n)
	}
}

// wantHead checks -i's output before the error: the status line, the
// headers (every want among them) and a blank line, nothing else; and the
// error line as without -i.
func wantHead(t *testing.T, r result, status string, code int, wantHeaders []string, wantErr ...string) {
	t.Helper()
	head, rest, ok := strings.Cut(r.stdout, "\n\n")
	if !ok || rest != "" || !strings.HasPrefix(head, "HTTP "+status+"\n") {
		t.Errorf("stdout is not one head of HTTP %s:\n%s", status, r)
	}
	for _, h := range wantHeaders {
		if !strings.Contains(head+"\n", "\n"+h+"\n") {
			t.Errorf("no %q in the head:\n%s", h, head)
		}
	}
	r.stdout = ""
	wantError(t, r, code, wantErr...)
}

func TestAPIIncludeOnErrors(t *testing.T) {
	t.Parallel()
	e, alice := apiWorld(t, fakepds.Options{})

	// An XRPC error: its head, then the error line as without -i.
	r := e.run("", "api", "-i", "-X", "GET", "-f", "actor=alice.test", "app.bsky.actor.getProfile")
	wantHead(t, r, "501 Not Implemented", exitFailure, []string{"Content-Type: application/json; charset=utf-8"},
		"app.bsky.actor.getProfile: MethodNotImplemented: Method Not Implemented")

	// A 429: its rate-limit headers, and when to try again.
	reset := e.clock.Now().Add(90 * time.Second)
	e.srv.Inject(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultRateLimit, ResetAt: reset, Times: 1})
	r = e.run("", "api", "-i", nsidGetSession)
	wantHead(t, r, "429 Too Many Requests", exitFailure,
		[]string{"Ratelimit-Remaining: 0", "Ratelimit-Reset: " + strconv.FormatInt(reset.Unix(), 10)},
		"rate limited by the server until", "(in 2 minutes)")

	// A header echoing the token is withheld; a C1 CSI is made harmless.
	r = e.run("", "api", "-i", "com.example.fail")
	wantHead(t, r, "400 Bad Request", exitFailure, []string{"X-Seen-Authorization: (withheld: it quoted a credential sent with the request)"},
		"com.example.fail: InvalidRequest: no such thing")
	if strings.Contains(r.stdout, "\u009b") || !strings.Contains(r.stdout, "X-Csi: ") {
		t.Errorf("the C1 CSI is not made harmless: %q", r.stdout)
	}

	// A page of --paginate that fails shows its head too.
	e.srv.Inject(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultStatus, Status: 503, RetryAfter: 30 * time.Second, Times: 1})
	r = e.run("", "api", "-i", "--paginate", nsidGetSession)
	wantHead(t, r, "503 Service Unavailable", exitFailure, []string{"Retry-After: 30"}, "NotEnoughResources")

	// A rejected token, then the call again: only the answer that counts.
	e.srv.Inject(nsidGetSession, fakepds.Fault{Kind: fakepds.FaultQuoteCredentials, Name: "ExpiredToken", Status: 400, Quote: fakepds.QuoteTail, Times: 1})
	r = e.run("", "api", "-i", nsidGetSession)
	wantCode(t, r, exitOK)
	if strings.Count(r.stdout, "HTTP ") != 1 || !strings.HasPrefix(r.stdout, "HTTP 200 OK\n") {
		t.Errorf("after a refresh, one head of 200 expected:\n%s", r)
	}

	// An ended session: exit 4 and no head (no answer to this call).
	e.revoke(e.account(alice.DID).RefreshJwt)
	e.clock.Set(e.clock.Now().Add(3 * time.Hour))
	wantError(t, e.run("", "api", "-i", nsidGetSession), exitNoSession)
}
