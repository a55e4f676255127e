package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"

	"github.com/faultline/faultline/account"
	"github.com/faultline/faultline/delivery"
	"github.com/faultline/faultline/output"
)

// accountSetupConcurrency bounds assume-role and region discovery: 16 at
// once keeps STS well under its request quotas while a large organisation's
// setup does not hold back its tasks.
const accountSetupConcurrency = 16

// runScan does the scan: find the accounts and set them up, run every task,
// write the files, deliver them, print the summary.
func runScan(ctx context.Context, opts scanOptions, stderr io.Writer) error {
	log := newLogger(opts, stderr)
	if err := output.PrepareDir(opts.OutputDir); err != nil {
		return usagef("%s", err.Error())
	}
	base, err := account.LoadConfig(ctx, opts.Profile, opts.Retry)
	if err != nil {
		return &codedError{exitError, fmt.Errorf("cannot load AWS configuration: %w", err)}
	}
	callerOnly := opts.Accounts == nil && !opts.AllAccounts
	// The seed's default (the caller's own account, its own credentials)
	// needs three independent reads: who the caller is, its regions and its
	// organization. They go out together, one round trip before the tasks.
	ownCredentials := callerOnly && opts.AssumeRole == ""
	var caller account.Identity
	var callerErr, orgErr, regionsErr error
	var org account.OrgDirectory
	var enabled []string
	var round errgroup.Group
	round.Go(func() error { caller, callerErr = account.Identify(ctx, base); return nil })
	if !callerOnly || ownCredentials {
		round.Go(func() error { org, orgErr = account.ReadOrg(ctx, base); return nil })
	}
	if ownCredentials {
		round.Go(func() error { enabled, regionsErr = account.EnabledRegions(ctx, base); return nil })
	}
	_ = round.Wait()
	if callerErr != nil {
		if ctx.Err() != nil {
			return &codedError{exitInterrupted, errInterrupted}
		}
		return &codedError{exitError, fmt.Errorf("cannot identify the caller (are credentials configured?): %w", callerErr)}
	}
	if callerOnly && !ownCredentials {
		// The seed read the organization with the assumed role.
		orgCfg := account.AssumeRole(base, account.RoleARN(caller.Partition, caller.Account, opts.AssumeRole), opts.SessionName, opts.ExternalID, opts.RoleDuration)
		org, orgErr = account.ReadOrg(ctx, orgCfg)
	}
	if orgErr != nil {
		log.Debug().Str("code", account.ErrorCode(orgErr)).Msg("Organizations not fully readable: account names and payer may be empty")
	}

	ids, err := accountIDs(opts, caller.Account, org, orgErr)
	if err != nil {
		return err
	}
	setup := account.SetupOptions{
		Partition: caller.Partition, RoleName: opts.AssumeRole, ExternalID: opts.ExternalID,
		SessionName: opts.SessionName, Duration: opts.RoleDuration, Regions: opts.Regions,
		Concurrency: accountSetupConcurrency, Org: org, Log: log,
	}
	var results []account.SetupResult
	switch {
	case ownCredentials && len(ids) == 1:
		results = []account.SetupResult{account.CallerAccount(ctx, base, caller, enabled, regionsErr, setup)}
	case ownCredentials: // --shard K/N left no account
	default:
		results = account.SetUpAccounts(ctx, base, ids, setup)
	}
	if ctx.Err() != nil {
		// Interrupted before any task: nothing was scanned, no file written.
		return &codedError{exitInterrupted, errInterrupted}
	}
	var accounts []*account.Account
	var setupRows []output.ReportRow
	for _, r := range results {
		if r.Failure != nil {
			if callerOnly {
				return &codedError{exitError, fmt.Errorf("cannot set up account %s (%s): %s", r.Failure.AccountID, r.Failure.ErrorCode, r.Failure.ErrorMessage)}
			}
			setupRows = append(setupRows, *r.Failure)
			continue
		}
		if len(r.NotEnabled) > 0 {
			if callerOnly {
				return usagef("region %q is not enabled in account %s; enabled: %s", r.NotEnabled[0], r.Account.ID, strings.Join(r.Enabled, ", "))
			}
			log.Warn().Str("account", r.Account.ID).Strs("regions", r.NotEnabled).Msg("regions not enabled in this account are skipped")
		}
		accounts = append(accounts, r.Account)
	}

	stem := output.FileStem(time.Now(), opts.FilenameWithAccount, caller.Account, org.Name(caller.Account))
	if opts.Shard.active() {
		stem += fmt.Sprintf("_shard_%d_of_%d", opts.Shard.K, opts.Shard.N)
	}
	files, err := output.OpenFiles(opts.OutputDir, stem, opts.Truncate, opts.JSONL)
	if err != nil {
		return &codedError{exitError, err}
	}
	for _, row := range setupRows {
		if err := files.WriteTask(row); err != nil {
			files.Abort()
			return &codedError{exitError, err}
		}
	}

	tasks := account.Tasks(accounts, selectedAnalysers(opts.Services))
	log.Info().Int("accounts", len(accounts)).Int("tasks", len(tasks)).Int("concurrency", opts.Concurrency).Msg("scan started")
	sum := account.Run(ctx, tasks, account.Options{
		Concurrency: opts.Concurrency, TaskTimeout: opts.TaskTimeout, OnlyRisks: opts.OnlyRisks, Log: log,
	}, files)
	sum.Tasks += len(setupRows)
	sum.Failed += len(setupRows)

	del, err := finishFiles(ctx, opts, base, caller.Account, files, &sum, log)
	if err != nil {
		return err
	}
	printSummary(stderr, sum, files, del)

	switch {
	case ctx.Err() != nil:
		return &codedError{exitInterrupted, errInterrupted}
	case sum.Failed > 0:
		return &codedError{exitPartial, fmt.Errorf("%d of %d tasks failed; see %s", sum.Failed, sum.Tasks, files.Report.Path())}
	case del.uploadErr != nil:
		return &codedError{exitPartial, fmt.Errorf("upload failed (%s), the local files are complete: %w", account.ErrorCode(del.uploadErr), del.uploadErr)}
	case del.events != nil && del.events.Failed > 0:
		return &codedError{exitPartial, fmt.Errorf("%d findings were not published to %s: %w", del.events.Failed, opts.EventBusARN, del.events.FirstError)}
	}
	return nil
}

// accountIDs is the sorted list of accounts to scan.
func accountIDs(opts scanOptions, callerID string, org account.OrgDirectory, orgErr error) ([]string, error) {
	var ids []string
	switch {
	case opts.AllAccounts:
		if orgErr != nil {
			return nil, &codedError{exitError, fmt.Errorf("--accounts ALL: cannot list the organization's accounts (call from the management account or a delegated administrator): %w", orgErr)}
		}
		ids = slices.Clone(org.Active)
	case opts.Accounts != nil:
		ids = slices.Clone(opts.Accounts)
	default:
		ids = []string{callerID}
	}
	ids = slices.DeleteFunc(ids, func(id string) bool { return slices.Contains(opts.ExcludeAccounts, id) })
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if opts.AssumeRole == "" {
		for _, id := range ids {
			if id != callerID {
				return nil, usagef("--accounts names account %s, which is not the caller's (%s): add --aws-assume-role NAME", id, callerID)
			}
		}
	}
	return opts.Shard.pick(ids), nil
}

// delivered is what the delivery step did.
type delivered struct {
	events    *delivery.Publisher
	uploaded  []string
	uploadErr error
}

// finishFiles commits the findings, publishes them, writes the Overall row,
// commits the report, then uploads everything: each step only once the
// files it reads are complete.
func finishFiles(ctx context.Context, opts scanOptions, base aws.Config, callerID string, files *output.Files, sum *account.Summary, log zerolog.Logger) (delivered, error) {
	var del delivered
	writeFailed := func(err error) error {
		files.Abort()
		return &codedError{exitError, fmt.Errorf("writing the output failed, existing files were left as they were: %w", err)}
	}
	if sum.WriteErr != nil {
		return del, writeFailed(sum.WriteErr)
	}
	if err := files.CommitFindings(); err != nil {
		return del, writeFailed(err)
	}
	// Delivery runs even after an interrupt: the findings written are
	// complete rows, and the user asked for them to be delivered.
	deliverCtx := context.WithoutCancel(ctx)
	if opts.EventBusARN != "" {
		cfg := base.Copy()
		cfg.Region = opts.EventRegion
		del.events = &delivery.Publisher{API: eventbridge.NewFromConfig(cfg), BusARN: opts.EventBusARN, Backoff: delivery.DefaultBackoff}
		if err := del.events.PublishCSV(deliverCtx, files.Findings.Path(), files.Findings.NewRowsOffset); err != nil {
			log.Error().Err(err).Msg("reading the findings back for EventBridge failed")
			del.events.Failed++
			if del.events.FirstError == nil {
				del.events.FirstError = err
			}
		}
	}
	overall := account.OverallRow(callerID, *sum)
	if del.events != nil {
		overall.EventsPublished, overall.EventsFailed = del.events.Published, del.events.Failed
	}
	if err := files.Report.Write(overall); err != nil {
		return del, writeFailed(err)
	}
	if err := files.Report.Commit(); err != nil {
		return del, &codedError{exitError, err}
	}
	if opts.Bucket != "" {
		owner := opts.BucketOwner
		if owner == "" {
			owner = callerID
		}
		u := delivery.Upload{Bucket: opts.Bucket, Prefix: opts.OutputDir, Owner: owner, KMSKeyID: opts.KMSKeyID}
		paths := files.Paths()
		del.uploadErr = delivery.UploadFiles(deliverCtx, delivery.NewS3Client(base), u, paths)
		if del.uploadErr == nil {
			for _, p := range paths {
				del.uploaded = append(del.uploaded, "s3://"+opts.Bucket+"/"+u.Key(p))
			}
		}
	}
	return del, nil
}

func printSummary(w io.Writer, s account.Summary, files *output.Files, del delivered) {
	fmt.Fprintf(w, "faultline: %d tasks: %d succeeded, %d failed, %d skipped, %d cancelled in %.1fs\n",
		s.Tasks, s.Succeeded, s.Failed, s.Skipped, s.Cancel, s.End.Sub(s.Start).Seconds())
	fmt.Fprintf(w, "faultline: %d resources, %d potential single-AZ risks, %d rows written\n", s.Resources, s.Risks, s.Findings)
	fmt.Fprintf(w, "faultline: findings   %s\n", files.Findings.Path())
	if files.JSONL != nil {
		fmt.Fprintf(w, "faultline: jsonl      %s\n", files.JSONL.Path())
	}
	fmt.Fprintf(w, "faultline: run report %s\n", files.Report.Path())
	if del.events != nil {
		fmt.Fprintf(w, "faultline: events     %d published, %d failed\n", del.events.Published, del.events.Failed)
	}
	for _, u := range del.uploaded {
		fmt.Fprintf(w, "faultline: uploaded   %s\n", u)
	}
	var joined interface{ Unwrap() []error }
	if errors.As(del.uploadErr, &joined) {
		for _, e := range joined.Unwrap() {
			fmt.Fprintf(w, "faultline: upload failed (%s): %s\n", account.ErrorCode(e), oneLine(e.Error()))
		}
	}
}
