package auth

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ErrResolve is wrapped by every identity resolution error.
var ErrResolve = errors.New("cannot resolve identity")

// Resolver turns handles into DIDs and DIDs into documents. The zero value
// uses DNS, HTTPS and https://plc.directory.
type Resolver struct {
	// PLCURL is the did:plc directory; "" means DefaultPLCURL.
	PLCURL string
	// HTTP fetches well-known files and documents; nil means
	// http.DefaultTransport. No redirect is followed, whatever its
	// CheckRedirect says; headers must come within ResolveTimeout.
	HTTP *http.Client
	// LookupTXT answers DNS TXT queries; nil means net.DefaultResolver.
	LookupTXT func(ctx context.Context, name string) ([]string, error)
	// Version is the build's version, for the User-Agent as in Client;
	// "" means DefaultVersion.
	Version string

	timeout time.Duration // for the headers; 0 means ResolveTimeout
}

// ResolveTimeout is how long the headers of a well-known file or a DID
// document may take.
const ResolveTimeout = 10 * time.Second

const maxDocBytes = 64 << 10

// trip is the round trip of every fetch: the Client's rules, with
// ResolveTimeout for the headers.
func (r *Resolver) trip() roundTrip {
	t := roundTrip{timeout: ResolveTimeout}
	if r != nil {
		t.client = r.HTTP
		t.timeout = cmp.Or(r.timeout, ResolveTimeout)
	}
	return t
}

func (r *Resolver) version() string {
	if r != nil {
		return r.Version
	}
	return ""
}

func (r *Resolver) plcURL() string {
	if r != nil && r.PLCURL != "" {
		return strings.TrimRight(r.PLCURL, "/")
	}
	return DefaultPLCURL
}

// ResolveHandle finds the DID a handle claims, first through the DNS TXT
// record _atproto.<handle>, then through https://<handle>/.well-known/atproto-did.
func (r *Resolver) ResolveHandle(ctx context.Context, handle string) (string, error) {
	if !ValidHandle(handle) {
		return "", fmt.Errorf("%w: %q is not a valid handle", ErrResolve, handle)
	}
	lookup := net.DefaultResolver.LookupTXT
	if r != nil && r.LookupTXT != nil {
		lookup = r.LookupTXT
	}
	if txts, err := lookup(ctx, "_atproto."+handle); err == nil {
		for _, t := range txts {
			if did, ok := strings.CutPrefix(strings.TrimSpace(t), "did="); ok && ValidDID(did) {
				return did, nil
			}
		}
	}
	body, err := r.get(ctx, "https://"+handle+"/.well-known/atproto-did")
	if err != nil {
		return "", fmt.Errorf("%w: handle %s: no DNS record and %v", ErrResolve, handle, err)
	}
	did := strings.TrimSpace(string(body))
	if !ValidDID(did) {
		return "", fmt.Errorf("%w: handle %s: well-known file holds no DID", ErrResolve, handle)
	}
	return did, nil
}

// ResolveDID fetches the DID document of a did:plc (from the PLC directory)
// or did:web (from https://<host>/.well-known/did.json) and checks that it
// describes that DID.
func (r *Resolver) ResolveDID(ctx context.Context, did string) (json.RawMessage, error) {
	var u string
	switch {
	case strings.HasPrefix(did, "did:plc:") && ValidDID(did):
		u = r.plcURL() + "/" + url.PathEscape(did)
	case strings.HasPrefix(did, "did:web:") && ValidDID(did):
		// Only host-level did:web (a port may follow as %3A); path forms are
		// not used by the AT Protocol.
		rest := strings.TrimPrefix(did, "did:web:")
		host, err := url.PathUnescape(rest)
		if err != nil || strings.Contains(rest, ":") {
			return nil, fmt.Errorf("%w: %s: malformed did:web", ErrResolve, did)
		}
		base, err := NormalizeServiceURL("https://" + host)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrResolve, did, err)
		}
		u = base + "/.well-known/did.json"
	default:
		return nil, fmt.Errorf("%w: %s: only did:plc and did:web are supported", ErrResolve, did)
	}
	body, err := r.get(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrResolve, did, err)
	}
	var doc didDocument
	if err := json.Unmarshal(body, &doc); err != nil || doc.ID != did {
		return nil, fmt.Errorf("%w: %s: the document found is not this DID's", ErrResolve, did)
	}
	return body, nil
}

// get fetches u; an answer but 200 is an error, a redirect too: none is
// followed.
func (r *Resolver) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", userAgent(r.version()))
	resp, err := r.trip().do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		if resp.StatusCode >= 300 && resp.StatusCode < 400 {
			return nil, fmt.Errorf("%s answered HTTP %d, a redirect (not followed)", req.URL.Host, resp.StatusCode)
		}
		return nil, fmt.Errorf("%s answered HTTP %d", req.URL.Host, resp.StatusCode)
	}
	body, err := readBody(resp, maxDocBytes)
	return body, bodyError("", err)
}

type didDocument struct {
	ID          string   `json:"id"`
	AlsoKnownAs []string `json:"alsoKnownAs"`
	Service     []struct {
		ID              string `json:"id"`
		Type            string `json:"type"`
		ServiceEndpoint any    `json:"serviceEndpoint"`
	} `json:"service"`
}

// PDSFromDoc returns the #atproto_pds endpoint of a DID document, normalized,
// or an error when it has none or it breaks the URL rules.
func PDSFromDoc(doc json.RawMessage) (string, error) {
	var d didDocument
	if err := json.Unmarshal(doc, &d); err != nil {
		return "", fmt.Errorf("%w: DID document is not valid JSON", ErrResolve)
	}
	for _, s := range d.Service {
		if s.ID != "#atproto_pds" && s.ID != d.ID+"#atproto_pds" {
			continue
		}
		ep, ok := s.ServiceEndpoint.(string)
		if !ok {
			break
		}
		return NormalizeServiceURL(ep)
	}
	return "", fmt.Errorf("%w: DID document names no PDS", ErrResolve)
}

// HandleFromDoc returns the handle a DID document claims (its first at://
// alias), or "".
func HandleFromDoc(doc json.RawMessage) string {
	var d didDocument
	if json.Unmarshal(doc, &d) != nil {
		return ""
	}
	for _, aka := range d.AlsoKnownAs {
		if h, ok := strings.CutPrefix(aka, "at://"); ok && ValidHandle(h) {
			return strings.ToLower(h)
		}
	}
	return ""
}

// docDID is the id of a DID document, or "".
func docDID(doc json.RawMessage) string {
	var d didDocument
	if json.Unmarshal(doc, &d) != nil {
		return ""
	}
	return d.ID
}
