package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// The one length check: each field at its limit passes, one byte more is
// refused naming that field (the first, in the form's order), and the
// error never repeats the input.
func TestLoginInputCheckLengths(t *testing.T) {
	at := LoginInput{
		Service:         strings.Repeat("s", MaxServiceLen),
		Identifier:      strings.Repeat("i", MaxIdentifierLen),
		Password:        strings.Repeat("p", MaxPasswordLen),
		AuthFactorToken: strings.Repeat("c", MaxSignInCodeLen),
	}
	if err := at.CheckLengths(); err != nil {
		t.Fatalf("at the limits: %v", err)
	}
	over := []struct {
		field LoginField
		max   int
		grow  func(*LoginInput)
		says  string
	}{
		{FieldService, MaxServiceLen, func(in *LoginInput) { in.Service += "s" }, "the service URL is too long: at most 2048 characters"},
		{FieldIdentifier, MaxIdentifierLen, func(in *LoginInput) { in.Identifier += "i" }, "the handle, email or DID is too long: at most 2048 characters"},
		{FieldPassword, MaxPasswordLen, func(in *LoginInput) { in.Password += "p" }, "the password is too long: at most 1024 characters"},
		{FieldSignInCode, MaxSignInCodeLen, func(in *LoginInput) { in.AuthFactorToken += "c" }, "the sign-in code is too long: at most 32 characters"},
		// Counted in bytes: 1,024 two-byte runes are too long a password.
		{FieldPassword, MaxPasswordLen, func(in *LoginInput) { in.Password = strings.Repeat("é", MaxPasswordLen) }, "the password is too long"},
	}
	for _, tc := range over {
		in := at
		tc.grow(&in)
		var tl *TooLongError
		err := in.CheckLengths()
		if !errors.As(err, &tl) || tl.Field != tc.field || tl.Max != tc.max || !strings.HasPrefix(err.Error(), tc.says) {
			t.Errorf("%s: got %v", tc.says, err)
			continue
		}
		if strings.Contains(err.Error(), "ppp") || strings.Contains(err.Error(), "sss") {
			t.Errorf("the error repeats the input: %v", err)
		}
	}
	// Two too long: the first in the form's order is named.
	in := at
	in.Identifier += "i"
	in.Password += "p"
	if err := in.CheckLengths(); err == nil || !strings.Contains(err.Error(), "handle") {
		t.Errorf("identifier and password too long: got %v", err)
	}
}

// An email names no server: a login by email without a service is refused
// before anything is sent, as ErrServiceNeeded (the form focuses its
// service field on it).
func TestLoginByEmailNeedsTheService(t *testing.T) {
	c := &Client{Resolver: &Resolver{LookupTXT: func(context.Context, string) ([]string, error) {
		t.Fatal("an email was looked up")
		return nil, nil
	}}}
	_, err := c.Login(ctx(t), LoginInput{Identifier: "alice@example.com", Password: "pw"}, SessionOptions{})
	if !errors.Is(err, ErrServiceNeeded) {
		t.Fatalf("got %v", err)
	}
}
