package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
)

// maxSecretLen bounds a password read from standard input or a prompt.
const maxSecretLen = auth.MaxPasswordLen

// loginFlags names the flag each login field is given with.
var loginFlags = map[auth.LoginField]string{
	auth.FieldService: "--service", auth.FieldIdentifier: "--identifier", auth.FieldSignInCode: "--auth-factor-token",
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
	if flag, ok := loginFlags[tl.Field]; ok && tl.Field != prompted {
		return usageErr("login: %s is too long: at most %d characters", flag, tl.Max)
	}
	if tl.Field == auth.FieldPassword {
		return usageErr("login: the password is too long: at most %d bytes", tl.Max)
	}
	return usageErr("login: %v", tl)
}

var errSecretTooLong = errors.New("longer than any password")

func (c *cli) login(ctx context.Context, args []string) error {
	fs := newFlags("login", "[--service URL] [--identifier ID] [--password-stdin] [--auth-factor-token CODE]")
	var in auth.LoginInput
	var fromStdin bool
	fs.StringVar(&in.Service, "service", "", "entryway or PDS URL, e.g. https://bsky.social (default: found from the handle)")
	fs.StringVar(&in.Identifier, "identifier", "", "handle, email or DID")
	fs.BoolVar(&fromStdin, "password-stdin", false, "read the password from standard input")
	fs.StringVar(&in.AuthFactorToken, "auth-factor-token", "", "the sign-in code the server emailed (XXXXX-XXXXX)")
	if _, err := c.flags(fs, args, 0); err != nil {
		return err
	}
	var err error
	prompted := auth.LoginField(-1) // none
	if in.Identifier == "" {
		if !c.interactive {
			return usageErr("login: --identifier is required when not run in a terminal")
		}
		if in.Identifier, err = c.prompt("Handle, email or DID: "); err != nil {
			return err
		}
		prompted = auth.FieldIdentifier
	}
	if err := checkLengths(&in, prompted); err != nil {
		return err
	}
	switch {
	case fromStdin:
		in.Password, err = readLine(c.stdin)
		if errors.Is(err, errSecretTooLong) {
			return usageErr("login: the password on standard input is too long: at most %d bytes", maxSecretLen)
		}
		if err != nil {
			return fmt.Errorf("login: reading the password from standard input: %w", err)
		}
	case c.interactive:
		if in.Password, err = c.promptSecret("App password: "); err != nil {
			return err
		}
	default:
		return usageErr("login: give the password with --password-stdin (it is never accepted as an argument)")
	}
	if in.Password == "" {
		return usageErr("login: the password is empty")
	}
	if err := checkLengths(&in, auth.FieldPassword); err != nil { // typed at the prompt
		return err
	}
	acct, err := c.mgr.Login(ctx, in)
	if errors.Is(err, auth.ErrAuthFactorTokenRequired) && c.interactive && !fromStdin {
		fmt.Fprintln(c.stderr, "A sign-in code was sent to your email address.")
		if in.AuthFactorToken, err = c.prompt("Sign-in code: "); err != nil {
			return err
		}
		if err := checkLengths(&in, auth.FieldSignInCode); err != nil {
			return err
		}
		acct, err = c.mgr.Login(ctx, in)
	}
	in.Password = ""
	if errors.Is(err, auth.ErrAuthFactorTokenRequired) {
		return &exitError{exitNeedsCode, errors.New("the server sent a sign-in code to your email: rerun with --auth-factor-token CODE")}
	}
	if err != nil {
		return err
	}
	c.warnings()
	fmt.Fprintf(c.stderr, "Logged in as @%s (%s); it is now the active account.\n", acct.Handle, acct.DID)
	if accounts.TokenKind(acct.AccessJwt) == auth.KindFull {
		fmt.Fprintln(c.stderr, "Note: this session has full account access. An app password (Settings → App passwords) is safer for tools.")
	}
	c.retryPending(ctx)
	return nil
}

func (c *cli) prompt(label string) (string, error) {
	fmt.Fprint(c.stderr, label)
	if c.input == nil {
		c.input = bufio.NewReader(c.stdin)
	}
	line, err := c.input.ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("no answer: %w", err)
	}
	return strings.TrimSpace(line), nil
}

func (c *cli) promptSecret(label string) (string, error) {
	fmt.Fprint(c.stderr, label)
	s, err := c.readSecret()
	fmt.Fprintln(c.stderr)
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
