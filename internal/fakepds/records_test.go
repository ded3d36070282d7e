package fakepds_test

import (
	"strings"
	"testing"

	"github.com/skyswitch/skyswitch/internal/fakepds"
)

const nsidCreateRecord = "com.atproto.repo.createRecord"

type recordInput struct {
	Repo       string `json:"repo"`
	Collection string `json:"collection"`
	RKey       string `json:"rkey,omitempty"`
	Record     any    `json:"record"`
}

func TestCreateRecord(t *testing.T) {
	s, _, _ := newServer(t, fakepds.Options{})
	alice := mustLogin(t, s, "alice.test", testPassword)
	post := map[string]any{"$type": "app.bsky.feed.post", "text": "hi", "createdAt": "2026-01-01T00:00:00Z"}
	a := call(t, s, "POST", nsidCreateRecord, alice.AccessJwt, recordInput{Repo: alice.DID, Collection: "app.bsky.feed.post", Record: post})
	a.wantOK(t)
	var out struct{ URI, CID string }
	a.decode(t, &out)
	if !strings.HasPrefix(out.URI, "at://"+alice.DID+"/app.bsky.feed.post/") || out.CID == "" {
		t.Errorf("answer: %s", a.body)
	}
	// Two records get two keys; a given key is kept; the handle names the repo too.
	var again struct{ URI string }
	call(t, s, "POST", nsidCreateRecord, alice.AccessJwt, recordInput{Repo: "alice.test", Collection: "app.bsky.feed.post", Record: post}).decode(t, &again)
	if again.URI == out.URI || !strings.HasPrefix(again.URI, "at://"+alice.DID+"/") {
		t.Errorf("a second record: %s after %s", again.URI, out.URI)
	}
	a = call(t, s, "POST", nsidCreateRecord, alice.AccessJwt, recordInput{Repo: alice.DID, Collection: "app.bsky.feed.post", RKey: "self", Record: post})
	if a.decode(t, &out); !strings.HasSuffix(out.URI, "/app.bsky.feed.post/self") {
		t.Errorf("rkey self: %s", a.body)
	}

	bob := s.AddAccount(fakepds.Account{Handle: "bob.test", Email: "bob@example.com", Password: testPassword})
	call(t, s, "POST", nsidCreateRecord, alice.AccessJwt, recordInput{Repo: bob.DID, Collection: "app.bsky.feed.post", Record: post}).wantError(t, 401, "AuthenticationRequired", "")
	call(t, s, "POST", nsidCreateRecord, alice.AccessJwt, recordInput{Repo: "bob.test", Collection: "app.bsky.feed.post", Record: post}).wantError(t, 401, "AuthenticationRequired", "")
	call(t, s, "POST", nsidCreateRecord, alice.AccessJwt, recordInput{Repo: "123", Collection: "app.bsky.feed.post", Record: post}).wantError(t, 400, "InvalidRequest", "Could not find repo: 123")
	call(t, s, "POST", nsidCreateRecord, alice.AccessJwt, recordInput{Repo: alice.DID, Collection: "app.bsky.feed.post", Record: "text"}).wantError(t, 400, "InvalidRequest", "Input/record must be an object")
	call(t, s, "POST", nsidCreateRecord, alice.AccessJwt, recordInput{Collection: "app.bsky.feed.post", Record: post}).wantError(t, 400, "InvalidRequest", `Input must have the property "repo"`)
	call(t, s, "POST", nsidCreateRecord, "", recordInput{Repo: alice.DID, Collection: "app.bsky.feed.post", Record: post}).wantError(t, 401, "AuthenticationRequired", "")
	call(t, s, "POST", nsidCreateRecord, alice.RefreshJwt, recordInput{Repo: alice.DID, Collection: "app.bsky.feed.post", Record: post}).wantError(t, 400, "InvalidToken", "")
}
