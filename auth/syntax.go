package auth

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// IdentifierKind is what a login identifier is.
type IdentifierKind int

// Identifier kinds.
const (
	IdentHandle IdentifierKind = iota + 1
	IdentDID
	IdentEmail
)

// The syntax rules, compiled on first use: most runs (skyswitch token)
// never need them, and compiling costs a millisecond at start-up.
var (
	handleRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$`)
	})
	didRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]$`)
	})
	emailRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`) })
)

const (
	maxHandleLen = 253
	maxDIDLen    = 2048
	maxEmailLen  = 254
)

// The longest login inputs, in characters: what a form field takes or a
// flag accepts before anything is checked or sent. What is valid within
// them, NormalizeServiceURL, ParseIdentifier and NormalizeSignInCode decide.
const (
	MaxServiceLen    = 2048      // a URL, though only scheme://host[:port] is valid
	MaxIdentifierLen = maxDIDLen // the longest identifier is a DID; handles 253, emails 254
	MaxPasswordLen   = 1024
	MaxSignInCodeLen = 32 // XXXXX-XXXXX, with room for spaces
)

// ErrBadIdentifier is wrapped by ParseIdentifier's errors.
var ErrBadIdentifier = errors.New("not a handle, email or DID")

// ParseIdentifier tells a handle (with or without a leading "@"), a DID and
// an email apart and normalizes it: handles and emails are lower-cased.
func ParseIdentifier(s string) (string, IdentifierKind, error) {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "did:"):
		if !ValidDID(s) {
			return "", 0, fmt.Errorf("%w: malformed DID", ErrBadIdentifier)
		}
		return s, IdentDID, nil
	case strings.Count(s, "@") == 1 && !strings.HasPrefix(s, "@"):
		if len(s) > maxEmailLen || !emailRE().MatchString(s) {
			return "", 0, fmt.Errorf("%w: malformed email address", ErrBadIdentifier)
		}
		return strings.ToLower(s), IdentEmail, nil
	}
	h := strings.ToLower(strings.TrimPrefix(s, "@"))
	if !ValidHandle(h) {
		return "", 0, fmt.Errorf("%w: a handle looks like alice.bsky.social", ErrBadIdentifier)
	}
	return h, IdentHandle, nil
}

// ValidHandle checks the AT Protocol handle syntax (a DNS name whose last
// label does not start with a digit).
func ValidHandle(h string) bool { return len(h) <= maxHandleLen && handleRE().MatchString(h) }

// ValidDID checks the generic DID syntax of the AT Protocol.
func ValidDID(d string) bool { return len(d) <= maxDIDLen && didRE().MatchString(d) }

// ErrBadURL is wrapped by NormalizeServiceURL's errors.
var ErrBadURL = errors.New("unusable server URL")

// NormalizeServiceURL checks a service or PDS URL and returns it as
// scheme://host[:port]. It must be https, or http on a loopback host; it may
// not carry a user, a path, a query or a fragment, and its host must be
// plain ASCII (internationalized names in punycode). A bare host name gets
// https:// added, but a bare loopback host (localhost:2583) is refused with
// the advice to write http:// or https://: on this machine either is likely.
func NormalizeServiceURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", fmt.Errorf("%w: empty", ErrBadURL)
	}
	schemeless := !strings.Contains(raw, "://")
	if schemeless {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("%w: cannot parse it", ErrBadURL)
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return "", fmt.Errorf("%w: scheme %q is not http(s)", ErrBadURL, u.Scheme)
	case u.User != nil:
		return "", fmt.Errorf("%w: it may not contain a user name or password", ErrBadURL)
	case u.Host == "" || u.Hostname() == "":
		return "", fmt.Errorf("%w: no host", ErrBadURL)
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "", u.Opaque != "":
		return "", fmt.Errorf("%w: only scheme and host are allowed, like https://bsky.social", ErrBadURL)
	case !isASCIIHost(u.Hostname()):
		return "", fmt.Errorf("%w: host must be ASCII (use the xn-- form of international names)", ErrBadURL)
	case !validHostName(u.Hostname()):
		// url.Parse unescapes the host: "%2541" became "%41", which would
		// not parse again.
		return "", fmt.Errorf("%w: the host holds a character no host name has (such as %%)", ErrBadURL)
	case u.Scheme == "http" && !IsLoopbackHost(u.Hostname()):
		return "", fmt.Errorf("%w: plain http is allowed only for localhost; use https", ErrBadURL)
	}
	host := strings.ToLower(strings.TrimSuffix(u.Host, ":"))
	if schemeless && IsLoopbackHost(u.Hostname()) {
		// A server on this machine (a PDS under development) most often
		// speaks plain http: https would be a guess that fails as "did
		// not speak TLS". Say which to write instead of guessing.
		return "", fmt.Errorf("%w: add http:// for a server on this machine without TLS (http://%s), or https:// if it has TLS", ErrBadURL, host)
	}
	return u.Scheme + "://" + host, nil
}

// validHostName reports whether h (a URL's Hostname, brackets removed) is
// an IPv6 address without a zone, or made of letters, digits, '-', '_'
// and '.' only: what may be written back into a URL as it is.
func validHostName(h string) bool {
	if strings.Contains(h, ":") {
		return net.ParseIP(h) != nil
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// IsLoopbackHost reports whether host is localhost or a loopback IP.
func IsLoopbackHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func isASCIIHost(h string) bool {
	for i := 0; i < len(h); i++ {
		c := h[i]
		if c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

// urlHost is the host name of an already normalized URL.
func urlHost(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return p.Hostname()
}
