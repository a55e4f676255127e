package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/rs/zerolog"

	"github.com/faultline/faultline/account"
	"github.com/faultline/faultline/delivery"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/output"
)

// runScan does the scan: find the accounts and set them up (or read them
// from a snapshot), run every task, write the files, deliver them, print
// the summary.
func runScan(ctx context.Context, opts scanOptions, stderr io.Writer) error {
	// On a terminal a progress bar runs, and the log writes above it.
	var prog *progress
	logOut := stderr
	if tty := terminalOf(stderr); tty != nil {
		prog = newProgress(tty)
		logOut = prog
	}
	log := newLogger(opts, logOut)
	undoDir, err := output.PrepareNewDir(opts.OutputDir)
	if err != nil {
		return usagef("%s", err.Error())
	}
	muter := activeMutelist(opts.Mutelist, time.Now(), func(format string, args ...any) {
		fmt.Fprintf(stderr, "faultline: "+format+"\n", args...)
	})
	est, set, err := prepareEstate(ctx, opts, log)
	if err != nil {
		undoDir() // nothing was written: a folder this run created goes
		return err
	}

	stem := output.FileStem(time.Now(), opts.FilenameWithAccount, est.Caller.Account, est.Org.Name(est.Caller.Account))
	if opts.Shard.active() {
		stem += fmt.Sprintf("_shard_%d_of_%d", opts.Shard.K, opts.Shard.N)
	}
	files, err := output.OpenFiles(opts.OutputDir, stem, opts.Truncate, opts.JSONL)
	if err == nil && opts.OCSF {
		err = files.OpenOCSF(opts.OutputDir, stem, opts.Truncate, ocsfProduct(), checkText)
	}
	if err == nil && opts.HTML {
		files.OpenHTML(opts.OutputDir, stem, ocsfProduct(), time.Now)
	}
	if err != nil {
		undoDir()
		return &codedError{exitError, err}
	}
	tally := &scanTally{sink: files, failOn: opts.FailOn, progress: prog}
	for _, row := range est.SetupRows {
		if err := tally.WriteTask(row); err != nil {
			files.Abort()
			return &codedError{exitError, err}
		}
	}

	tasks := account.Tasks(est.Accounts, selectedAnalysers(opts.Services))
	log.Info().Int("accounts", len(est.Accounts)).Int("tasks", len(tasks)).Int("concurrency", opts.Concurrency).Msg("scan started")
	if prog != nil {
		prog.start(len(tasks))
	}
	sum := account.Run(ctx, tasks, account.Options{
		Concurrency: opts.Concurrency, TaskTimeout: opts.TaskTimeout, OnlyRisks: opts.OnlyRisks, Log: log, Inventory: set,
		Filter: rowFilter(opts, muter),
	}, tally)
	if prog != nil {
		prog.finish()
	}
	sum.Tasks += len(est.SetupRows)
	sum.Failed += len(est.SetupRows)

	del, err := finishFiles(ctx, opts, est, files, &sum, log)
	if err != nil {
		return err
	}
	printSummary(stderr, sum, files, del)
	if opts.Mutelist != nil {
		fmt.Fprintf(stderr, "faultline: muted      %s (%s) by %s\n", plural(tally.muted, "row"), plural(tally.mutedRisks, "risk"), opts.Mutelist.Path)
	}
	if prog != nil {
		renderTerminalReport(stderr, tally.report(files.Findings.Path()))
	}

	// An incomplete scan (4) wins over --fail-on (3): its answer is partial.
	var gate string
	if tally.failing > 0 {
		gate = fmt.Sprintf("%s at or above %s written (--fail-on %s); see %s", plural(tally.failing, "unmuted risk"), opts.FailOn, opts.FailOn, files.Findings.Path())
	}
	also := ""
	if gate != "" {
		also = "; also " + gate
	}
	switch {
	case ctx.Err() != nil:
		return &codedError{exitInterrupted, errInterrupted}
	case sum.Failed > 0:
		return &codedError{exitIncomplete, fmt.Errorf("%d of %d tasks failed; see %s%s", sum.Failed, sum.Tasks, files.Report.Path(), also)}
	case del.uploadErr != nil:
		return &codedError{exitIncomplete, fmt.Errorf("upload failed (%s), the local files are complete: %w%s", account.ErrorCode(del.uploadErr), del.uploadErr, also)}
	case del.events != nil && del.events.Failed > 0:
		return &codedError{exitIncomplete, fmt.Errorf("%d findings were not published to %s: %w%s", del.events.Failed, opts.EventBusARN, del.events.FirstError, also)}
	case del.hub != nil && del.hub.Failed > 0:
		return &codedError{exitIncomplete, fmt.Errorf("%d risks were not imported into Security Hub: %w%s", del.hub.Failed, del.hub.FirstError, also)}
	case gate != "":
		return &codedError{exitRisks, errors.New(gate)}
	}
	return nil
}

// prepareEstate sets up the accounts live, or reads them from --snapshot
// (then no API call is made at all), with the inventory set the tasks use.
func prepareEstate(ctx context.Context, opts scanOptions, log zerolog.Logger) (*account.Estate, *inventory.Set, error) {
	req := opts.request(log)
	if opts.Snapshot != nil {
		est, err := account.FromSnapshot(opts.Snapshot, req)
		if err != nil {
			return nil, nil, estateError(err)
		}
		return est, inventory.NewFromSnapshot(opts.Snapshot), nil
	}
	est, err := account.Prepare(ctx, req)
	if err != nil {
		return nil, nil, estateError(err)
	}
	return est, inventory.NewLive(), nil
}

// estateError gives Prepare's errors their exit codes.
func estateError(err error) error {
	var usage *account.UsageError
	switch {
	case errors.As(err, &usage):
		return usagef("%s", usage.Msg)
	case errors.Is(err, account.ErrInterrupted):
		return &codedError{exitInterrupted, errInterrupted}
	}
	return &codedError{exitError, err}
}

// request is the accounts and regions opts asks for.
func (opts scanOptions) request(log zerolog.Logger) account.Request {
	return account.Request{
		Profile: opts.Profile, Retry: opts.Retry,
		Accounts: opts.Accounts, AllAccounts: opts.AllAccounts, ExcludeAccounts: opts.ExcludeAccounts,
		AssumeRole: opts.AssumeRole, ExternalID: opts.ExternalID, SessionName: opts.SessionName, RoleDuration: opts.RoleDuration,
		Regions: opts.Regions, Pick: opts.Shard.pick, Log: log,
	}
}

// delivered is what the delivery step did.
type delivered struct {
	events    *delivery.Publisher
	hub       *delivery.SecurityHub
	uploaded  []string
	uploadErr error
}

// finishFiles commits the findings, publishes them, writes the Overall row,
// commits the report, then uploads everything: each step only once the
// files it reads are complete.
func finishFiles(ctx context.Context, opts scanOptions, est *account.Estate, files *output.Files, sum *account.Summary, log zerolog.Logger) (delivered, error) {
	base, callerID := est.Base, est.Caller.Account
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
	if opts.SecurityHub {
		del.hub = newSecurityHub(est.Accounts)
		if err := del.hub.ImportCSV(deliverCtx, files.Findings.Path(), files.Findings.NewRowsOffset); err != nil {
			log.Error().Err(err).Msg("reading the findings back for Security Hub failed")
			del.hub.Failed++
			if del.hub.FirstError == nil {
				del.hub.FirstError = err
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
	written := fmt.Sprintf("%d rows written", s.Findings)
	if files.Findings.Appended {
		written = fmt.Sprintf("appended %d rows, file has %d", s.Findings, files.Findings.KeptRows+s.Findings)
	}
	fmt.Fprintf(w, "faultline: %d resources, %d potential single-AZ risks, %s\n", s.Resources, s.Risks, written)
	fmt.Fprintf(w, "faultline: findings   %s\n", files.Findings.Path())
	if files.JSONL != nil {
		fmt.Fprintf(w, "faultline: jsonl      %s\n", files.JSONL.Path())
	}
	if files.OCSF != nil {
		fmt.Fprintf(w, "faultline: ocsf       %s\n", files.OCSF.Path())
	}
	if files.HTML != nil {
		fmt.Fprintf(w, "faultline: html       %s\n", files.HTML.Path())
	}
	fmt.Fprintf(w, "faultline: run report %s\n", files.Report.Path())
	if del.events != nil {
		fmt.Fprintf(w, "faultline: events     %d published, %d failed\n", del.events.Published, del.events.Failed)
	}
	if del.hub != nil {
		fmt.Fprintf(w, "faultline: security hub: %d imported, %d failed\n", del.hub.Imported, del.hub.Failed)
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
