package account

import (
	"context"
	"sync/atomic"

	"github.com/aws/smithy-go/middleware"
)

// callStats counts one task's API operations and HTTP attempts. The
// difference is the number of retries.
type callStats struct {
	calls    atomic.Int64
	attempts atomic.Int64
}

type statsKey struct{}

func withStats(ctx context.Context, s *callStats) context.Context {
	return context.WithValue(ctx, statsKey{}, s)
}

func statsFrom(ctx context.Context) *callStats {
	s, _ := ctx.Value(statsKey{}).(*callStats)
	return s
}

// countCalls is added to every client's stack: it counts each operation once
// (Initialize step) and each attempt after the retryer (Finalize step).
func countCalls(stack *middleware.Stack) error {
	err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc("faultlineCountCalls",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			if s := statsFrom(ctx); s != nil {
				s.calls.Add(1)
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.Before)
	if err != nil {
		return err
	}
	attempt := middleware.FinalizeMiddlewareFunc("faultlineCountAttempts",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			if s := statsFrom(ctx); s != nil {
				s.attempts.Add(1)
			}
			return next.HandleFinalize(ctx, in)
		})
	if err := stack.Finalize.Insert(attempt, "Retry", middleware.After); err != nil {
		// A client without a retry step still gets one attempt per call.
		return stack.Finalize.Add(attempt, middleware.After)
	}
	return nil
}
