package cli

import (
	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
	"github.com/skyswitch/skyswitch/storage/oskeyring"
)

// open opens the accounts file and the client, once: the App's Manager
// when a test set one (with the App's keyring, if any), else one on the
// default accounts file.
func (e *invocation) open() error {
	if e.mgr != nil {
		return nil
	}
	if m := e.app.Manager; m != nil {
		if e.app.Keyring != nil {
			m.Store.UseSecrets(e.app.Keyring)
		}
		e.mgr = m
		return nil
	}
	path, err := storage.DefaultPath()
	if err != nil {
		return err
	}
	client, err := newClient(e.getenv, e.app.Version)
	if err != nil {
		return err
	}
	e.mgr = &accounts.Manager{Store: openStore(path, e.app.Keyring), Client: client, Now: e.app.Now,
		Handles: auth.PublicHandles{R: client.Resolver}}
	return nil
}

// newClient is the network client of this version, with the did:plc
// directory from SKYSWITCH_PLC_URL when set (a self-hosted or test
// directory).
func newClient(getenv func(string) string, version string) (*auth.Client, error) {
	plc := getenv("SKYSWITCH_PLC_URL")
	if plc != "" {
		var err error
		if plc, err = auth.NormalizeServiceURL(plc); err != nil {
			return nil, usageErr("SKYSWITCH_PLC_URL: %v", err)
		}
	}
	return &auth.Client{Version: version, Resolver: &auth.Resolver{PLCURL: plc, Version: version}}, nil
}

// openStore opens the accounts file with the OS keyring at hand (k, when
// not nil, instead: a test's fake). Nothing connects to the keyring unless
// an account keeps its tokens there.
func openStore(path string, k storage.Secrets) *storage.Store {
	if k == nil {
		k = oskeyring.New()
	}
	s := storage.Open(path)
	s.UseSecrets(k)
	return s
}
