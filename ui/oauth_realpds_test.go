package ui_test

// The login form's sign-in through the browser against the reference PDS
// (testdata/pds), the person at the browser played headless by
// internal/oauthtest.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/oauthtest"
	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/ui"
)

// realPDSManager is a Manager over a new file and the reference PDS, and
// a new account there (handle, password); it skips without the PDS, but
// fails under CI, which always starts one.
func realPDSManager(t *testing.T) (mgr *accounts.Manager, service, handle, pw string) {
	t.Helper()
	service = os.Getenv("SKYSWITCH_TEST_PDS_URL")
	if service == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI must run the real-PDS tests")
		}
		t.Skip("no reference PDS: see testdata/pds/run")
	}
	client := &auth.Client{Timeout: 20 * time.Second, Resolver: &auth.Resolver{PLCURL: os.Getenv("SKYSWITCH_TEST_PLC_URL")}}
	b := make([]byte, 5)
	rand.Read(b)
	name := "u" + hex.EncodeToString(b)
	handle, pw = name+".test", "pw-"+hex.EncodeToString(b)+"-x"
	if _, err := client.CreateAccount(context.Background(), auth.CreateAccountInput{
		Service: service, Handle: handle, Email: name + "@example.com", Password: pw}, auth.SessionOptions{}); err != nil {
		t.Fatalf("createAccount: %v", err)
	}
	mgr = &accounts.Manager{Store: storage.Open(filepath.Join(t.TempDir(), "skyswitch", "accounts.json")), Client: client}
	return mgr, service, handle, pw
}

func TestRealPDSOAuthFromTheForm(t *testing.T) {
	mgr, service, handle, pw := realPDSManager(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b := &browser{act: func(page string) error {
		cb, err := oauthtest.Approve(ctx, page, handle, pw)
		if err != nil {
			return err
		}
		return visit(cb)
	}}
	clk := newClock()
	clk.Set(time.Now())
	d := newDriver(t, mgr, clk, ui.Options{Browser: b.open})
	d.secrets[pw] = true
	d.boot()
	fillOAuth(d, service, handle)
	d.key("enter")
	d.has("Added @" + handle)
	st, err := mgr.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a, ok := st.Find(handle)
	if !ok || a.Kind() != auth.KindOAuth || a.OAuth.Scope != auth.DefaultOAuthScope {
		t.Fatalf("saved %v", ok)
	}
	d.secrets[a.AccessJwt], d.secrets[a.RefreshJwt], d.secrets[a.OAuth.DPoPKey] = true, true, true
	d.has(" oauth ", "14d") // the model's clock stands at the sign-in
}

func TestRealPDSOAuthRejectedAtTheForm(t *testing.T) {
	mgr, service, handle, pw := realPDSManager(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b := &browser{act: func(page string) error {
		cb, err := oauthtest.Reject(ctx, page)
		if err != nil {
			return err
		}
		return visit(cb)
	}}
	d := newDriver(t, mgr, newClock(), ui.Options{Browser: b.open})
	d.secrets[pw] = true
	d.boot()
	fillOAuth(d, service, handle)
	d.key("enter")
	d.has("The sign-in was refused at the browser.")
	if st, _ := mgr.Load(ctx); len(st.Accounts) != 0 {
		t.Fatalf("%d accounts saved", len(st.Accounts))
	}
}
