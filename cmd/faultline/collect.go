package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/faultline/faultline/account"
	"github.com/faultline/faultline/analysers"
	"github.com/faultline/faultline/flows"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/output"
	"github.com/faultline/faultline/reach"
)

// collectDefaultOutput is collect's -o default.
const collectDefaultOutput = "snapshot/"

// collectReportName is the run report collect writes into the snapshot.
const collectReportName = "collect_run_report.csv"

// collectFlagNames are the scan flags collect takes: which accounts,
// regions and services to read, and how.
var collectFlagNames = []string{
	"services", "regions", "max-concurrent-threads", "single-threaded", "output", "aws-profile", "aws-assume-role",
	"log-level", "log-format", "task-timeout", "retry-mode",
	"accounts", "accounts-file", "exclude-accounts", "external-id", "role-session-name", "assume-role-duration", "shard",
}

func collectCommand(onUsageError cli.OnUsageErrorFunc) *cli.Command {
	var flags []cli.Flag
	for _, f := range scanCommand(onUsageError).Flags {
		if !slices.Contains(collectFlagNames, f.Names()[0]) {
			continue
		}
		if out, ok := f.(*cli.StringFlag); ok && out.Name == "output" {
			out.Value = collectDefaultOutput
			out.Usage = "snapshot folder (created if missing); its files are replaced"
		}
		flags = append(flags, f)
	}
	return &cli.Command{
		Name:  "collect",
		Usage: "read accounts x regions x services once into a snapshot folder, for scan, reach and flows --snapshot",
		Description: "Reads what a scan of the same flags reads, and the network inventory reach and flows need, into\n" +
			"one gzip JSON file per account and region (mode 0600) and a manifest.json. `faultline scan --snapshot DIR`\n" +
			"(and reach, flows) then run on it without any API call and give the findings the live run gives.",
		OnUsageError: onUsageError,
		Flags:        flags,
		Action: func(c *cli.Context) error {
			if c.Args().Len() > 0 {
				return usagef("unexpected argument %q; collect takes only flags (see faultline collect --help)", c.Args().First())
			}
			opts, err := parseScanOptions(c)
			if err != nil {
				return err
			}
			return runCollect(c.Context, opts, c.App.ErrWriter)
		},
	}
}

// runCollect sets the accounts up, runs the selected analysers and the
// network inventory on live scopes, and writes each account's scopes as soon
// as its tasks are done (memory holds only the accounts in progress); the
// manifest goes last, so a folder with a manifest is complete.
func runCollect(ctx context.Context, opts scanOptions, stderr io.Writer) error {
	log := newLogger(opts, stderr)
	undoDir, err := output.PrepareNewDir(opts.OutputDir)
	if err != nil {
		return usagef("%s", err.Error())
	}
	est, err := account.Prepare(ctx, opts.request(log))
	if err != nil {
		undoDir() // nothing was written: a folder this run created goes
		return estateError(err)
	}
	report, err := output.CreateCSV[output.ReportRow](filepath.Join(opts.OutputDir, collectReportName), false)
	if err != nil {
		return &codedError{exitError, err}
	}
	for _, row := range est.SetupRows {
		if err := report.Write(row); err != nil {
			report.Abort()
			return &codedError{exitError, err}
		}
	}
	list := selectedAnalysers(opts.Services)
	var services []string
	for _, a := range list {
		services = append(services, a.Name)
	}
	tasks := account.Tasks(est.Accounts, append(list, collectAnalysers...))
	log.Info().Int("accounts", len(est.Accounts)).Int("tasks", len(tasks)).Str("folder", opts.OutputDir).Msg("collect started")

	var mu sync.Mutex
	var writeErr error
	written := 0
	sum := account.Run(ctx, tasks, account.Options{
		Concurrency: opts.Concurrency, TaskTimeout: opts.TaskTimeout, Log: log, Inventory: inventory.NewLive(),
		AccountDone: func(id string, scopes []*inventory.Scope) {
			for _, s := range scopes {
				err := inventory.WriteScope(opts.OutputDir, s, account.ErrorCode)
				mu.Lock()
				if err != nil && writeErr == nil {
					writeErr = err
				}
				if err == nil {
					written++
				}
				mu.Unlock()
			}
		},
	}, reportSink{report})
	sum.Tasks += len(est.SetupRows)
	sum.Failed += len(est.SetupRows)
	if sum.WriteErr == nil {
		sum.WriteErr = writeErr
	}
	if sum.WriteErr != nil {
		report.Abort()
		return &codedError{exitError, fmt.Errorf("writing the snapshot failed: %w", sum.WriteErr)}
	}
	if ctx.Err() != nil {
		// An interrupted collection is not a snapshot: no manifest.
		report.Abort()
		return &codedError{exitInterrupted, errInterrupted}
	}
	if err := report.Write(account.OverallRow(est.Caller.Account, sum)); err != nil {
		report.Abort()
		return &codedError{exitError, err}
	}
	if err := report.Commit(); err != nil {
		return &codedError{exitError, err}
	}
	m, err := est.Manifest(version, services, time.Now())
	if err == nil {
		err = inventory.WriteManifest(opts.OutputDir, m)
	}
	if err != nil {
		return &codedError{exitError, err}
	}
	fmt.Fprintf(stderr, "faultline: %d tasks: %d succeeded, %d failed, %d skipped in %s\n",
		sum.Tasks, sum.Succeeded, sum.Failed, sum.Skipped, sum.End.Sub(sum.Start).Round(time.Millisecond))
	fmt.Fprintf(stderr, "faultline: snapshot   %s (%d accounts, %d account x region files, %d API calls)\n",
		opts.OutputDir, len(est.Accounts), written, sum.APICalls)
	fmt.Fprintf(stderr, "faultline: run report %s\n", report.Path())
	if sum.Failed > 0 {
		return &codedError{exitPartial, fmt.Errorf("%d of %d tasks failed; their reads are recorded as failed and a scan of the snapshot reports them; see %s", sum.Failed, sum.Tasks, report.Path())}
	}
	return nil
}

// reportSink keeps the run report of a collection; its findings are not
// written (a scan of the snapshot makes them).
type reportSink struct {
	report *output.CSVFile[output.ReportRow]
}

func (reportSink) WriteFinding(output.FindingRow) error   { return nil }
func (r reportSink) WriteTask(row output.ReportRow) error { return r.report.Write(row) }

// collectAnalysers read, beside the selected services, what reach and flows
// need of every account and region. They are not in analysers.All: no scan
// runs them and `faultline services` does not list them.
var collectAnalysers = []analysers.Analyser{collectNetwork}

// collectNetwork is one task per account and region that reads every kind
// reach and flows read (the network and the resources they place on it),
// so that `reach --snapshot` and `flows --snapshot` answer as live. It has
// no checks and emits nothing. Every kind is read whatever the others do,
// and each outcome, a refusal included, is recorded in the snapshot, where
// reach and flows judge it as they would live (a refused kind is unreadable
// there, not a failed collection). The task fails with the first error that
// is not a refusal, so that the run report shows what the snapshot lacks.
var collectNetwork = analysers.Analyser{
	Name:  "network",
	Kinds: networkKinds(),
	Run: func(ctx context.Context, s *inventory.Scope, _ analysers.Emit) error {
		var first error
		for _, k := range networkKinds() {
			if err := k.Read(ctx, s); err != nil && !inventory.IsAccessDenied(err) && first == nil {
				first = fmt.Errorf("%s: %w", k.KindName(), err)
			}
		}
		return first
	},
}

// networkKinds are the kinds of reach and flows, each once.
func networkKinds() []inventory.Loader {
	var out []inventory.Loader
	seen := map[string]bool{}
	for _, k := range append(append([]inventory.Loader{}, reach.Kinds...), flows.Kinds...) {
		if !seen[k.KindName()] {
			seen[k.KindName()] = true
			out = append(out, k)
		}
	}
	return out
}
