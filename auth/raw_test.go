package auth

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

const rawToken = "eyJhbGciOiJIUzI1NiJ9.raw-access-token-for-tests.c2lnbmF0dXJlLXBpZWNl"

func TestRawSendsAsGivenAndStreamsTheAnswer(t *testing.T) {
	var got *http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		body, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/vnd.ipld.car")
		w.Header().Set("X-Echo", r.Header.Get("Authorization"))
		w.Header().Set("RateLimit-Remaining", "99")
		w.Write([]byte("\x00\x01car bytes"))
	}))
	defer srv.Close()
	resp, err := (&Client{}).Raw(context.Background(), srv.URL, rawToken, RawRequest{
		Method: http.MethodPost, NSID: "com.example.thing.doIt", Params: url.Values{"a": {"1", "2"}},
		Body: []byte(`{"x":1}`), Proxy: "did:web:api.bsky.chat#bsky_chat",
	})
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(data) != "\x00\x01car bytes" || resp.Status != 200 {
		t.Fatalf("answer: %d %q %v", resp.Status, data, err)
	}
	if got.Method != "POST" || got.URL.Path != "/xrpc/com.example.thing.doIt" || got.URL.RawQuery != "a=1&a=2" ||
		got.Header.Get("Authorization") != "Bearer "+rawToken || got.Header.Get("Content-Type") != "application/json" ||
		got.Header.Get("Atproto-Proxy") != "did:web:api.bsky.chat#bsky_chat" || string(body) != `{"x":1}` {
		t.Errorf("request: %s %s %v body %q", got.Method, got.URL, got.Header, body)
	}
	if v := resp.Header.Get("X-Echo"); strings.Contains(v, "raw-access-token") {
		t.Error("a header quoting the token is passed on")
	}
	if resp.Header.Get("RateLimit-Remaining") != "99" || resp.Header.Get("Content-Type") != "application/vnd.ipld.car" {
		t.Errorf("headers: %v", resp.Header)
	}
}

func TestRawErrorsAndRefusals(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(400)
		w.Write([]byte(`{"error":"ExpiredToken","message":"token ` + rawToken + ` has expired"}`))
	}))
	defer srv.Close()
	c := &Client{}
	_, err := c.Raw(context.Background(), srv.URL, rawToken, RawRequest{Method: "GET", NSID: "com.atproto.server.getSession"})
	var xe *Error
	if !errors.As(err, &xe) || xe.Name != "ExpiredToken" || xe.Status != 400 || strings.Contains(err.Error(), "raw-access") {
		t.Errorf("error answer: %v", err)
	}
	for _, tc := range []struct {
		base string
		r    RawRequest
		want error
	}{
		{srv.URL, RawRequest{Method: "GET", NSID: "getSession"}, ErrBadNSID},
		{srv.URL, RawRequest{Method: "GET", NSID: "com.atproto.server.get Session"}, ErrBadNSID},
		{srv.URL, RawRequest{Method: "GET", NSID: "com.atproto.server.getSession", Proxy: "did:web:x"}, ErrBadProxy},
		{srv.URL, RawRequest{Method: "GET", NSID: "com.atproto.server.getSession", Proxy: "nodid#svc"}, ErrBadProxy},
		{"http://pds.example", RawRequest{Method: "GET", NSID: "com.atproto.server.getSession"}, ErrBadURL},
	} {
		before := hits.Load()
		if _, err := c.Raw(context.Background(), tc.base, rawToken, tc.r); !errors.Is(err, tc.want) {
			t.Errorf("%s %+v: %v, want %v", tc.base, tc.r, err, tc.want)
		}
		if hits.Load() != before {
			t.Errorf("%+v was sent", tc.r)
		}
	}
	if _, err := c.Raw(context.Background(), srv.URL, rawToken, RawRequest{Method: "DELETE", NSID: "com.atproto.server.getSession"}); err == nil {
		t.Error("DELETE accepted")
	}
}

func TestRawSendsItsHeadersOverTheDefaults(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
	}))
	defer srv.Close()
	_, err := (&Client{}).Raw(context.Background(), srv.URL, rawToken, RawRequest{
		Method: http.MethodPost, NSID: "com.atproto.repo.uploadBlob", Body: []byte("\x89PNG"), ContentType: "application/octet-stream",
		Header: http.Header{
			"atproto-accept-labelers": {"did:plc:one;redact", "did:plc:two"},
			"Accept-Language":         {"de, en;q=0.5"},
			"content-type":            {"image/png"},
			"Accept":                  {"application/json"},
			"X-Empty":                 {""},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"Atproto-Accept-Labelers": {"did:plc:one;redact", "did:plc:two"},
		"Accept-Language":         {"de, en;q=0.5"},
		"Content-Type":            {"image/png"},
		"Accept":                  {"application/json"},
		"X-Empty":                 {""},
		"Authorization":           {"Bearer " + rawToken},
	}
	for k, vs := range want {
		if !slices.Equal(got[k], vs) {
			t.Errorf("%s: %q, want %q", k, got[k], vs)
		}
	}
}

func TestRawRefusesHeadersBeforeSending(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	for i, tc := range []struct {
		name, value string
		want        error
		says        string
	}{
		{"Authorization", "Bearer other", ErrReservedHeader, "Authorization cannot be set: skyswitch sends the account's access token"},
		{"authorization", rawToken, ErrReservedHeader, "Authorization"},
		{"atproto-proxy", "did:web:api.bsky.chat#bsky_chat", ErrReservedHeader, "Atproto-Proxy cannot be set: use --proxy"},
		{"dpop", "eyJ.x.y", ErrReservedHeader, "Dpop cannot be set: skyswitch signs each request of an OAuth session itself"},
		{"Proxy-Authorization", "Basic eA==", ErrReservedHeader, "Proxy-Authorization"},
		{"Host", "evil.example", ErrReservedHeader, "Host cannot be set: HTTP sets it itself"},
		{"content-length", "3", ErrReservedHeader, "Content-Length"},
		{"Transfer-Encoding", "chunked", ErrReservedHeader, "Transfer-Encoding"},
		{"Connection", "close", ErrReservedHeader, "Connection"},
		{"Upgrade", "h2c", ErrReservedHeader, "Upgrade"},
		{"Accept-Encoding", "gzip", ErrReservedHeader, "Accept-Encoding"},
		{"", "x", ErrBadHeader, "the name"},
		{"Accept Language", "de", ErrBadHeader, "the name"},
		{"X-Token ", "x", ErrBadHeader, "the name"},
		{"Bearer " + rawToken, "x", ErrBadHeader, "the name"},
		{"X-Ümlaut", "x", ErrBadHeader, "the name"},
		{"X-Split", "a\r\nAuthorization: Bearer other", ErrBadHeader, "control character"},
		{"X-Token", rawToken + "\n", ErrBadHeader, "control character"},
		{"X-Nul", "a\x00b", ErrBadHeader, "control character"},
		{"X-Esc", "\x1b[31m", ErrBadHeader, "control character"},
		{"X-Del", "a\x7f", ErrBadHeader, "control character"},
	} {
		_, err := (&Client{}).Raw(context.Background(), srv.URL, rawToken, RawRequest{
			Method: http.MethodGet, NSID: "com.atproto.server.getSession", Header: http.Header{tc.name: {tc.value}}})
		switch {
		case err != nil && strings.Contains(err.Error(), "raw-access-token"):
			t.Errorf("case %d: the error quotes the token", i)
		case !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.says):
			t.Errorf("case %d: %v, want %v saying %q", i, err, tc.want, tc.says)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("%d refused requests were sent", n)
	}
	// A tab and bytes over 0x7f are allowed in a value, as HTTP allows them.
	if err := CheckHeader("X-Note", "a\tb \xc3\xa9"); err != nil {
		t.Errorf("a tab and UTF-8: %v", err)
	}
}

func TestRawErrorAnswersKeepTheirHeaders(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("RateLimit-Remaining", "0")
		w.Header().Set("X-Echo", r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(`{"error":"RateLimitExceeded","message":"slow down"}`))
	}))
	defer srv.Close()
	_, err := (&Client{}).Raw(context.Background(), srv.URL, rawToken, RawRequest{Method: http.MethodGet, NSID: "com.atproto.server.getSession"})
	var xe *Error
	if !errors.As(err, &xe) || xe.Status != 429 {
		t.Fatalf("not a 429 *Error: %v", err)
	}
	if xe.Header.Get("RateLimit-Remaining") != "0" || xe.Header.Get("Content-Type") != "application/json" {
		t.Errorf("headers: %v", xe.Header)
	}
	if v := xe.Header.Get("X-Echo"); v == "" || strings.Contains(v, "raw-access-token") {
		t.Errorf("the header echoing the token: %q", v)
	}
}
