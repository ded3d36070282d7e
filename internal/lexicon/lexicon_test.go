package lexicon

import (
	"slices"
	"strings"
	"testing"
)

func TestLookupDescribeRepo(t *testing.T) {
	m, ok := Lookup("com.atproto.repo.describeRepo")
	if !ok {
		t.Fatal("describeRepo not in the table")
	}
	if m.Kind != Query || m.Output != "application/json" || m.Input != "" {
		t.Fatalf("describeRepo = %+v, want a query with JSON output", m)
	}
	p, ok := m.Param("repo")
	if !ok || !p.Required || p.Type != "string" || p.Format != "at-identifier" {
		t.Fatalf("repo = %+v %v, want a required at-identifier string", p, ok)
	}
}

func TestLookupCreateRecord(t *testing.T) {
	m, ok := Lookup("com.atproto.repo.createRecord")
	if !ok || m.Kind != Procedure || m.Input != "application/json" {
		t.Fatalf("createRecord = %+v %v, want a procedure with JSON input", m, ok)
	}
	if p, _ := m.BodyParam("validate"); p.Type != "boolean" || p.Required {
		t.Fatalf("validate = %+v, want an optional boolean", p)
	}
	if p, _ := m.BodyParam("repo"); p.Type != "string" || !p.Required {
		t.Fatalf("repo = %+v, want a required string", p)
	}
	if !slices.Contains(m.Errors, "InvalidSwap") {
		t.Fatalf("errors = %v, want InvalidSwap", m.Errors)
	}
}

func TestLookupKindsAndArrays(t *testing.T) {
	if m, ok := Lookup("com.atproto.sync.subscribeRepos"); !ok || m.Kind != Subscription {
		t.Fatalf("subscribeRepos = %+v %v, want a subscription", m, ok)
	}
	m, _ := Lookup("app.bsky.actor.getProfiles")
	if p, _ := m.Param("actors"); !p.Array() || p.Item() != "string" || !p.Required {
		t.Fatalf("actors = %+v, want a required array of string", p)
	}
	m, _ = Lookup("app.bsky.feed.getAuthorFeed")
	if p, _ := m.Param("limit"); p.Type != "integer" || p.Required {
		t.Fatalf("limit = %+v, want an optional integer", p)
	}
	for _, nsid := range []string{"com.example.echo", "com.atproto.repo", "", "com.atproto.repo.describeRepoX"} {
		if _, ok := Lookup(nsid); ok {
			t.Errorf("Lookup(%q) found a method", nsid)
		}
	}
}

// The table is sorted (Lookup's binary search needs it), has no NSID
// twice, and covers the four namespaces.
func TestTableSortedAndComplete(t *testing.T) {
	seen := map[string]int{}
	for i, m := range methods {
		if i > 0 && methods[i-1].NSID >= m.NSID {
			t.Fatalf("methods[%d] %s after %s", i, m.NSID, methods[i-1].NSID)
		}
		if m.Kind < Query || m.Kind > Subscription {
			t.Fatalf("%s: kind %d", m.NSID, m.Kind)
		}
		seen[strings.Join(strings.Split(m.NSID, ".")[:2], ".")]++
	}
	for _, ns := range []string{"com.atproto", "app.bsky", "chat.bsky", "tools.ozone"} {
		if seen[ns] == 0 {
			t.Errorf("no %s methods", ns)
		}
	}
	if got := NSIDs("com.atproto.repo.describe"); !slices.Equal(got, []string{"com.atproto.repo.describeRepo"}) {
		t.Errorf("NSIDs = %v", got)
	}
}
