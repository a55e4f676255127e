package account

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Error codes that faultline itself assigns in the run report, for failures
// that carry no AWS error code.
const (
	CodeTimeout   = "TaskTimeout"
	CodeCancelled = "Cancelled"
	CodePanic     = "Panic"
	CodeNoService = "EndpointNotFound"
)

// ErrorCode returns the AWS error code of err (AccessDenied, Throttling, ...),
// HTTP<status> for an answer without one, or one of faultline's codes.
func ErrorCode(err error) string {
	var apiErr smithy.APIError
	var respErr *smithyhttp.ResponseError
	var panicErr *panicError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &panicErr):
		return CodePanic
	case errors.As(err, &apiErr) && apiErr.ErrorCode() != "":
		return apiErr.ErrorCode()
	case errors.As(err, &respErr):
		return fmt.Sprintf("HTTP%d", respErr.HTTPStatusCode())
	case errors.Is(err, context.DeadlineExceeded):
		return CodeTimeout
	case errors.Is(err, context.Canceled):
		return CodeCancelled
	case serviceNotInRegion(err):
		return CodeNoService
	}
	return "Error"
}

// serviceNotInRegion reports whether err says the service has no endpoint
// in the region: its host name does not resolve.
func serviceNotInRegion(err error) bool {
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr) && dnsErr.IsNotFound
}

// oneLine makes an error message fit one CSV cell and one log line.
func oneLine(err error) string {
	if err == nil {
		return ""
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}

// authCodes are the error codes that say the credentials are missing,
// wrong or expired: a caller that cannot be identified for these reasons
// gets the credentials hint.
var authCodes = map[string]bool{
	"InvalidClientTokenId": true, "ExpiredToken": true, "ExpiredTokenException": true, "SignatureDoesNotMatch": true,
	"UnrecognizedClientException": true, "InvalidAccessKeyId": true, "AuthFailure": true, "MissingAuthenticationToken": true,
	"IncompleteSignature": true, "RequestExpired": true, "AccessDenied": true, "InvalidToken": true,
}

// Unreachable reports whether err is a failure to reach the endpoint at
// all: a dial error, a host name that does not resolve, a timeout. Such a
// failure says nothing about the credentials.
func Unreachable(err error) bool {
	var opErr *net.OpError
	var dnsErr *net.DNSError
	var netErr net.Error
	return errors.As(err, &opErr) || errors.As(err, &dnsErr) || errors.Is(err, context.DeadlineExceeded) ||
		errors.As(err, &netErr) && netErr.Timeout()
}

// CallerError is the message for a failed sts:GetCallerIdentity: the
// endpoint cannot be reached (a connection failure, with the endpoint it
// tried), the credentials are missing or refused (the hint to configure
// them), or another failure as it is.
func CallerError(err error) error {
	var signErr *v4.SigningError
	var apiErr smithy.APIError
	var respErr *smithyhttp.ResponseError
	switch {
	case errors.As(err, &signErr), strings.Contains(err.Error(), "get identity: "):
		// No credentials could be found or fetched (the identity step of
		// the SDK's auth middleware, before any request is sent; its errors
		// have no type of their own).
		return fmt.Errorf("cannot identify the caller (are credentials configured?): %w", err)
	case Unreachable(err):
		return fmt.Errorf("cannot reach the AWS endpoint %s: %s", endpointOf(err), netCause(err))
	case errors.As(err, &apiErr) && authCodes[apiErr.ErrorCode()],
		// sts:GetCallerIdentity needs no permission: 401 or 403 without a
		// known code is the credentials too.
		errors.As(err, &respErr) && (respErr.HTTPStatusCode() == 401 || respErr.HTTPStatusCode() == 403):
		return fmt.Errorf("cannot identify the caller (are credentials configured?): %w", err)
	}
	return fmt.Errorf("cannot identify the caller: %w", err)
}

// endpointOf is the scheme and host a failed request went to, from the
// *url.Error the HTTP client returns; "sts" when there is none.
func endpointOf(err error) string {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		if u, perr := url.Parse(urlErr.URL); perr == nil && u.Host != "" {
			return u.Scheme + "://" + u.Host
		}
	}
	return "sts"
}

// netCause is the network error inside err, without the SDK's layers
// (operation, attempts, request send failed) around it.
func netCause(err error) string {
	var opErr *net.OpError
	var dnsErr *net.DNSError
	var urlErr *url.Error
	switch {
	case errors.As(err, &opErr):
		return opErr.Error()
	case errors.As(err, &dnsErr):
		return dnsErr.Error()
	case errors.As(err, &urlErr):
		return urlErr.Err.Error()
	}
	return oneLine(err)
}
