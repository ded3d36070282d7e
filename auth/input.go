package auth

import "fmt"

// LoginField is one field of a LoginInput, to say which is wrong.
type LoginField int

// The fields of a LoginInput, in the order a form shows them.
const (
	FieldService LoginField = iota
	FieldIdentifier
	FieldPassword
	FieldSignInCode
)

// TooLongError is a login input longer than its field takes.
type TooLongError struct {
	Field LoginField
	Max   int // in bytes
}

func (e *TooLongError) Error() string {
	names := map[LoginField]string{FieldService: "service URL", FieldIdentifier: "handle, email or DID",
		FieldPassword: "password", FieldSignInCode: "sign-in code"}
	return fmt.Sprintf("the %s is too long: at most %d characters", names[e.Field], e.Max)
}

// CheckLengths is the one length check of what a person gives to log in,
// before anything is read further, echoed or sent: the first field of in
// (service, identifier, password, sign-in code) longer than its limit
// (MaxServiceLen, MaxIdentifierLen, MaxPasswordLen, MaxSignInCodeLen), as
// a *TooLongError, or nil. Lengths are in bytes: the handles, DIDs, URLs
// and codes that are valid are ASCII, so for them bytes are characters.
// What is valid within the limits, NormalizeServiceURL, ParseIdentifier and
// NormalizeSignInCode decide.
func (in *LoginInput) CheckLengths() error {
	for _, f := range []struct {
		field LoginField
		value string
		max   int
	}{
		{FieldService, in.Service, MaxServiceLen},
		{FieldIdentifier, in.Identifier, MaxIdentifierLen},
		{FieldPassword, in.Password, MaxPasswordLen},
		{FieldSignInCode, in.AuthFactorToken, MaxSignInCodeLen},
	} {
		if len(f.value) > f.max {
			return &TooLongError{Field: f.field, Max: f.max}
		}
	}
	return nil
}
