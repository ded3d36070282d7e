// Command gen-accounts writes an accounts file of N made-up accounts whose
// tokens expire far in the future, for benchmarks such as
// scripts/token-speed. Every account points at http://127.0.0.1:9, where
// nothing listens, so any network use by skyswitch fails at once.
//
//	go run ./scripts/gen-accounts -n 1000 -o "$XDG_CONFIG_HOME/skyswitch/accounts.json"
//
// It prints the access token of the active account (the middle one), which
// `skyswitch token` must print. The tokens are made up: they mean nothing to
// any server.
package main

import (
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
)

const deadPDS = "http://127.0.0.1:9"

func main() {
	n := flag.Int("n", 1000, "number of accounts")
	out := flag.String("o", "", "accounts file to write (required; replaced)")
	flag.Parse()
	if *out == "" || *n < 1 {
		flag.Usage()
		os.Exit(2)
	}
	now := time.Now().UTC().Truncate(time.Second)
	rng := rand.New(rand.NewPCG(1, 2))
	var active storage.Account
	err := storage.Open(*out).Update(func(st *storage.State) error {
		*st = *storage.NewState()
		for i := range *n {
			did := "did:plc:" + randString(rng, "abcdefghijklmnopqrstuvwxyz234567", 24)
			handle := fmt.Sprintf("user%04d.test", i)
			d := auth.SessionData{
				AccessJwt:  jwt(rng, "at+jwt", "com.atproto.appPass", did, now, 2*time.Hour+10*365*24*time.Hour),
				RefreshJwt: jwt(rng, "refresh+jwt", "com.atproto.refresh", did, now, 10*365*24*time.Hour),
				DID:        did, Handle: handle, Email: fmt.Sprintf("user%04d@example.com", i),
				EmailConfirmed: true, Active: true,
				DIDDoc:  didDoc(rng, did, handle),
				Service: deadPDS, PDSURL: deadPDS, RefreshedAt: now,
			}
			st.Upsert(storage.Account{SessionData: d, AddedAt: now, LastUsedAt: now})
		}
		active = st.Accounts[*n/2]
		return st.SetActive(active.DID)
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen-accounts:", err)
		os.Exit(1)
	}
	fmt.Println(active.AccessJwt)
}

func randString(rng *rand.Rand, alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

// jwt is a token shaped like a PDS's (HS256, random signature): skyswitch
// only reads its claims.
func jwt(rng *rand.Rand, typ, scope, did string, iat time.Time, life time.Duration) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	claims := map[string]any{"scope": scope, "sub": did, "aud": "did:web:127.0.0.1", "iat": iat.Unix(), "exp": iat.Add(life).Unix()}
	if typ == "refresh+jwt" {
		claims["jti"] = randString(rng, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 32)
	}
	sig := make([]byte, 32)
	for i := range sig {
		sig[i] = byte(rng.IntN(256))
	}
	return enc(map[string]string{"typ": typ, "alg": "HS256"}) + "." + enc(claims) + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func didDoc(rng *rand.Rand, did, handle string) json.RawMessage {
	doc, _ := json.Marshal(map[string]any{
		"@context": []string{"https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1", "https://w3id.org/security/suites/secp256k1-2019/v1"},
		"id":       did, "alsoKnownAs": []string{"at://" + handle},
		"verificationMethod": []map[string]string{{
			"id": did + "#atproto", "type": "Multikey", "controller": did,
			"publicKeyMultibase": "zQ3sh" + randString(rng, "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz", 44),
		}},
		"service": []map[string]string{{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": deadPDS}},
	})
	return doc
}
