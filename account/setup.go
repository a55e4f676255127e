package account

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"

	"github.com/faultline/faultline/output"
)

// SetupService is the service column of an account that could not be set up.
const SetupService = "account-setup"

// SetupOptions say how to reach and where to scan each account.
type SetupOptions struct {
	Partition   string
	CallerID    string
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
	fail := func(err error) SetupResult {
		end := time.Now()
		t := Task{Account: &Account{ID: id}, Analyser: analyserNamed(SetupService)}
		row := reportRow(t, start, end, output.ResultFailure, ErrorCode(err), oneLine(err), stats, 0, 0)
		if ctx.Err() != nil {
			row.Result, row.ErrorCode = output.ResultCancelled, CodeCancelled
		}
		opts.Log.Warn().Str("account", id).Str("code", row.ErrorCode).Str("error", row.ErrorMessage).Msg("account could not be set up")
		return SetupResult{Failure: row}
	}

	cfg := base
	if opts.RoleName != "" {
		cfg = opts.hooks.assume(base, RoleARN(opts.Partition, id, opts.RoleName))
	}
	who, err := opts.hooks.identify(ctx, cfg)
	if err != nil {
		return fail(err)
	}
	if who.Account != id {
		return fail(fmt.Errorf("credentials are for account %s, not %s", who.Account, id))
	}
	acct := &Account{
		ID: id, Name: opts.Org.Name(id), PayerID: opts.Org.PayerID, PayerName: opts.Org.Name(opts.Org.PayerID),
		Partition: who.Partition, Config: cfg,
	}
	enabled, err := opts.hooks.regions(ctx, cfg)
	if err != nil {
		if opts.Regions == nil {
			return fail(fmt.Errorf("cannot list the account's regions for --regions ALL: %w", err))
		}
		opts.Log.Warn().Str("account", id).Str("code", ErrorCode(err)).Msg("cannot list enabled regions; scanning the regions given without checking them")
		acct.Regions = opts.Regions
		return SetupResult{Account: acct}
	}
	if opts.Regions == nil {
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
