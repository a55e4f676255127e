package analysers

import (
	"errors"
	"testing"

	"github.com/aws/smithy-go"
)

// Shared test helpers for the analysers' fakes.

// accessDenied is the error a client returns when IAM refuses the call.
func accessDenied(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: "User is not authorized to perform this action"}
}

// requireCode fails unless err is an API error with that code.
func requireCode(t *testing.T, err error, code string) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != code {
		t.Fatalf("want API error %s, got %v", code, err)
	}
}

// collect returns an Emit that appends to *out.
func collect(out *[]Finding) Emit { return func(f Finding) { *out = append(*out, f) } }
