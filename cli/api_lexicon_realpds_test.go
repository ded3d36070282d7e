package cli

import (
	"fmt"
	"slices"
	"testing"
)

// The lexicon's default method against the real PDS: describeRepo with -f
// and no -X is a GET, which the PDS answers (as a POST, gh's rule, it
// answered "UpstreamFailure"); getRecord too, with -F typing a string;
// a missing required parameter is refused before anything is sent.
func TestRealPDSAPILexiconDefaultMethod(t *testing.T) {
	t.Parallel()
	r := newRealAPI(t)
	got := r.apiJSON("-f", "repo="+r.did, nsidDescribeRepo)
	if got["did"] != r.did || got["handle"] != r.handle {
		t.Fatalf("describeRepo: %v", got)
	}
	created := r.apiJSON("-f", "repo="+r.did, "-f", "collection=app.bsky.feed.post",
		"-f", "record[$type]=app.bsky.feed.post", "-f", "record[text]=lexicon", "-f", "record[createdAt]=2026-01-01T00:00:00Z",
		"-F", "rkey=3333333333333", "-F", "validate=true", "com.atproto.repo.createRecord")
	if created["uri"] != fmt.Sprintf("at://%s/app.bsky.feed.post/3333333333333", r.did) {
		t.Fatalf("createRecord with -F rkey=3333333333333: %v", created)
	}
	got = r.apiJSON("-f", "repo="+r.did, "-f", "collection=app.bsky.feed.post", "-F", "rkey=3333333333333", "com.atproto.repo.getRecord")
	if got["uri"] != created["uri"] {
		t.Errorf("getRecord: %v", got)
	}
	collections := r.apiJSON("-f", "repo="+r.did, nsidDescribeRepo)["collections"]
	if list, _ := collections.([]any); !slices.Contains(list, any("app.bsky.feed.post")) {
		t.Errorf("describeRepo collections: %v", collections)
	}
	wantError(t, r.api("", nsidDescribeRepo), exitUsage, "needs the parameter repo")
	r.checkNoSecrets()
}
