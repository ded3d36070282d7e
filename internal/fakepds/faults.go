package fakepds

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"
)

// FaultKind is what an injected fault does to a request.
type FaultKind int

// Fault kinds. The zero value is FaultStatus.
//
// FaultDrop and FaultLostResponse close the connection before any byte of an
// answer. Go's http.Transport then resends a replayable request (a GET, or
// one with an Idempotency-Key header) by itself if it went out on a reused
// keep-alive connection, and that retry is a new request to the server. To
// make a GET fail for a Go client, inject such a fault with Times 0 or at
// least 2, or send the request on a fresh connection.
const (
	// FaultStatus answers Fault.Status (default 500) with an XRPC error body
	// such as {"error":"InternalServerError","message":"Internal Server
	// Error"}, and a Retry-After header when Fault.RetryAfter is set. The
	// request is not processed.
	FaultStatus FaultKind = iota
	// FaultDelay waits Fault.Delay (real time, not the Options clock) and
	// then answers normally. If the client gives up or the server closes
	// meanwhile, the request is not processed at all.
	FaultDelay
	// FaultDrop closes the connection without answering and without
	// processing the request.
	FaultDrop
	// FaultGarbage answers 200 with Content-Type application/json and a body
	// that is not JSON. The request is not processed.
	FaultGarbage
	// FaultHTML answers Fault.Status (default 502) with an HTML error page of
	// Content-Type text/html, as a reverse proxy does. The request is not
	// processed.
	FaultHTML
	// FaultOversized answers 200 with an OversizedBodySize JSON body (one
	// huge string). The request is not processed.
	FaultOversized
	// FaultTruncated processes the request (a refresh rotates the token),
	// then sends its status and headers with the full Content-Length but
	// only the first half of the body, and closes the connection. An empty
	// answer is replaced by a short JSON body so there is something to cut.
	FaultTruncated
	// FaultRateLimit answers 429 {"error":"RateLimitExceeded","message":
	// "Rate Limit Exceeded"} with the headers Retry-After (Fault.RetryAfter
	// rounded up to seconds, default 60), RateLimit-Limit: 30,
	// RateLimit-Remaining: 0, RateLimit-Reset (unix seconds by the Options
	// clock) and RateLimit-Policy: 30;w=300. With Fault.ResetAt set, it
	// sends RateLimit-Reset for that time and no Retry-After, as the
	// reference PDS and the bsky.social entryway do. The request is not
	// processed.
	FaultRateLimit
	// FaultLostResponse processes the request fully (a refresh rotates the
	// token, a logout revokes it), then closes the connection without
	// answering, so the client never learns the outcome.
	FaultLostResponse
	// FaultQuoteCredentials answers with an error whose message quotes the
	// credentials the request carried, as a careless server or a debugging
	// proxy might: Fault.Quote says which, and how. With Fault.Name set it
	// is an XRPC error {"error":Name,"message":…} of Fault.Status (default
	// 500); with Name empty, an HTML page of Content-Type text/html and
	// Fault.Status (default 502) holding the message. The message is sent
	// as is: not escaped, not cut. The request is not processed.
	FaultQuoteCredentials
	// FaultEchoRequest answers, on the raw connection, with the request's
	// body bytes as they came and a blank line, then closes it: not HTTP,
	// so a Go client fails with "malformed HTTP response" quoting the body
	// (for createSession, the password; a body with a space gives
	// "malformed HTTP status code" quoting what follows it). A bodiless
	// request gets the blank line alone. The request is not processed.
	FaultEchoRequest
	// FaultEchoAuthorization answers, on the raw connection,
	// "HTTP/1.1 200 OK", a header line "X-Echo <the Authorization header>"
	// that lacks its colon, and a blank line, then closes it: a Go client
	// fails with "malformed MIME header: missing colon" quoting the bearer
	// token. The request is not processed.
	FaultEchoAuthorization
	// FaultEchoAuthorizationHeader answers an XRPC error of Fault.Status
	// (default 400) whose X-Echo-Authorization header is the request's
	// Authorization header, as a debugging proxy might: a well-formed
	// answer, so only a client that prints headers can show the token.
	// The request is not processed.
	FaultEchoAuthorizationHeader
	// FaultSubMismatch processes the request as usual (a refresh rotates
	// the token, a login makes a session), then answers it with the tokens
	// of a new login of another account: Fault.DID, else the first other
	// account by DID, else a DID no account has. The body's did, handle
	// and the rest stay the requester's: only the tokens' sub claims name
	// the other account. An answer without tokens (an error, getSession)
	// is sent as it is. At the OAuth token endpoint ("/oauth/token") the
	// session is made or refreshed as usual and the answer's sub names
	// the other DID instead (its tokens stay the requester's).
	FaultSubMismatch
	// FaultEchoAuthorizationBody answers 200 with a JSON body that repeats
	// the request's Authorization header, as a debugging endpoint might:
	// the header whole, the bearer token alone, the token with every
	// character written as a JSON \u escape, and the token's last 32
	// bytes (its signature's end). A request without a cursor parameter
	// also gets "cursor":"2", so --paginate sees two such pages. The
	// request is not processed.
	FaultEchoAuthorizationBody
	// FaultRotateThenDelay processes the request at once (a refresh
	// rotates the token, so with NoGrace the old one is spent), then holds
	// the answer for Fault.Delay (real time) before sending it. If the
	// client gives up or the server closes meanwhile, the answer is lost,
	// but the request stays processed: the client that cancels a refresh
	// here has spent its refresh token and never sees the new one.
	FaultRotateThenDelay
	// FaultRotateNonce makes every DPoP nonce handed out so far stale (as
	// RotateDPoPNonce), then serves the request: a nonce that rotates
	// mid-session, so the request's proof gets use_dpop_nonce and a new
	// nonce.
	FaultRotateNonce
	// FaultWrongIssuer, at "/oauth/authorize" (GET or ApproveOAuth),
	// approves as usual but the callback's iss is Fault.Name, else
	// https://other-issuer.invalid. Elsewhere the request is served as
	// usual.
	FaultWrongIssuer
	// FaultWrongState, at "/oauth/authorize", approves as usual but the
	// callback's state is Fault.Name, else a random one. Elsewhere the
	// request is served as usual.
	FaultWrongState
	// FaultDenyConsent, at "/oauth/authorize", refuses consent: the
	// callback carries error=access_denied and no code, as DenyOAuth's
	// does. Elsewhere the request is served as usual.
	FaultDenyConsent
	// FaultLooseTypes processes the request as usual (a refresh rotates the
	// token), then answers with every boolean and number at the top level
	// of its JSON written as a string ("true", "3600"), as a loosely typed
	// server might. Tokens, DIDs and the other strings stay as they were.
	FaultLooseTypes
)

var faultNames = [...]string{"status", "delay", "drop", "garbage", "html", "oversized", "truncated", "rate-limit",
	"lost-response", "quote-credentials", "echo-request", "echo-authorization", "echo-authorization-header",
	"sub-mismatch", "echo-authorization-body",
	"rotate-then-delay", "rotate-nonce", "wrong-issuer", "wrong-state", "deny-consent",
	"loose-types"}

// String names the kind, e.g. "lost-response".
func (k FaultKind) String() string {
	if k >= 0 && int(k) < len(faultNames) {
		return faultNames[k]
	}
	return "FaultKind(" + strconv.Itoa(int(k)) + ")"
}

// Quote is what a FaultQuoteCredentials message quotes of the request.
// Only the Authorization header's bearer token and the body are quoted;
// a request without them gives a message without them.
type Quote int

// Quote forms. The zero value is QuoteRequest.
const (
	// QuoteRequest quotes the bearer token whole and the request body as
	// it came (for createSession: the identifier, the password and the
	// sign-in code): "refused: <token> <body>".
	QuoteRequest Quote = iota
	// QuoteTail quotes the last 100 bytes of the bearer token (all of a
	// shorter one): "refused: …<tail>". A JWT's signature is its end, so
	// it survives a client that cuts messages to a few hundred bytes,
	// which can cut a token quoted from its start before its signature.
	QuoteTail
	// QuoteSignature quotes the bearer token's JWT signature (what follows
	// its last dot), as a revocation notice might: "Token has been revoked
	// (signature <signature>)".
	QuoteSignature
)

// quoteTailLen is how much of the bearer token QuoteTail quotes.
const quoteTailLen = 100

// message is the message of a FaultQuoteCredentials answer.
func (q Quote) message(bearer string, body []byte) string {
	switch q {
	case QuoteTail:
		return "refused: …" + bearer[max(len(bearer)-quoteTailLen, 0):]
	case QuoteSignature:
		return "Token has been revoked (signature " + bearer[strings.LastIndex(bearer, ".")+1:] + ")"
	default: // QuoteRequest and unknown forms
		return "refused: " + bearer + " " + string(body)
	}
}

// Fault is a misbehaviour injected with Inject.
type Fault struct {
	Kind FaultKind
	// Status is the HTTP status of FaultStatus (default 500), FaultHTML
	// (default 502) and FaultQuoteCredentials (default 500, or 502 for its
	// HTML page).
	Status     int
	Delay      time.Duration // FaultDelay
	RetryAfter time.Duration // FaultRateLimit (default 60 s), FaultStatus (header only when set)
	// ResetAt is FaultRateLimit's RateLimit-Reset (whole seconds); when set,
	// Retry-After is left out and RetryAfter is ignored.
	ResetAt time.Time
	// Name is FaultStatus' XRPC error name ("" names the status's usual
	// one), FaultQuoteCredentials' ("" sends an HTML page), FaultWrongIssuer's
	// iss and FaultWrongState's state.
	Name string
	// Quote is what FaultQuoteCredentials quotes of the request.
	Quote Quote
	// DID is the account whose tokens FaultSubMismatch hands out (or, at
	// the OAuth token endpoint, whose DID its answer's sub names); "" means
	// another account of the server's choosing.
	DID string
	// Header is more headers the answer of FaultStatus or FaultHTML
	// carries, as a reverse proxy's error page may (Content-Language,
	// Content-Encoding…); the body is left as it is.
	Header http.Header
	// Times is how many requests the fault applies to; 0 (or negative)
	// means every request until ClearFaults.
	Times int
}

// AllEndpoints, as the endpoint of Inject, makes a fault apply to every
// request that has no fault of its own pending.
const AllEndpoints = "*"

// OversizedBodySize is the size of a FaultOversized body: 10 MiB.
const OversizedBodySize = 10 << 20

type pendingFault struct {
	f    Fault
	left int // requests still to fault; 0 = until ClearFaults
}

// Inject makes the next f.Times requests to endpoint (an NSID, a path as for
// Calls, or AllEndpoints) misbehave as f says. Faults injected for the same
// endpoint queue up: the second applies once the first is used up (so one
// with Times 0 hides those after it).
func (s *Server) Inject(endpoint string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[endpoint] = append(s.faults[endpoint], &pendingFault{f: f, left: max(f.Times, 0)})
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[string][]*pendingFault{}
}

// takeFault uses up one request of the fault pending for endpoint, if any.
// Callers hold s.mu.
func (s *Server) takeFault(endpoint string) (Fault, bool) {
	for _, key := range []string{endpoint, AllEndpoints} {
		q := s.faults[key]
		if len(q) == 0 {
			continue
		}
		p := q[0]
		if p.left > 0 {
			p.left--
			if p.left == 0 {
				s.faults[key] = q[1:]
			}
		}
		return p.f, true
	}
	return Fault{}, false
}

// xrpcNames are the XRPC error names of HTTP statuses.
var xrpcNames = map[int]string{
	400: "InvalidRequest", 401: "AuthenticationRequired", 403: "Forbidden",
	404: "XRPCNotSupported", 413: "PayloadTooLarge", 429: "RateLimitExceeded",
	500: "InternalServerError", 501: "MethodNotImplemented", 502: "UpstreamFailure",
	503: "NotEnoughResources", 504: "UpstreamTimeout",
}

func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, f Fault, body []byte) {
	if f.Kind == FaultStatus || f.Kind == FaultHTML {
		for k, vs := range f.Header {
			w.Header()[http.CanonicalHeaderKey(k)] = vs
		}
	}
	switch f.Kind {
	case FaultDelay:
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-r.Context().Done():
			hijack(w, nil) // returning would send an empty 200
		case <-s.done:
			hijack(w, nil)
		case <-t.C:
			s.serve(w, r, body)
		}
	case FaultDrop:
		hijack(w, nil)
	case FaultRotateThenDelay:
		s.rotateThenDelay(w, r, f, body)
	case FaultRotateNonce, FaultWrongIssuer, FaultWrongState, FaultDenyConsent:
		s.serveOAuthFault(w, r, f, body)
	case FaultGarbage:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("<<this is not json>>\x00\xff{\"unterminated"))
	case FaultHTML:
		status := cmp.Or(f.Status, http.StatusBadGateway)
		page := fmt.Sprintf("<html>\r\n<head><title>%[1]d %[2]s</title></head>\r\n<body>\r\n"+
			"<center><h1>%[1]d %[2]s</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
			status, http.StatusText(status))
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(page))
	case FaultOversized:
		writeOversized(w)
	case FaultQuoteCredentials:
		bearer := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		msg := f.Quote.message(bearer, body)
		if f.Name == "" {
			status := cmp.Or(f.Status, http.StatusBadGateway)
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(status)
			fmt.Fprintf(w, "<html><body><h1>%d</h1><pre>%s</pre></body></html>", status, msg)
			return
		}
		writeError(w, &xrpcError{cmp.Or(f.Status, http.StatusInternalServerError), f.Name, msg})
	case FaultEchoRequest:
		hijack(w, func(buf *bytes.Buffer) {
			buf.Write(body)
			buf.WriteString("\r\n\r\n")
		})
	case FaultEchoAuthorization:
		hijack(w, func(buf *bytes.Buffer) {
			fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nX-Echo %s\r\n\r\n", r.Header.Get("Authorization"))
		})
	case FaultEchoAuthorizationHeader:
		status := cmp.Or(f.Status, http.StatusBadRequest)
		w.Header().Set("X-Echo-Authorization", r.Header.Get("Authorization"))
		writeError(w, &xrpcError{status, cmp.Or(xrpcNames[status], "InternalServerError"), http.StatusText(status)})
	case FaultSubMismatch:
		s.serveRewritten(w, r, body, func(b []byte) []byte { return s.swapTokens(b, f.DID) })
	case FaultLooseTypes:
		s.serveRewritten(w, r, body, loosenTypes)
	case FaultEchoAuthorizationBody:
		serveEchoBody(w, r)
	case FaultTruncated, FaultLostResponse:
		rec := httptest.NewRecorder()
		s.serve(rec, r, body)
		if f.Kind == FaultLostResponse {
			hijack(w, nil)
			return
		}
		full := rec.Body.Bytes()
		if len(full) < 2 {
			full = []byte(`{"note":"this answer was cut in half on its way"}`)
		}
		hijack(w, func(buf *bytes.Buffer) {
			fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", rec.Code, http.StatusText(rec.Code))
			h := rec.Header().Clone()
			h.Del("Content-Length")
			h.Set("Connection", "close")
			_ = h.Write(buf)
			fmt.Fprintf(buf, "Content-Length: %d\r\n\r\n", len(full))
			buf.Write(full[:len(full)/2])
		})
	case FaultRateLimit:
		wait := cmp.Or(f.RetryAfter, 60*time.Second)
		secs := int64(math.Ceil(wait.Seconds()))
		reset := s.now().Unix() + secs
		h := w.Header()
		if f.ResetAt.IsZero() {
			h.Set("Retry-After", strconv.FormatInt(secs, 10))
		} else {
			reset = f.ResetAt.Unix()
		}
		h.Set("RateLimit-Limit", "30")
		h.Set("RateLimit-Remaining", "0")
		h.Set("RateLimit-Reset", strconv.FormatInt(reset, 10))
		h.Set("RateLimit-Policy", "30;w=300")
		writeError(w, &xrpcError{http.StatusTooManyRequests, "RateLimitExceeded", "Rate Limit Exceeded"})
	default: // FaultStatus and unknown kinds
		status := cmp.Or(f.Status, http.StatusInternalServerError)
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.FormatInt(int64(math.Ceil(f.RetryAfter.Seconds())), 10))
		}
		name := cmp.Or(f.Name, xrpcNames[status], "InternalServerError")
		writeError(w, &xrpcError{status, name, http.StatusText(status)})
	}
}

// rotateThenDelay serves the request into a recorder, holds the answer for
// f.Delay and then sends it, unless the client or the server goes first.
func (s *Server) rotateThenDelay(w http.ResponseWriter, r *http.Request, f Fault, body []byte) {
	rec := httptest.NewRecorder()
	s.serve(rec, r, body)
	t := time.NewTimer(f.Delay)
	defer t.Stop()
	select {
	case <-r.Context().Done():
		hijack(w, nil)
		return
	case <-s.done:
		hijack(w, nil)
		return
	case <-t.C:
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// hijack takes over the connection, writes what write puts in a buffer (if
// anything) and closes it.
func hijack(w http.ResponseWriter, write func(*bytes.Buffer)) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	if write != nil {
		var buf bytes.Buffer
		write(&buf)
		_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
		_, _ = conn.Write(buf.Bytes())
	}
}

func writeOversized(w http.ResponseWriter) {
	const prefix, suffix = `{"padding":"`, `"}`
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(OversizedBodySize))
	w.WriteHeader(http.StatusOK)
	// A client that stops reading must not hold the handler (and Close).
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(30 * time.Second))
	if _, err := w.Write([]byte(prefix)); err != nil {
		return
	}
	chunk := bytes.Repeat([]byte("a"), 64<<10)
	for left := OversizedBodySize - len(prefix) - len(suffix); left > 0; left -= len(chunk) {
		if _, err := w.Write(chunk[:min(left, len(chunk))]); err != nil {
			return
		}
	}
	_, _ = w.Write([]byte(suffix))
}
