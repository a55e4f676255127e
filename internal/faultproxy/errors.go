package faultproxy

import (
	"fmt"
	"html"
	"net/http"
)

// apiError is an error answer: HTTP status and AWS error code.
type apiError struct {
	status  int
	code    string
	message string
}

// throttling is the throttling error each protocol's services really send:
// Throttling for query services (RDS, ElastiCache, STS), RequestLimitExceeded
// for EC2, SlowDown for S3, ThrottlingException for JSON and REST-JSON ones.
func throttling(r Request) apiError {
	switch r.Protocol {
	case Query:
		return apiError{http.StatusBadRequest, "Throttling", "Rate exceeded"}
	case EC2:
		return apiError{http.StatusServiceUnavailable, "RequestLimitExceeded", "Request limit exceeded."}
	case RESTXML:
		return apiError{http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate."}
	case RESTJSON:
		return apiError{http.StatusTooManyRequests, "ThrottlingException", "Rate exceeded"}
	}
	return apiError{http.StatusBadRequest, "ThrottlingException", "Rate exceeded"}
}

// accessDenied is each protocol's refusal of an unauthorised call.
func accessDenied(r Request) apiError {
	msg := fmt.Sprintf("User is not authorized to perform: %s:%s", r.Service, r.Operation)
	switch r.Protocol {
	case Query, RESTXML:
		return apiError{http.StatusForbidden, "AccessDenied", msg}
	case EC2:
		return apiError{http.StatusForbidden, "UnauthorizedOperation", "You are not authorized to perform this operation."}
	case RESTJSON:
		return apiError{http.StatusForbidden, "AccessDeniedException", msg}
	}
	return apiError{http.StatusBadRequest, "AccessDeniedException", msg}
}

// serverError is HTTP 500 (InternalFailure) or 503 (ServiceUnavailable).
func serverError(_ Request, fiveHundred bool) apiError {
	if fiveHundred {
		return apiError{http.StatusInternalServerError, "InternalFailure", "We encountered an internal error. Please try again."}
	}
	return apiError{http.StatusServiceUnavailable, "ServiceUnavailable", "Service is unavailable. Please try again."}
}

const requestID = "faultproxy-0000-0000-0000-000000000000"

// writeError writes e in r's protocol, as the SDK's deserialisers expect it.
func writeError(w http.ResponseWriter, r Request, e apiError) {
	h := w.Header()
	h.Set("X-Amzn-RequestId", requestID)
	var body string
	msg := html.EscapeString(e.message)
	switch r.Protocol {
	case Query:
		h.Set("Content-Type", "text/xml")
		body = fmt.Sprintf(`<ErrorResponse xmlns="http://faultproxy/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>`, e.code, msg, requestID)
	case EC2:
		h.Set("Content-Type", "text/xml;charset=UTF-8")
		body = fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>%s</RequestID></Response>`, e.code, msg, requestID)
	case RESTXML:
		h.Set("Content-Type", "application/xml")
		body = fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><RequestId>%s</RequestId></Error>`, e.code, msg, requestID)
	case RESTJSON:
		h.Set("Content-Type", "application/json")
		h.Set("X-Amzn-ErrorType", e.code)
		body = fmt.Sprintf(`{"message":%q}`, e.message)
	default:
		h.Set("Content-Type", "application/x-amz-json-1.1")
		body = fmt.Sprintf(`{"__type":%q,"message":%q}`, e.code, e.message)
	}
	w.WriteHeader(e.status)
	_, _ = w.Write([]byte(body))
}
