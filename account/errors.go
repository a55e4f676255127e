package account

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

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
