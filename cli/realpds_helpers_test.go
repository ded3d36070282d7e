package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/skyswitch/skyswitch/auth"
)

// realPDS is the reference PDS the TestRealPDS… tests run against, and its
// PLC directory. Without one a test skips, but under CI it fails: CI must
// run them.
func realPDS(t *testing.T) (pdsURL, plcURL string) {
	t.Helper()
	pdsURL = os.Getenv("SKYSWITCH_TEST_PDS_URL")
	if pdsURL == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI must run the real-PDS tests: SKYSWITCH_TEST_PDS_URL is not set")
		}
		t.Skip("no reference PDS: run `testdata/pds/run install && eval \"$(testdata/pds/run start)\"` first")
	}
	return pdsURL, os.Getenv("SKYSWITCH_TEST_PLC_URL")
}

// realPDSAccount is an account a test made on the reference PDS.
type realPDSAccount struct {
	did, handle, password string
}

// newRealPDSAccount makes an account with a unique handle on the reference
// PDS at pdsURL: prefix starts its handle, tag ends its password (which
// the secret sweeps look for).
func newRealPDSAccount(ctx context.Context, t *testing.T, c *auth.Client, pdsURL, prefix, tag string) realPDSAccount {
	t.Helper()
	b := make([]byte, 5)
	rand.Read(b)
	name := prefix + hex.EncodeToString(b)
	a := realPDSAccount{handle: name + ".test", password: "pw-" + hex.EncodeToString(b) + "-" + tag}
	created, err := c.CreateAccount(ctx, auth.CreateAccountInput{
		Service: pdsURL, Handle: a.handle, Email: name + "@example.com", Password: a.password}, auth.SessionOptions{})
	if err != nil {
		t.Fatalf("createAccount: %v", err)
	}
	a.did = created.Data().DID
	return a
}
