package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/storage"
)

// maxSecretLen bounds a password read from standard input or a prompt.
const maxSecretLen = auth.MaxPasswordLen

// loginFlag names the flag a login field is given with; the password has
// none.
func loginFlag(f auth.LoginField) (string, bool) {
	switch f {
	case auth.FieldService:
		return "--service", true
	case auth.FieldIdentifier:
		return "--identifier", true
	case auth.FieldSignInCode:
		return "--auth-factor-token", true
	}
	return "", false
}

// checkLengths is auth's one length check of the login input, said in the
// command's words: the flag that was too long, or, for what was typed at
// a prompt (prompted), the field. It runs before anything is read further,
// echoed or sent (a megabyte argument must not be).
func checkLengths(in *auth.LoginInput, prompted auth.LoginField) error {
	var tl *auth.TooLongError
	if !errors.As(in.CheckLengths(), &tl) {
		return nil
	}
	if flag, ok := loginFlag(tl.Field); ok && tl.Field != prompted {
		return usageErr("login: %s is too long: at most %d characters", flag, tl.Max)
	}
	if tl.Field == auth.FieldPassword {
		return usageErr("login: the password is too long: at most %d bytes", tl.Max)
	}
	return usageErr("login: %v", tl)
}

var errSecretTooLong = errors.New("longer than any password")

func loginCommand() command {
	var opts loginOptions
	return command{
		name: "login", args: "[--service URL] [--identifier ID] [--password-stdin] [--auth-factor-token CODE] [--oauth [--no-browser] [--scope SCOPE]]",
		summary: "add an account (or log in again) and make it active; --oauth signs in through the browser",
		flags: []flagSpec{
			stringFlag(&opts.in.Service, "", "service", "entryway or PDS URL, e.g. https://bsky.social (default: found from the handle)"),
			stringFlag(&opts.in.Identifier, "", "identifier", "handle, email or DID (with --oauth: handle or DID)"),
			boolFlag(&opts.fromStdin, "", "password-stdin", "read the password from standard input"),
			stringFlag(&opts.in.AuthFactorToken, "", "auth-factor-token", "the sign-in code the server emailed (XXXXX-XXXXX)"),
			boolFlag(&opts.oauth.on, "", "oauth", "sign in through the browser (OAuth) instead of with a password"),
			stringFlag(&opts.oauth.scope, "", "scope", "with --oauth: the scope to ask for (default: "+auth.DefaultOAuthScope+")"),
			boolFlag(&opts.oauth.noBrowser, "", "no-browser", "with --oauth: print the address to open instead of opening a browser"),
		},
		run: func(ctx context.Context, e *invocation, _ []string) error {
			if opts.oauth.on || opts.oauth.scope != "" || opts.oauth.noBrowser {
				return runLoginOAuth(ctx, opts, e)
			}
			return runLogin(ctx, opts, e)
		},
	}
}

// loginOptions: what the flags give of the login input (never the
// password), and whether the password comes on standard input.
type loginOptions struct {
	in        auth.LoginInput
	fromStdin bool
	oauth     oauthOptions
}

// runLogin asks for what the flags did not give, logs in (asking for the
// emailed sign-in code when the server wants one and a person is there),
// and makes the account the active one.
func runLogin(ctx context.Context, opts loginOptions, e *invocation) error {
	in := opts.in
	if err := e.loginInput(&in, opts.fromStdin); err != nil {
		return err
	}
	acct, err := e.mgr.Login(ctx, in)
	if errors.Is(err, auth.ErrAuthFactorTokenRequired) && e.app.Interactive && !opts.fromStdin {
		fmt.Fprintln(e.stderr, "A sign-in code was sent to your email address.")
		if in.AuthFactorToken, err = e.prompt("Sign-in code: "); err != nil {
			return err
		}
		if err := checkLengths(&in, auth.FieldSignInCode); err != nil {
			return err
		}
		acct, err = e.mgr.Login(ctx, in)
	}
	in.Password = ""
	if err != nil {
		return err // a sign-in code still wanted: exit 3, and how to give it (sentence)
	}
	e.loggedIn(ctx, acct)
	return nil
}

// loggedIn says which account the login saved and made active (with a
// word on a full-access password session) and retries owed logouts.
func (e *invocation) loggedIn(ctx context.Context, acct storage.Account) {
	e.warnings()
	fmt.Fprintf(e.stderr, "Logged in as @%s (%s); it is now the active account.\n", acct.Handle, acct.DID)
	if acct.OAuth == nil && accounts.TokenKind(acct.AccessJwt) == auth.KindFull {
		fmt.Fprintln(e.stderr, "Note: this session has full account access. An app password (Settings → App passwords) is safer for tools.")
	}
	e.retryPending(ctx)
}

// loginInput completes in: the identifier (asked for when not given) and
// the password (from standard input, or asked for), each held to auth's
// limits before anything more is read or sent.
func (e *invocation) loginInput(in *auth.LoginInput, fromStdin bool) error {
	var err error
	prompted := auth.LoginField(-1) // none
	if in.Identifier == "" {
		if !e.app.Interactive {
			return usageErr("login: --identifier is required when not run in a terminal")
		}
		if in.Identifier, err = e.prompt("Handle, email or DID: "); err != nil {
			return err
		}
		prompted = auth.FieldIdentifier
	}
	if err := checkLengths(in, prompted); err != nil {
		return err
	}
	if in.Password, err = e.password(fromStdin); err != nil {
		return err
	}
	if in.Password == "" {
		return usageErr("login: the password is empty")
	}
	return checkLengths(in, auth.FieldPassword) // typed at the prompt
}

// password reads the password from standard input, or asks for it.
func (e *invocation) password(fromStdin bool) (string, error) {
	switch {
	case fromStdin:
		pw, err := readLine(e.app.Stdin)
		if errors.Is(err, errSecretTooLong) {
			return "", usageErr("login: the password on standard input is too long: at most %d bytes", maxSecretLen)
		}
		if err != nil {
			return "", fmt.Errorf("login: reading the password from standard input: %w", err)
		}
		return pw, nil
	case e.app.Interactive:
		return e.promptSecret("App password: ")
	}
	return "", usageErr("login: give the password with --password-stdin (it is never accepted as an argument)")
}

func (e *invocation) prompt(label string) (string, error) {
	fmt.Fprint(e.stderr, label)
	if e.input == nil {
		e.input = bufio.NewReader(e.app.Stdin)
	}
	line, err := e.input.ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("no answer: %w", err)
	}
	return strings.TrimSpace(line), nil
}

func (e *invocation) promptSecret(label string) (string, error) {
	fmt.Fprint(e.stderr, label)
	s, err := e.app.ReadSecret()
	fmt.Fprintln(e.stderr)
	return strings.TrimSpace(s), err
}

// readLine reads the first line of r, without its line ending.
func readLine(r io.Reader) (string, error) {
	br := bufio.NewReaderSize(io.LimitReader(r, maxSecretLen+3), 256) // + "\r\n", + 1 too many
	line, err := br.ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if len(line) > maxSecretLen {
		return "", errSecretTooLong
	}
	return line, nil
}
