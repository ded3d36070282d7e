package auth

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
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
