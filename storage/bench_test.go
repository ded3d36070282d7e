package storage

import (
	"context"
	"testing"
)

// seed1000 is a store holding 1,000 realistic accounts (~1.7 MB: two JWTs and a DID document each).
func seed1000(b *testing.B) *Store {
	s := newStore(b)
	mustUpdate(b, s, replaceWith(stateWith(1000)))
	return s
}

// BenchmarkLoad1000 loads a store of 1,000 accounts: shared lock, read,
// decode, validate.
func BenchmarkLoad1000(b *testing.B) {
	s := seed1000(b)
	for b.Loop() {
		st, err := s.Load()
		if err != nil || len(st.Accounts) != 1000 {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpdate1000 is one locked update of a store of 1,000 accounts:
// exclusive lock, re-read, change, validate, encode, write, fsync, rename,
// fsync of the folder.
func BenchmarkUpdate1000(b *testing.B) {
	s := seed1000(b)
	i := 0
	for b.Loop() {
		i++
		err := s.Update(func(st *State) error {
			return st.SetActive(st.Accounts[i%1000].DID)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode1000 and BenchmarkEncode1000 are the codec alone, on a
// document of 1,000 accounts, without the file and its lock.
func BenchmarkDecode1000(b *testing.B) { benchDecode(b, stateWith(1000)) }

// benchDecode decodes st, encoded once, again and again.
func benchDecode(b *testing.B, st *State) {
	data, err := encode(st, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := decode("bench", data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode1000(b *testing.B) {
	st := stateWith(1000)
	var buf []byte
	for b.Loop() {
		out, err := encode(st, buf)
		if err != nil {
			b.Fatal(err)
		}
		buf = out[:0]
	}
}

// oauth1000 is a state of 1,000 OAuth accounts, the first active.
func oauth1000() *State {
	st := NewState()
	for i := range 1000 {
		st.Upsert(oauthAccount(i))
	}
	st.Active = st.Accounts[0].DID
	return st
}

// BenchmarkDecode1000OAuth is BenchmarkDecode1000 with every account an
// OAuth session: what checking their members costs a load.
func BenchmarkDecode1000OAuth(b *testing.B) {
	st := oauth1000()
	st.Version = st.formatVersion()
	benchDecode(b, st)
}

// BenchmarkLoadAccount1000OAuth is BenchmarkLoadAccount1000 with every
// account an OAuth session: what they cost token.
func BenchmarkLoadAccount1000OAuth(b *testing.B) {
	s := newStore(b)
	mustUpdate(b, s, replaceWith(oauth1000()))
	for b.Loop() {
		a, ok, err := s.LoadAccount(context.Background(), "")
		if err != nil || !ok || a.OAuth == nil {
			b.Fatal(ok, err)
		}
	}
}
