package inventory

import (
	"context"
	"errors"
	"slices"

	"github.com/aws/smithy-go"
)

// pager is an SDK paginator whose pages are O and whose calls take options
// of type Opt.
type pager[Opt, O any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(Opt)) (O, error)
}

// pages reads every page of p and hands each item that items finds in it to
// add, in order. Opt (the service's *Options) is given; the rest is inferred.
func pages[Opt, O, T any](ctx context.Context, p pager[Opt, O], items func(O) []T, add func(T)) error {
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, it := range items(page) {
			add(it)
		}
	}
	return nil
}

// IsAccessDenied reports whether err is IAM (or an SCP) refusing the call,
// live or as recorded in a snapshot.
func IsAccessDenied(err error) bool {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	switch apiErr.ErrorCode() {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "Client.UnauthorizedOperation", "UnauthorizedAccess":
		return true
	}
	return false
}

// errorCode is err's AWS error code, else its message.
func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return err.Error()
}

// ActionsOf are the IAM actions kinds call, sorted, each once.
func ActionsOf(kinds ...Loader) []string {
	var all []string
	for _, k := range kinds {
		all = append(all, k.IAMActions()...)
	}
	slices.Sort(all)
	return slices.Compact(all)
}

// batches cuts ids into slices of at most n, for calls that take a bounded
// list of identifiers.
func batches(ids []string, n int) [][]string {
	var out [][]string
	for start := 0; start < len(ids); start += n {
		out = append(out, ids[start:min(start+n, len(ids))])
	}
	return out
}

// hasErrorCode reports whether err is an AWS error with one of codes.
func hasErrorCode(err error, codes ...string) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && slices.Contains(codes, apiErr.ErrorCode())
}
