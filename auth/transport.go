package auth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/textproto"
	"net/url"
	"strings"

	"github.com/skyswitch/skyswitch/internal/sanitize"
)

// TransportKind says why a request got no usable answer.
type TransportKind int

// Transport failure kinds. Only TransportNetwork shows Go's own text (which
// names our own address); every other kind is said in skyswitch's words,
// because Go's texts for them quote what the other side sent: certificate
// names, or the bytes of a malformed answer (which can be our own request,
// password included, echoed back).
const (
	// TransportNetwork: no connection, a reset, a cancelled request; Detail
	// is Go's text. A timeout is TransportTimeout.
	TransportNetwork TransportKind = iota + 1
	// TransportClosed: the connection closed before a complete answer.
	TransportClosed
	// TransportCertName: the certificate is not valid for the host.
	TransportCertName
	// TransportCertAuthority: the certificate is not signed by a trusted authority.
	TransportCertAuthority
	// TransportCertExpired: the certificate has expired or is not yet valid.
	TransportCertExpired
	// TransportCertInvalid: the certificate was refused for another reason.
	TransportCertInvalid
	// TransportTLS: the TLS handshake failed; Detail is the TLS alert.
	TransportTLS
	// TransportNotTLS: an https request was answered by something that does
	// not speak TLS (often a plain http server).
	TransportNotTLS
	// TransportMalformed: the answer was not HTTP. It wraps ErrBadResponse.
	TransportMalformed
	// TransportCut: the answer's body ended early. It wraps ErrBadResponse.
	TransportCut
	// TransportTimeout: the server did not answer in time: its headers did
	// not come within the client's Timeout, or the caller's deadline
	// passed. Detail is the time waited ("30s").
	TransportTimeout
	// TransportStalled: the answer's body came slower than the stall rule
	// allows. Detail is the rule ("under 1 KiB/s for 30s").
	TransportStalled
)

var transportTexts = map[TransportKind]string{
	TransportNetwork:       "cannot reach the server",
	TransportClosed:        "the connection closed before a complete answer",
	TransportCertName:      "the server's certificate is not valid for this host",
	TransportCertAuthority: "the server's certificate is not signed by a trusted authority",
	TransportCertExpired:   "the server's certificate has expired or is not yet valid",
	TransportCertInvalid:   "the server's certificate is not valid",
	TransportTLS:           "the TLS handshake failed",
	TransportNotTLS:        "the server did not speak TLS",
	TransportMalformed:     "the server sent a malformed answer",
	TransportCut:           "the answer was cut short",
	TransportTimeout:       "the server did not answer in time",
	TransportStalled:       "the server stopped sending",
}

// String is the kind as a sentence, e.g. "the server sent a malformed answer".
func (k TransportKind) String() string {
	if s, ok := transportTexts[k]; ok {
		return s
	}
	return "the request failed"
}

// TransportError is a request that got no usable answer. Its text is made of
// the call, the host the request went to, the kind in skyswitch's words and,
// for network failures and TLS alerts, Go's own text cleaned for a terminal:
// never anything the server sent. errors.Is and errors.As see the cause
// (net.Error, context.DeadlineExceeded, x509 errors…), and a malformed answer
// also matches ErrBadResponse.
type TransportError struct {
	Method string // NSID of the call; "" for identity resolution
	Host   string // host[:port] of the request, cleaned
	Kind   TransportKind
	// Detail is Go's text for TransportNetwork and TransportTLS, cleaned;
	// the bound for TransportTimeout and TransportStalled; else "".
	Detail string
	Err    error // the cause; its text is not shown
}

func (e *TransportError) Error() string {
	prefix := ""
	if e.Method != "" {
		prefix = e.Method + ": "
	}
	switch {
	case e.Kind == TransportTimeout && e.Detail != "":
		return prefix + "the server at " + e.Host + " did not answer within " + e.Detail
	case e.Kind == TransportStalled && e.Detail != "":
		return prefix + "the server at " + e.Host + " stopped sending (" + e.Detail + ")"
	}
	s := prefix + e.Host + ": "
	if e.Kind == TransportNetwork && e.Detail != "" {
		return s + e.Detail
	}
	s += e.Kind.String()
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

// Unwrap gives the cause, and ErrBadResponse for a malformed or cut answer.
func (e *TransportError) Unwrap() []error {
	if e.Kind == TransportMalformed || e.Kind == TransportCut {
		return []error{ErrBadResponse, e.Err}
	}
	return []error{e.Err}
}

// maxDetailLen bounds the Go text a TransportError shows.
const maxDetailLen = 200

// transportError classifies err, a failure of the HTTP client or (reading
// true) of reading the answer's body, for a request of nsid to host.
func transportError(nsid, host string, err error, reading bool) *TransportError {
	// The client's *url.Error names the whole URL (query strings are where
	// secrets would appear first), and counts as a net.Error whatever it
	// wraps: drop it, the host is named on its own.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	kind, detail := classifyTransport(err)
	if reading && kind == TransportClosed {
		kind = TransportCut
	}
	if detail != "" {
		detail = clip(sanitize.Line(detail), maxDetailLen)
	}
	return &TransportError{Method: nsid, Host: clip(sanitize.Line(host), maxDetailLen), Kind: kind, Detail: detail, Err: err}
}

// boundFailure is a failure at one of the round trip's bounds, said in
// skyswitch's words: kind with detail, the bound, and err as its cause.
func boundFailure(nsid, host string, kind TransportKind, detail string, err error) *TransportError {
	return &TransportError{Method: nsid, Host: clip(sanitize.Line(host), maxDetailLen), Kind: kind, Detail: detail, Err: err}
}

// classifyTransport names what went wrong, and which text of Go's may be
// shown. TLS errors come first: a TLS alert arrives inside a net.OpError.
// Whatever is not recognised is a malformed answer, said in our words.
func classifyTransport(err error) (TransportKind, string) {
	if k := certKind(err); k != 0 {
		return k, ""
	}
	var (
		alert  tls.AlertError
		record tls.RecordHeaderError
		ne     net.Error
	)
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return TransportNetwork, contextText(err)
	case errors.As(err, &alert):
		return TransportTLS, alert.Error()
	case errors.As(err, &record), strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return TransportNotTLS, ""
	case errors.As(err, &ne):
		return TransportNetwork, ne.Error()
	case isMalformed(err):
		return TransportMalformed, ""
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return TransportClosed, ""
	}
	return TransportMalformed, ""
}

// certKind is the kind of a certificate the client refused, or 0.
func certKind(err error) TransportKind {
	var (
		name    x509.HostnameError
		unknown x509.UnknownAuthorityError
		invalid x509.CertificateInvalidError
		verify  *tls.CertificateVerificationError
	)
	switch {
	case errors.As(err, &name):
		return TransportCertName
	case errors.As(err, &unknown):
		return TransportCertAuthority
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return TransportCertExpired
	case errors.As(err, &invalid), errors.As(err, &verify):
		return TransportCertInvalid
	}
	return 0
}

// isMalformed reports whether err says the answer could not be parsed as
// HTTP. net/http quotes the offending bytes in these errors.
func isMalformed(err error) bool {
	var pe textproto.ProtocolError
	return errors.As(err, &pe) || strings.Contains(err.Error(), "malformed")
}

// contextText is the text of the context error in err's chain: a deadline
// or a cancellation, in Go's words.
func contextText(err error) string {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return ne.Error()
	}
	if errors.Is(err, context.Canceled) {
		return context.Canceled.Error()
	}
	return context.DeadlineExceeded.Error()
}
