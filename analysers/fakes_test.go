package analysers

import (
	"errors"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
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

// rdsFakePage is the page index a Marker asks for (nil: the first), and
// rdsFakeNext the Marker of the page after i of n (nil after the last): the
// paging of the fakes of the RDS-style APIs (docdb, redshift).
func rdsFakePage(marker *string) int {
	if marker == nil {
		return 0
	}
	i, _ := strconv.Atoi(*marker)
	return i
}

func rdsFakeNext(i, n int) *string {
	if i+1 < n {
		return aws.String(strconv.Itoa(i + 1))
	}
	return nil
}
