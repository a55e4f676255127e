package account

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"testing"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go"
)

// CallerError tells a connection failure from a credentials problem, and
// either from any other failure.
func TestCallerError(t *testing.T) {
	dial := &url.Error{Op: "Post", URL: "https://sts.eu-west-1.amazonaws.com/", Err: &net.OpError{Op: "dial", Net: "tcp",
		Err: errors.New("i/o timeout")}}
	dns := &url.Error{Op: "Post", URL: "https://sts.example.invalid/", Err: &net.OpError{Op: "dial", Net: "tcp",
		Err: &net.DNSError{Err: "no such host", Name: "sts.example.invalid", IsNotFound: true}}}
	wrap := func(err error) error {
		return &smithy.OperationError{ServiceID: "STS", OperationName: "GetCallerIdentity", Err: fmt.Errorf("request send failed, %w", err)}
	}
	cases := []struct {
		err  error
		want string
	}{
		{wrap(dial), "cannot reach the AWS endpoint https://sts.eu-west-1.amazonaws.com: dial tcp: i/o timeout"},
		{wrap(dns), "cannot reach the AWS endpoint https://sts.example.invalid: dial tcp: lookup sts.example.invalid: no such host"},
		{wrap(context.DeadlineExceeded), "cannot reach the AWS endpoint sts: operation error STS: GetCallerIdentity, request send failed, context deadline exceeded"},
		{wrap(&smithy.GenericAPIError{Code: "InvalidClientTokenId", Message: "bad"}),
			"cannot identify the caller (are credentials configured?): operation error STS: GetCallerIdentity, request send failed, api error InvalidClientTokenId: bad"},
		{wrap(&smithy.GenericAPIError{Code: "ExpiredToken", Message: "old"}),
			"cannot identify the caller (are credentials configured?): operation error STS: GetCallerIdentity, request send failed, api error ExpiredToken: old"},
		{wrap(&v4.SigningError{Err: errors.New("failed to retrieve credentials: none")}),
			"cannot identify the caller (are credentials configured?): operation error STS: GetCallerIdentity, request send failed, failed to sign request: failed to retrieve credentials: none"},
		// An instance-role lookup that cannot connect is still a credentials problem.
		{wrap(fmt.Errorf("get identity: get credentials: %w", dial)),
			"cannot identify the caller (are credentials configured?): operation error STS: GetCallerIdentity, request send failed, get identity: get credentials: Post \"https://sts.eu-west-1.amazonaws.com/\": dial tcp: i/o timeout"},
		{wrap(&smithy.GenericAPIError{Code: "InternalFailure", Message: "oops"}),
			"cannot identify the caller: operation error STS: GetCallerIdentity, request send failed, api error InternalFailure: oops"},
	}
	for _, c := range cases {
		if got := CallerError(c.err).Error(); got != c.want {
			t.Errorf("got  %q\nwant %q", got, c.want)
		}
	}
}
