package cli

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// --jq and --silent against the real PDS: a string result raw, one a
// line, applied to each page with --paginate; --silent prints nothing.
func TestRealPDSAPIJQ(t *testing.T) {
	t.Parallel()
	r := newRealAPI(t)
	res := r.api("", "--jq", ".did", "-f", "repo="+r.did, nsidDescribeRepo)
	if wantCode(t, res, exitOK); res.stdout != r.did+"\n" {
		t.Fatalf("--jq .did: want the DID raw\n%s", res)
	}
	var want []string
	for i := range 3 {
		text := fmt.Sprintf("jq %d", i)
		want = append(want, text)
		res := r.api("", "--silent", "-f", "repo="+r.did, "-f", "collection=app.bsky.feed.post",
			"-f", "record[$type]=app.bsky.feed.post", "-f", "record[text]="+text, "-f", "record[createdAt]=2026-01-01T00:00:00Z",
			"com.atproto.repo.createRecord")
		if wantCode(t, res, exitOK); res.stdout != "" {
			t.Fatalf("--silent createRecord printed\n%s", res)
		}
	}
	res = r.api("", "--paginate", "--jq", ".records[].value.text", "-F", "limit=2",
		"-f", "repo="+r.did, "-f", "collection=app.bsky.feed.post", "com.atproto.repo.listRecords")
	wantCode(t, res, exitOK)
	got := strings.Split(strings.TrimSuffix(res.stdout, "\n"), "\n")
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("--paginate --jq texts: want %q\n%s", want, res)
	}
	res = r.api("", "--paginate", "--jq", ".records | length", "-F", "limit=2",
		"-f", "repo="+r.did, "-f", "collection=app.bsky.feed.post", "com.atproto.repo.listRecords")
	if wantCode(t, res, exitOK); res.stdout != "2\n1\n" {
		t.Errorf("--paginate --jq length: want a count per page\n%s", res)
	}
	r.checkNoSecrets()
}
