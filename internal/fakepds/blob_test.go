package fakepds_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

// upload posts data to uploadBlob with a Content-Type ("" for none).
func upload(t *testing.T, s *fakepds.Server, token, contentType string, data []byte) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL()+"/xrpc/com.atproto.repo.uploadBlob", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, b}
}

func TestUploadBlob(t *testing.T) {
	s, _, _ := newServer(t, fakepds.Options{})
	sess := mustLogin(t, s, "alice.test", testPassword)
	// The reference PDS (0.4.217) answered this CID for these bytes.
	data := []byte("hello, a text blob\n")
	a := upload(t, s, sess.AccessJwt, "Text/Plain; charset=utf-8", data)
	a.wantOK(t)
	var out struct {
		Blob struct {
			Type string `json:"$type"`
			Ref  struct {
				Link string `json:"$link"`
			}
			MimeType string
			Size     int
		}
	}
	a.decode(t, &out)
	b := out.Blob
	if b.Type != "blob" || b.Ref.Link != "bafkreieifzc6bgssbxwwwr2cqanw5b7ppqmg3vvmtrutk6zvxdcopbv3we" || b.MimeType != "text/plain" || b.Size != len(data) {
		t.Errorf("blob: %+v", b)
	}
	// The type is the one declared, whatever the bytes.
	a = upload(t, s, sess.AccessJwt, "image/png", data)
	if a.decode(t, &out); out.Blob.MimeType != "image/png" {
		t.Errorf("declared image/png: %+v", out.Blob)
	}
	if got := s.LastRequest("com.atproto.repo.uploadBlob"); !bytes.Equal(got.Body, data) || got.Header.Get("Content-Type") != "image/png" {
		t.Errorf("recorded: %q %v", got.Body, got.Header)
	}
	upload(t, s, sess.AccessJwt, "", data).wantError(t, 400, "InvalidRequest", "Request encoding (Content-Type) required but not provided")
	upload(t, s, "", "image/png", data).wantError(t, 401, "AuthenticationRequired", "")
	upload(t, s, sess.RefreshJwt, "image/png", data).wantError(t, 400, "InvalidToken", "")
}
