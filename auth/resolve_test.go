package auth

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// tlsWorld is an HTTPS server that answers for every host name: its client
// dials the server whatever the URL says, so tests can resolve
// https://alice.test/... without DNS and without leaving loopback.
func tlsWorld(t *testing.T, h http.HandlerFunc) *http.Client {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
	}
	tr.DialTLSContext = nil
	tr.TLSClientConfig = &tls.Config{RootCAs: srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs, ServerName: "example.com"}
	return &http.Client{Transport: tr}
}

func didDoc(did, handle, pds string) string {
	return fmt.Sprintf(`{"@context":["https://www.w3.org/ns/did/v1"],"id":%q,"alsoKnownAs":["at://%s"],
		"service":[{"id":"#atproto_pds","type":"AtprotoPersonalDataServer","serviceEndpoint":%q}]}`, did, handle, pds)
}

func noTXT(context.Context, string) ([]string, error) {
	return nil, &net.DNSError{Err: "no such host", IsNotFound: true}
}

func TestResolveHandleDNSFirst(t *testing.T) {
	var asked string
	r := &Resolver{LookupTXT: func(_ context.Context, name string) ([]string, error) {
		asked = name
		return []string{"unrelated", "did=did:plc:fromdns"}, nil
	}, HTTP: tlsWorld(t, func(w http.ResponseWriter, r *http.Request) { t.Error("HTTP asked although DNS answered") })}
	did, err := r.ResolveHandle(context.Background(), "alice.test")
	if err != nil || did != "did:plc:fromdns" || asked != "_atproto.alice.test" {
		t.Fatalf("got %q, %v (asked %q)", did, err, asked)
	}
}

func TestResolveHandleWellKnownFallback(t *testing.T) {
	client := tlsWorld(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Host != "alice.test" || r.URL.Path != "/.well-known/atproto-did" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("did:plc:fromhttps\n"))
	})
	r := &Resolver{LookupTXT: noTXT, HTTP: client}
	did, err := r.ResolveHandle(context.Background(), "alice.test")
	if err != nil || did != "did:plc:fromhttps" {
		t.Fatalf("got %q, %v", did, err)
	}
	if _, err := r.ResolveHandle(context.Background(), "nobody.test"); !errors.Is(err, ErrResolve) {
		t.Fatalf("unknown handle: got %v", err)
	}
}

func TestResolveDIDPLCAndWeb(t *testing.T) {
	plc := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/did:plc:alice" {
			w.Write([]byte(didDoc("did:plc:alice", "alice.test", "https://pds.example")))
			return
		}
		if r.URL.Path == "/did:plc:liar" {
			w.Write([]byte(didDoc("did:plc:someoneelse", "x.test", "https://pds.example")))
			return
		}
		http.NotFound(w, r)
	})
	web := tlsWorld(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Host == "bob.example" && r.URL.Path == "/.well-known/did.json" {
			w.Write([]byte(didDoc("did:web:bob.example", "bob.example", "https://pds2.example")))
			return
		}
		http.NotFound(w, r)
	})
	r := &Resolver{PLCURL: plc, HTTP: web}
	// The PLC directory is plain http on loopback: use the default transport for it.
	rp := &Resolver{PLCURL: plc}
	doc, err := rp.ResolveDID(context.Background(), "did:plc:alice")
	if err != nil {
		t.Fatal(err)
	}
	if pds, err := PDSFromDoc(doc); err != nil || pds != "https://pds.example" {
		t.Fatalf("PDS %q, %v", pds, err)
	}
	if h := HandleFromDoc(doc); h != "alice.test" {
		t.Fatalf("handle %q", h)
	}
	doc, err = r.ResolveDID(context.Background(), "did:web:bob.example")
	if err != nil {
		t.Fatal(err)
	}
	if pds, _ := PDSFromDoc(doc); pds != "https://pds2.example" {
		t.Fatalf("did:web PDS %q", pds)
	}
	for _, bad := range []string{"did:plc:liar", "did:plc:missing", "did:key:z6Mk", "did:web:a.example:path", "did:web:u%40ser@x"} {
		if _, err := rp.ResolveDID(context.Background(), bad); !errors.Is(err, ErrResolve) {
			t.Errorf("ResolveDID(%q): want ErrResolve, got %v", bad, err)
		}
	}
}

func TestPDSFromDocRules(t *testing.T) {
	cases := map[string]string{
		"http public":  didDoc("did:plc:a", "a.test", "http://pds.example"),
		"no service":   `{"id":"did:plc:a","service":[]}`,
		"not a string": `{"id":"did:plc:a","service":[{"id":"#atproto_pds","serviceEndpoint":{"uri":"https://x"}}]}`,
		"userinfo":     didDoc("did:plc:a", "a.test", "https://u:p@pds.example"),
		"garbage":      `[]`,
	}
	for name, doc := range cases {
		if pds, err := PDSFromDoc(json.RawMessage(doc)); err == nil {
			t.Errorf("%s: accepted %q", name, pds)
		}
	}
	full := strings.Replace(didDoc("did:plc:a", "a.test", "https://pds.example"), `"#atproto_pds"`, `"did:plc:a#atproto_pds"`, 1)
	if pds, err := PDSFromDoc(json.RawMessage(full)); err != nil || pds != "https://pds.example" {
		t.Errorf("fully qualified service id: %q, %v", pds, err)
	}
}

func TestHostileDIDDocumentIsNotFollowed(t *testing.T) {
	for _, pds := range []string{"http://localhost:2583", "https://127.0.0.1", "http://pds.example", "https://u:p@pds.example"} {
		t.Run(pds, func(t *testing.T) {
			client := tlsWorld(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"accessJwt":"a.b.c","refreshJwt":"d.e.f","did":"did:plc:alice","handle":"alice.test","didDoc":%s}`,
					didDoc("did:plc:alice", "alice.test", pds))
			})
			c := &Client{HTTP: client}
			s, err := c.Login(context.Background(), LoginInput{Service: "https://entryway.example", Identifier: "alice.test", Password: "pw"}, SessionOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Data().PDSURL; got != "https://entryway.example" {
				t.Fatalf("followed the document to %q", got)
			}
		})
	}
}

// Identity resolution takes the same round trip: a redirect is an error
// and reaches no other host, a document over its cap is refused, and one
// that does not come is said in our words.
func TestResolverFollowsNoRedirectAndCapsDocuments(t *testing.T) {
	var elsewhere atomic.Int32
	client := tlsWorld(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.Host {
		case "moved.test":
			http.Redirect(w, r, "https://elsewhere.test"+r.URL.Path, http.StatusMovedPermanently)
		case "elsewhere.test":
			elsewhere.Add(1)
			w.Write([]byte("did:plc:elsewhere"))
		case "huge.test":
			w.Write([]byte("did:plc:huge" + strings.Repeat(" ", maxDocBytes)))
		}
	})
	r := &Resolver{LookupTXT: noTXT, HTTP: client}
	if did, err := r.ResolveHandle(ctx(t), "moved.test"); !errors.Is(err, ErrResolve) || !strings.Contains(err.Error(), "HTTP 301, a redirect (not followed)") {
		t.Errorf("a redirect: %q, %v", did, err)
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("%d requests followed the redirect", n)
	}
	if did, err := r.ResolveHandle(ctx(t), "huge.test"); !errors.Is(err, ErrResolve) || !strings.Contains(err.Error(), "more than 65536 bytes") {
		t.Errorf("a file over the cap: %q, %v", did, err)
	}
	silent := &Resolver{PLCURL: trickler(t, "H", time.Hour), timeout: 30 * time.Millisecond}
	if _, err := silent.ResolveDID(ctx(t), "did:plc:alice"); !strings.HasSuffix(fmt.Sprint(err), "did not answer within 30ms") {
		t.Errorf("a silent directory: %v", err)
	}
}
