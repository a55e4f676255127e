package account

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"

	"github.com/faultline/faultline/analysers"
	"github.com/faultline/faultline/output"
)

// SetupService is the service column of an account that could not be set up.
const SetupService = "account-setup"

// SetupOptions say how to reach and where to scan each account.
type SetupOptions struct {
	Partition   string
	RoleName    string // assume arn:<partition>:iam::<account>:role/<RoleName>; "" uses the caller's credentials
	ExternalID  string
	SessionName string
	Duration    time.Duration
	Regions     []string // nil: each account's own enabled regions
	Concurrency int
	Org         OrgDirectory
	Log         zerolog.Logger

	hooks setupHooks // tests replace the AWS calls
}

// setupHooks are the AWS calls of account setup.
type setupHooks struct {
	assume   func(base aws.Config, roleARN string) aws.Config
	identify func(context.Context, aws.Config) (Identity, error)
	regions  func(context.Context, aws.Config) ([]string, error)
}

// SetupResult is one account ready to scan, or the row saying why not.
type SetupResult struct {
	Account *Account
	// NotEnabled are requested regions the account has not enabled.
	NotEnabled []string
	Enabled    []string
	Failure    *output.ReportRow
}

// SetUpAccounts prepares every account with its own small concurrency limit:
// credentials (an assumed role behind one cache per account), an identity
// check, and its regions. One account failing never stops the others.
// Results are in the order of ids.
func SetUpAccounts(ctx context.Context, base aws.Config, ids []string, opts SetupOptions) []SetupResult {
	if opts.hooks.assume == nil {
		opts.hooks = setupHooks{
			assume: func(base aws.Config, roleARN string) aws.Config {
				return AssumeRole(base, roleARN, opts.SessionName, opts.ExternalID, opts.Duration)
			},
			identify: Identify,
			regions:  EnabledRegions,
		}
	}
	results := make([]SetupResult, len(ids))
	var g errgroup.Group
	g.SetLimit(max(1, opts.Concurrency))
	for i, id := range ids {
		g.Go(func() error {
			results[i] = setUpAccount(ctx, base, id, opts) // each goroutine owns its slot
			return nil
		})
	}
	_ = g.Wait()
	return results
}

func setUpAccount(ctx context.Context, base aws.Config, id string, opts SetupOptions) SetupResult {
	start := time.Now()
	stats := &callStats{}
	ctx = withStats(ctx, stats)
	fail := func(err error) SetupResult { return setupFailure(ctx, id, start, stats, err, opts.Log) }

	cfg := base
	if opts.RoleName != "" {
		cfg = opts.hooks.assume(base, RoleARN(opts.Partition, id, opts.RoleName))
	}
	// The identity check and the region list are independent reads: one
	// round trip, not two (the credentials cache assumes the role once).
	var who Identity
	var enabled []string
	var idErr, regionsErr error
	var g errgroup.Group
	g.Go(func() error { who, idErr = opts.hooks.identify(ctx, cfg); return nil })
	g.Go(func() error { enabled, regionsErr = opts.hooks.regions(ctx, cfg); return nil })
	_ = g.Wait()
	if idErr != nil {
		return fail(idErr)
	}
	if who.Account != id {
		return fail(fmt.Errorf("credentials are for account %s, not %s", who.Account, id))
	}
	return withRegions(ctx, &Account{ID: id, Partition: who.Partition, Config: cfg}, enabled, regionsErr, start, stats, opts)
}

// CallerAccount is setup for the caller's own account scanned with its own
// credentials, from an identity and region list already read (in parallel
// with the organization, by the caller): no call is made here.
func CallerAccount(ctx context.Context, base aws.Config, caller Identity, enabled []string, regionsErr error, opts SetupOptions) SetupResult {
	acct := &Account{ID: caller.Account, Partition: caller.Partition, Config: base}
	return withRegions(ctx, acct, enabled, regionsErr, time.Now(), &callStats{}, opts)
}

// withRegions names the account and chooses its regions: every enabled one
// for --regions ALL, else the requested ones it has enabled.
func withRegions(ctx context.Context, acct *Account, enabled []string, regionsErr error, start time.Time, stats *callStats, opts SetupOptions) SetupResult {
	acct.Name, acct.PayerID, acct.PayerName = opts.Org.Name(acct.ID), opts.Org.PayerID, opts.Org.Name(opts.Org.PayerID)
	switch {
	case regionsErr != nil && opts.Regions == nil:
		return setupFailure(ctx, acct.ID, start, stats, fmt.Errorf("cannot list the account's regions for --regions ALL: %w", regionsErr), opts.Log)
	case regionsErr != nil:
		opts.Log.Warn().Str("account", acct.ID).Str("code", ErrorCode(regionsErr)).Msg("cannot list enabled regions; scanning the regions given without checking them")
		acct.Regions = opts.Regions
		return SetupResult{Account: acct}
	case opts.Regions == nil:
		acct.Regions = enabled
		return SetupResult{Account: acct}
	}
	res := SetupResult{Account: acct, Enabled: enabled}
	for _, r := range opts.Regions {
		if slices.Contains(enabled, r) {
			acct.Regions = append(acct.Regions, r)
		} else {
			res.NotEnabled = append(res.NotEnabled, r)
		}
	}
	return res
}

// setupFailure is the account-setup row of an account that could not be set
// up (Cancelled when the scan was interrupted).
func setupFailure(ctx context.Context, id string, start time.Time, stats *callStats, err error, log zerolog.Logger) SetupResult {
	t := Task{Account: &Account{ID: id}, Analyser: analysers.Analyser{Name: SetupService}}
	row := reportRow(t, start, time.Now(), output.ResultFailure, ErrorCode(err), oneLine(err), stats, 0, 0)
	if ctx.Err() != nil {
		row.Result, row.ErrorCode = output.ResultCancelled, CodeCancelled
	}
	log.Warn().Str("account", id).Str("code", row.ErrorCode).Str("error", row.ErrorMessage).Msg("account could not be set up")
	return SetupResult{Failure: row}
}
