package browser

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"
)

const page = "https://example.test/oauth/authorize?client_id=http%3A%2F%2Flocalhost&request_uri=urn%3Ax"

func TestCommandPerSystem(t *testing.T) {
	for goos, want := range map[string][]string{
		"linux":   {"xdg-open", page},
		"freebsd": {"xdg-open", page},
		"darwin":  {"open", page},
		"windows": {"rundll32", "url.dll,FileProtocolHandler", page},
	} {
		if got := command(goos, page); !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", goos, got, want)
		}
	}
}

func TestOnlyWebPagesAreOpened(t *testing.T) {
	ran := false
	look := func(string) (string, error) { ran = true; return "/bin/true", nil }
	env := func(string) string { return ":0" }
	for _, u := range []string{
		"", "file:///etc/passwd", "javascript:alert(1)", "-e", "--help", "http:", "https://",
		"mailto:a@b.test", "http://a.test/ b", "http://a.test/\x1b[2J", "http://a.test/é", `http://a.test/"x`,
		"ms-settings:display", "http:opaque",
	} {
		if err := open(u, "linux", env, look); !errors.Is(err, ErrNotWebPage) {
			t.Errorf("%q: %v, want ErrNotWebPage", u, err)
		}
	}
	if ran {
		t.Fatal("an opener was looked for a refused address")
	}
}

func TestNoGraphicalSessionNoBrowser(t *testing.T) {
	look := func(string) (string, error) { t.Fatal("looked for an opener"); return "", nil }
	if err := open(page, "linux", func(string) string { return "" }, look); !errors.Is(err, ErrNoBrowser) {
		t.Fatalf("got %v, want ErrNoBrowser", err)
	}
	missing := func(string) (string, error) { return "", errors.New("not found") }
	if err := open(page, "linux", func(k string) string { return map[string]string{"WAYLAND_DISPLAY": "wayland-0"}[k] }, missing); !errors.Is(err, ErrNoBrowser) {
		t.Fatalf("no xdg-open: got %v, want ErrNoBrowser", err)
	}
}

// The opener is run with the address as its one argument.
func TestOpenRunsTheOpener(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake opener is a shell script")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "args")
	script := filepath.Join(dir, "xdg-open")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nprintf '%s\\n' \"$#\" \"$@\" > "+out+".tmp && mv "+out+".tmp "+out+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	look := func(name string) (string, error) {
		if name != "xdg-open" {
			t.Errorf("looked for %q", name)
		}
		return script, nil
	}
	if err := open(page, "linux", func(k string) string { return map[string]string{"DISPLAY": ":0"}[k] }, look); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(out)
		if err == nil {
			if got, want := string(b), "1\n"+page+"\n"; got != want {
				t.Fatalf("the opener got %q, want %q", got, want)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the opener did not run within 10 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
