package storage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// secret is a token value planted in bad files: no error may quote it.
const secret = "eyJSECRETSECRETSECRET"

func TestBadFilesAreRefusedAndLeftUntouched(t *testing.T) {
	valid := func() string {
		data, err := encode(stateWith(2), nil)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Replace(string(data), `"accessJwt": "`, `"accessJwt": "`+secret, 1)
	}()
	tests := []struct {
		name    string
		content string
		kind    error
		reason  string // part of the message
	}{
		{"empty", "", ErrCorrupt, "empty file"},
		{"blank", " \n\t", ErrCorrupt, "empty file"},
		{"not an object", `["` + secret + `"]`, ErrCorrupt, "not a JSON object"},
		{"null", "null", ErrCorrupt, "not a JSON object"},
		{"truncated", valid[:len(valid)/2], ErrCorrupt, "invalid JSON"},
		{"garbage", "{" + secret, ErrCorrupt, "invalid JSON"},
		{"trailing data", valid + `{"x":1}`, ErrCorrupt, "data after the document"},
		{"no version", `{"accounts":[]}`, ErrCorrupt, "no version"},
		{"version zero", `{"version":0}`, ErrCorrupt, "no version"},
		{"negative version", `{"version":-1}`, ErrCorrupt, "not valid"},
		{"version as string", `{"version":"1"}`, ErrCorrupt, "version: want a number, got a string"},
		{"version fraction", `{"version":1.5}`, ErrCorrupt, "version: want a whole number"},
		{"too new", `{"version":6,"accounts":[]}`, ErrTooNew, "format version 6"},
		{"loggedOut in version 3", `{"version":3,"accounts":[],"loggedOut":[{"did":"did:plc:a","handle":"a.test","at":"2026-01-01T00:00:00Z"}]}`, ErrCorrupt, "format version 3 cannot hold loggedOut"},
		{"loggedOut with a bad handle", `{"version":4,"accounts":[],"loggedOut":[{"did":"did:plc:a","handle":"\u001b[2J","at":"2026-01-01T00:00:00Z"}]}`, ErrCorrupt, "loggedOut 0: malformed handle"},
		{"keyring setting in version 1", `{"version":1,"secrets":"keyring"}`, ErrCorrupt, "format version 1 cannot hold the keyring fields"},
		{"keyring account in version 1", strings.Replace(strings.Replace(valid, `"handle":`, `"secrets":"keyring","handle":`, 1), `"version": 1`, `"version": 1, "keyringId": "k"`, 1), ErrCorrupt, "format version 1 cannot hold"},
		{"keyring account without keyringId", strings.Replace(strings.Replace(valid, `"handle":`, `"secrets":"keyring","handle":`, 1), `"version": 1`, `"version": 2`, 1), ErrCorrupt, "keyringId is missing"},
		{"unknown account secrets store", strings.Replace(strings.Replace(valid, `"handle":`, `"secrets":"vault","handle":`, 1), `"version": 1`, `"version": 2`, 1), ErrCorrupt, "unknown secrets store"},
		{"unknown secrets setting", `{"version":2,"secrets":"vault"}`, ErrCorrupt, "unknown secrets store"},
		{"too new with new fields", `{"version":7,"vaults":{"k":"` + secret + `"}}`, ErrTooNew, "upgrade skyswitch"},
		{"unknown field", `{"version":1,"colour":"` + secret + `"}`, ErrCorrupt, "colour: unknown field"},
		{"unknown account field", strings.Replace(valid, `"handle":`, `"password": "x", "handle":`, 1), ErrCorrupt, "accounts[0].password: unknown field"},
		{"key in other case", `{"Version":1}`, ErrCorrupt, "unknown field"},
		{"key twice", `{"version":1,"active":"","active":""}`, ErrCorrupt, "active: field appears twice"},
		{"accounts not a list", `{"version":1,"accounts":{}}`, ErrCorrupt, "accounts: want an array, got an object"},
		{"handle a number", `{"version":1,"accounts":[{"did":"did:plc:a","handle":5}]}`, ErrCorrupt, "accounts[0].handle: want a string, got a number"},
		{"bool a string", `{"version":1,"accounts":[{"did":"did:plc:a","active":"` + secret + `"}]}`, ErrCorrupt, "accounts[0].active: want a boolean"},
		{"bad timestamp", `{"version":1,"accounts":[{"did":"did:plc:a","addedAt":"` + secret + `"}]}`, ErrCorrupt, "addedAt: want an RFC 3339 timestamp"},
		{"bad didDoc", `{"version":1,"accounts":[{"did":"did:plc:a","didDoc":{"a":}}]}`, ErrCorrupt, "didDoc: invalid JSON"},
		{"invalid UTF-8", "{\"version\":1,\"active\":\"\xff\"}", ErrCorrupt, "not valid UTF-8"},
		{"control character", "{\"version\":1,\"active\":\"a\nb\"}", ErrCorrupt, "control character"},
		{"handle check naming only", `{"version":3,"accounts":[{"did":"did:plc:a","handle":"a.test","handleCheck":{"names":"did:plc:b"}}]}`, ErrCorrupt, "accounts[0].handleCheck: want a handle and the status"},
		{"duplicate DIDs", `{"version":1,"accounts":[{"did":"did:plc:a"},{"did":"did:plc:a"}]}`, ErrCorrupt, "duplicate did"},
		{"active not saved", `{"version":1,"active":"did:plc:zz"}`, ErrCorrupt, "active identity did:plc:zz is not a saved account"},
		{"logout without token", `{"version":1,"pendingLogouts":[{"session":{"did":"did:plc:a"}}]}`, ErrCorrupt, "pending logout 0: no refresh token"},
		{"attempts negative", `{"version":1,"pendingLogouts":[{"session":{"refreshJwt":"r"},"attempts":-2}]}`, ErrCorrupt, "negative attempts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			os.MkdirAll(filepath.Dir(s.Path()), 0o700)
			if err := os.WriteFile(s.Path(), []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			checkRefused(t, s, tt.kind, tt.reason)
		})
	}
}

func TestNonRegularFilesAreRefused(t *testing.T) {
	tests := []struct {
		name   string
		make   func(path string) error
		reason string
	}{
		{"directory", func(p string) error { return os.Mkdir(p, 0o700) }, "is a directory"},
		{"symlink", func(p string) error {
			target := filepath.Join(filepath.Dir(p), "elsewhere.json")
			data, _ := encode(stateWith(1), nil)
			os.WriteFile(target, data, 0o600)
			return os.Symlink(target, p)
		}, "symbolic link"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			os.MkdirAll(filepath.Dir(s.Path()), 0o700)
			if err := tt.make(s.Path()); err != nil {
				t.Skipf("cannot make a %s here: %v", tt.name, err)
			}
			checkRefused(t, s, ErrNotRegular, tt.reason)
			if _, err := s.MoveAside(); err != nil {
				t.Errorf("MoveAside: %v", err)
			}
			if _, err := s.Load(); err != nil {
				t.Errorf("Load after MoveAside: %v", err)
			}
		})
	}
}

func TestHugeFileIsRefusedUnread(t *testing.T) {
	s := newStore(t)
	os.MkdirAll(filepath.Dir(s.Path()), 0o700)
	f, err := os.Create(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"version":1}`)
	f.Truncate(MaxFileSize + 1) // sparse: costs no disk
	f.Close()
	checkRefused(t, s, ErrTooLarge, "more than")
}

// checkRefused asserts Load and Update fail with a *FileError of kind that
// names the file, does not quote the planted secret, and that the file and
// its folder are exactly as they were.
func checkRefused(t *testing.T, s *Store, kind error, reason string) {
	t.Helper()
	before := snapshot(t, s)
	_, loadErr := s.Load()
	updErr := s.Update(func(st *State) error { *st = *stateWith(1); return nil })
	// LoadAccount (token's reading) refuses it too, in the same words.
	if _, _, oneErr := s.LoadAccount(context.Background(), ""); fmt.Sprint(oneErr) != fmt.Sprint(loadErr) {
		t.Errorf("LoadAccount: %v; Load: %v", oneErr, loadErr)
	}
	for _, err := range []error{loadErr, updErr} {
		var fe *FileError
		if !errors.As(err, &fe) || !errors.Is(err, kind) {
			t.Fatalf("err = %v, want a *FileError wrapping %v", err, kind)
		}
		msg := err.Error()
		if fe.Path != s.Path() || !strings.Contains(msg, s.Path()) {
			t.Errorf("error does not name the file: %s", msg)
		}
		if !strings.Contains(msg, reason) {
			t.Errorf("error %q does not say %q", msg, reason)
		}
		if strings.Contains(msg, secret) || strings.Contains(msg, "eyJ") || strings.Contains(msg, keyStart) {
			t.Errorf("error quotes the file's content: %s", msg)
		}
	}
	before.check(t, s)
	if runtime.GOOS != "windows" && strings.Contains(loadErr.Error(), "\n") {
		t.Errorf("multi-line error: %q", loadErr)
	}
}
