package accounts

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
)

// Surface is where a sentence is shown: the command line or the switcher.
// The sentence is the same on both; a surface decides only how much of
// what the other side said it keeps, and the advice that ends some
// sentences (the way out differs: a flag to give, a field to fill).
type Surface struct {
	// Full keeps the error's whole text where the sentence would cut it to
	// its kind: the call and the server's own words of a failed XRPC call
	// ("server error 503"), the call, host and Go's words of a request with
	// no answer ("cannot reach the server"). The command line has the line
	// for them (and api promises "Name: message"); a switcher banner has
	// one line that ends with its countdown.
	Full bool

	// The advice, each added after its sentence with "; " when not empty.
	SignInCode string // the server asks for a sign-in code: how to give it
	NewCode    string // the sign-in code is wrong or expired: how to get another
	Service    string // no PDS found for a handle: how to name the server
	Refresh    string // a login rate limited: how to refresh instead (in parentheses)
	MoveAside  string // the accounts file cannot be read: the way out
}

// Sentence is err as one sentence in skyswitch's words, lowercase and
// without a final stop, for the surface s. It is the one table from error
// to text: the command line's stderr and the switcher's banners, status
// line and forms all say an error through it. What it keeps of outside
// text (the server's message, Go's error text) is not cleaned here: the
// sink does that.
func Sentence(err error, now time.Time, s Surface) string {
	var (
		xe *auth.Error
		te *auth.TransportError
		fe *storage.FileError
	)
	switch {
	case errors.Is(err, auth.ErrAccountTakedown):
		return "this account has been taken down by its server"
	case errors.Is(err, ErrSessionEnded) && errors.As(err, &xe):
		return "the server ended the session (revoked or expired): log in again"
	case errors.Is(err, ErrSessionEnded):
		return err.Error() // our own words, with which account and why
	case errors.Is(err, auth.ErrAuthFactorTokenRequired):
		return advise("the server sent a sign-in code to your email", s.SignInCode)
	case atLogin(err, auth.ErrAuthenticationRequired):
		return "wrong identifier or password"
	case atLogin(err, auth.ErrInvalidToken), atLogin(err, auth.ErrExpiredToken):
		// At login the only token is the emailed sign-in code.
		return advise("the sign-in code is wrong or has expired", s.NewCode)
	case errors.Is(err, auth.ErrRateLimited):
		return rateLimited(err, now, s)
	case errors.Is(err, auth.ErrBadURL), errors.Is(err, auth.ErrBadIdentifier):
		return err.Error()
	case errors.Is(err, auth.ErrResolve):
		return advise("could not find the PDS for that handle", s.Service)
	case errors.Is(err, storage.ErrLockTimeout):
		// No request was sent: the sentence names the lock and its holder.
		return err.Error()
	case errors.As(err, &fe):
		return advise(err.Error(), s.MoveAside)
	case errors.As(err, &xe) && xe.Status >= 500 && !s.Full:
		return fmt.Sprintf("server error %d", xe.Status)
	case errors.As(err, &te) && !s.Full:
		return transportSentence(te)
	case errors.Is(err, auth.ErrBadResponse) && !s.Full:
		// An answer came and was refused (tokens for another account, no
		// tokens): auth's words say which, and it is not "cannot reach".
		return strings.TrimPrefix(err.Error(), methodOf(err)+": ")
	case auth.IsTransient(err) && !errors.As(err, &xe) && !s.Full:
		return "cannot reach the server"
	}
	return err.Error()
}

// atLogin reports whether err is the server's answer target to a login
// (createSession): elsewhere the same names mean other things.
func atLogin(err, target error) bool {
	var xe *auth.Error
	return errors.Is(err, target) && errors.As(err, &xe) && strings.Contains(xe.Method, "createSession")
}

// advise ends sentence with a surface's advice, if it has one.
func advise(sentence, advice string) string {
	if advice == "" {
		return sentence
	}
	return sentence + "; " + advice
}

// rateLimited says until when, from the server's RateLimit-Reset, first (a
// banner may be cut at the window's edge), and after a refused login that
// logins are far scarcer than refreshes.
func rateLimited(err error, now time.Time, s Surface) string {
	text := "rate limited by the server; try again later"
	if at := RetryAtText(err, now); at != "" {
		text = "rate limited by the server until " + at
	}
	if LoginRateLimited(err) {
		text += "; " + LoginLimitHint
		if s.Refresh != "" {
			text += " (" + s.Refresh + ")"
		}
	}
	return text
}

// transportSentence is a request that got no usable answer, cut to what
// went wrong in auth's words: its kind; a network failure as "cannot reach
// the server", but a timeout (or a cancellation) as auth says it, host
// included: a server that does not answer is not one that cannot be
// reached.
func transportSentence(te *auth.TransportError) string {
	switch {
	case te.Kind == auth.TransportTimeout, te.Kind == auth.TransportStalled:
		// "the server at H did not answer within 30s": the bound says
		// more than the kind.
		return strings.TrimPrefix(te.Error(), te.Method+": ")
	case te.Kind != auth.TransportNetwork && te.Kind != auth.TransportClosed:
		return te.Kind.String()
	case auth.IsTransient(te) && !timedOut(te):
		return "cannot reach the server"
	}
	return strings.TrimPrefix(te.Error(), te.Method+": ")
}

// timedOut reports whether err is a wait that ran out (not a cancellation).
func timedOut(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// methodOf is the XRPC method an error's text starts with, if it names one
// ("com.atproto.server.refreshSession: …"), else "".
func methodOf(err error) string {
	m, _, ok := strings.Cut(err.Error(), ": ")
	if !ok || !auth.ValidNSID(m) {
		return ""
	}
	return m
}
