package storage

import (
	"testing"
	"time"
)

// three is a state with accounts a, b, c (did:plc:a...), a active, b previous.
func three() *State {
	st := NewState()
	for _, n := range []string{"a", "b", "c"} {
		var a Account
		a.DID, a.Handle, a.RefreshJwt = "did:plc:"+n, n+".bsky.social", "r-"+n
		st.Upsert(a)
	}
	st.Active, st.Previous = "did:plc:a", "did:plc:b"
	return st
}

func TestFind(t *testing.T) {
	st := three()
	tests := []struct {
		query, want string
	}{
		{"did:plc:b", "did:plc:b"},
		{"b.bsky.social", "did:plc:b"},
		{"@b.bsky.social", "did:plc:b"},
		{"B.BSKY.Social", "did:plc:b"},
		{"  @c.bsky.social ", "did:plc:c"},
		{"did:plc:B", ""}, // DIDs compare exactly
		{"@", ""},
		{"", ""},
		{"d.bsky.social", ""},
		// Handles compare in ASCII: in Unicode's case folding ſ is s and
		// K (the Kelvin sign) is k, so a look-alike would choose.
		{"c.b\u017fky.social", ""},
		{"\u212a.bsky.social", ""},
	}
	var k Account // a handle written by hand, with ſ for s
	k.DID, k.Handle, k.RefreshJwt = "did:plc:k", "k.b\u017fky.social", "r-k"
	st.Upsert(k)
	tests = append(tests, struct{ query, want string }{"k.bsky.social", ""})
	for _, tt := range tests {
		a, ok := st.Find(tt.query)
		got := ""
		if ok {
			got = a.DID
		}
		if got != tt.want {
			t.Errorf("Find(%q) = %q, want %q", tt.query, got, tt.want)
		}
	}
}

func TestRemove(t *testing.T) {
	tests := []struct {
		name                   string
		active, previous       string
		remove                 string
		wantActive, wantPrev   string
		wantRemoved, wantCount int
	}{
		{"inactive one", "did:plc:a", "did:plc:b", "did:plc:c", "did:plc:a", "did:plc:b", 1, 2},
		{"active one: none active, previous kept for switch -", "did:plc:a", "did:plc:b", "did:plc:a", "", "did:plc:b", 1, 2},
		{"active one, no previous: none active", "did:plc:a", "", "did:plc:a", "", "", 1, 2},
		{"the previous one", "did:plc:a", "did:plc:b", "did:plc:b", "did:plc:a", "", 1, 2},
		{"unknown", "did:plc:a", "did:plc:b", "did:plc:z", "did:plc:a", "did:plc:b", 0, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := three()
			st.Active, st.Previous = tt.active, tt.previous
			removed, ok := st.Remove(tt.remove)
			if ok != (tt.wantRemoved == 1) || ok && removed.DID != tt.remove {
				t.Errorf("Remove = %v, %v", removed.DID, ok)
			}
			if st.Active != tt.wantActive || st.Previous != tt.wantPrev {
				t.Errorf("active, previous = %q, %q; want %q, %q", st.Active, st.Previous, tt.wantActive, tt.wantPrev)
			}
			if len(st.Accounts) != tt.wantCount {
				t.Errorf("%d accounts, want %d", len(st.Accounts), tt.wantCount)
			}
			if err := st.validate(); err != nil {
				t.Errorf("state invalid after Remove: %v", err)
			}
		})
	}
	t.Run("last account", func(t *testing.T) {
		st := three()
		for _, d := range []string{"did:plc:c", "did:plc:b", "did:plc:a"} {
			st.Remove(d)
		}
		if st.Active != "" || st.Previous != "" || len(st.Accounts) != 0 {
			t.Errorf("after removing all: %+v", st)
		}
	})
}

func TestSetActive(t *testing.T) {
	tests := []struct {
		name                 string
		active, previous     string
		set                  string
		wantActive, wantPrev string
		wantErr              bool
	}{
		{"switch", "did:plc:a", "did:plc:b", "did:plc:c", "did:plc:c", "did:plc:a", false},
		{"switch back (switch -)", "did:plc:a", "did:plc:b", "did:plc:b", "did:plc:b", "did:plc:a", false},
		{"same one", "did:plc:a", "did:plc:b", "did:plc:a", "did:plc:a", "did:plc:b", false},
		{"from none", "", "did:plc:b", "did:plc:b", "did:plc:b", "", false},
		{"to none", "did:plc:a", "did:plc:b", "", "", "did:plc:a", false},
		{"unknown", "did:plc:a", "did:plc:b", "did:plc:z", "did:plc:a", "did:plc:b", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := three()
			st.Active, st.Previous = tt.active, tt.previous
			err := st.SetActive(tt.set)
			if (err != nil) != tt.wantErr {
				t.Errorf("err = %v", err)
			}
			if st.Active != tt.wantActive || st.Previous != tt.wantPrev {
				t.Errorf("active, previous = %q, %q; want %q, %q", st.Active, st.Previous, tt.wantActive, tt.wantPrev)
			}
			if err := st.validate(); err != nil {
				t.Errorf("state invalid: %v", err)
			}
		})
	}
}

func TestUpsert(t *testing.T) {
	st := three()
	b, _ := st.Account("did:plc:b")
	b.AddedAt = t0
	var nb Account
	nb.DID, nb.Handle = "did:plc:b", "new.bsky.social"
	if st.Upsert(nb) {
		t.Error("Upsert of a saved DID reported a new account")
	}
	if b, _ := st.Account("did:plc:b"); b.Handle != "new.bsky.social" || !b.AddedAt.Equal(t0) {
		t.Errorf("after Upsert: handle %q addedAt %v", b.Handle, b.AddedAt)
	}
	nb.DID = "did:plc:d"
	if !st.Upsert(nb) || len(st.Accounts) != 4 {
		t.Error("Upsert of a new DID did not add it")
	}
}

func TestLogoutQueue(t *testing.T) {
	st := three()
	a, _ := st.Remove("did:plc:a")
	if !st.QueueLogout(a.SessionData, t0) {
		t.Fatal("QueueLogout refused a session")
	}
	if st.QueueLogout(a.SessionData, t0) {
		t.Error("the same session was queued twice")
	}
	a.RefreshJwt = ""
	if st.QueueLogout(a.SessionData, t0) {
		t.Error("a session without a refresh token was queued")
	}
	p, ok := st.PendingLogout("r-a")
	if !ok || !p.QueuedAt.Equal(t0) || p.Session.DID != "did:plc:a" {
		t.Fatalf("PendingLogout = %+v, %v", p, ok)
	}
	p.Attempts++
	if st.PendingLogouts[0].Attempts != 1 {
		t.Error("PendingLogout does not point into the state")
	}
	if !st.DropLogout("r-a") || st.DropLogout("r-a") || len(st.PendingLogouts) != 0 {
		t.Error("DropLogout")
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*State)
		ok     bool
	}{
		{"valid", func(*State) {}, true},
		{"empty", func(s *State) { *s = *NewState() }, true},
		{"duplicate did", func(s *State) { s.Accounts[2].DID = "did:plc:a" }, false},
		{"missing did", func(s *State) { s.Accounts[2].DID = "" }, false},
		{"not a did", func(s *State) { s.Accounts[2].DID = "alice.bsky.social" }, false},
		{"active not saved", func(s *State) { s.Active = "did:plc:z" }, false},
		{"previous not saved", func(s *State) { s.Previous = "did:plc:z" }, false},
		{"previous is active", func(s *State) { s.Previous = s.Active }, false},
		{"no active", func(s *State) { s.Active = "" }, true},
		{"version too new", func(s *State) { s.Version = CurrentVersion + 1 }, false},
		{"version zero", func(s *State) { s.Version = 0 }, false},
		{"version 2 without keyring fields", func(s *State) { s.Version = 2 }, true},
		{"keyring setting in version 1", func(s *State) { s.Secrets = SecretsKeyring }, false},
		{"keyring setting in version 2", func(s *State) { s.Version, s.Secrets = 2, SecretsKeyring }, true},
		{"unknown secrets setting", func(s *State) { s.Version, s.Secrets = 2, "vault" }, false},
		{"keyring account without keyringId", func(s *State) { s.Version, s.Accounts[0].Secrets = 2, SecretsKeyring }, false},
		{"keyring account", func(s *State) { s.Version, s.KeyringID, s.Accounts[0].Secrets = 2, "k", SecretsKeyring }, true},
		{"unknown account secrets store", func(s *State) { s.Version, s.KeyringID, s.Accounts[0].Secrets = 2, "k", "file" }, false},
		{"logout without token", func(s *State) { s.PendingLogouts = []PendingLogout{{}} }, false},
		{"negative attempts", func(s *State) {
			s.PendingLogouts = []PendingLogout{{Session: s.Accounts[0].SessionData, Attempts: -1}}
		}, false},
	}
	for _, tt := range tests {
		st := three()
		tt.change(st)
		if err := st.validate(); (err == nil) != tt.ok {
			t.Errorf("%s: validate() = %v", tt.name, err)
		}
	}
}

func TestMarkEnded(t *testing.T) {
	st := stateWith(2)
	a := st.Accounts[0]
	if st.MarkEnded(a.DID, "some-older-token", "ExpiredToken", t0) {
		t.Fatal("marked although another token is stored")
	}
	if !st.MarkEnded(a.DID, a.RefreshJwt, "ExpiredToken: Token has been revoked", t0) {
		t.Fatal("not marked")
	}
	got, _ := st.Account(a.DID)
	if !got.SessionEnded || got.LastRefreshError == "" || !got.LastRefreshErrorAt.Equal(t0) {
		t.Fatalf("account %+v", got)
	}
	fresh := session(0, t0.Add(time.Hour))
	fresh.DID = a.DID
	if !st.ApplyRefresh(a.RefreshJwt, fresh) {
		t.Fatal("refresh not applied")
	}
	if got, _ := st.Account(a.DID); got.SessionEnded || got.LastRefreshError != "" {
		t.Fatal("a successful refresh did not clear the ended mark")
	}
}
