package auth

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// A server (or a proxy in front of it) that quotes the request's
// credentials in its error answer: the message is withheld, the error's
// meaning kept.
func TestErrorsQuotingCredentialsAreWithheld(t *testing.T) {
	const bearer = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkaWQ6cGxjOmFiYyJ9.Zm9vYmFyLXNpZ25hdHVyZS1ub3QtY2hlY2tlZC0xMjM0NTY"
	const password = "hunter2-but-much-longer"
	sig := bearer[strings.LastIndex(bearer, ".")+1:]
	tests := []struct {
		name, message, errName string
		withheld               bool
		is                     error
	}{
		{"the bearer token", "bad token " + bearer, "ExpiredToken", true, ErrExpiredToken},
		{"a piece of its signature", "signature …" + sig[5:5+quoteLen] + "…", "InvalidToken", true, ErrInvalidToken},
		{"the password", "no account with password " + password, "AuthenticationRequired", true, ErrAuthenticationRequired},
		{"a piece of the password", "password " + password[2:2+quoteLen] + " is wrong", "InvalidRequest", true, nil},
		{"the sign-in code", "code ABCDE-12345 expired", "ExpiredToken", true, ErrExpiredToken},
		{"the password split by zero-width spaces", "password " + strings.Join(strings.Split(password, ""), "\u200b") + " is wrong", "InvalidRequest", true, nil},
		{"the password split by soft hyphens and spaces", "password " + strings.Join(strings.Split(password, ""), "\u00ad ") + "!", "InvalidRequest", true, nil},
		{"a piece of the signature split by a bidi mark", "sig " + sig[:8] + "\u200f" + sig[8:quoteLen+2], "InvalidToken", true, ErrInvalidToken},
		{"the token as the error name", "x", sig, false, nil},
		{"nothing secret", "Token has been revoked", "ExpiredToken", false, ErrExpiredToken},
		{"a shorter piece", "sig " + sig[:quoteLen-1], "InvalidToken", false, ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := serve(t, func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				w.WriteHeader(400)
				json.NewEncoder(w).Encode(map[string]string{"error": tt.errName, "message": tt.message})
			})
			in := map[string]string{"identifier": "alice.test", "password": password, "authFactorToken": "ABCDE-12345"}
			err := (&Client{}).Procedure(context.Background(), base, "x.y.z", bearer, in, nil)
			var xe *Error
			if !errors.As(err, &xe) {
				t.Fatalf("not an *Error: %v", err)
			}
			text := err.Error()
			if strings.Contains(text, password[:quoteLen]) || strings.Contains(text, sig[:quoteLen]) || strings.Contains(text, "ABCDE-12345") {
				t.Errorf("the error quotes a credential (%d bytes)", len(text))
			}
			if got := xe.Message == withheld; got != tt.withheld {
				t.Errorf("message withheld %v, want %v", got, tt.withheld)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("the error no longer means %v", tt.is)
			}
			if tt.name == "the token as the error name" && (xe.Name != "" || !strings.Contains(text, "HTTP 400")) {
				t.Errorf("the error name was kept (%d bytes)", len(xe.Name))
			}
		})
	}
}
