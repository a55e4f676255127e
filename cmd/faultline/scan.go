package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"

	"github.com/faultline/faultline/account"
	"github.com/faultline/faultline/analysers"
	"github.com/faultline/faultline/internal/inputs"
	"github.com/faultline/faultline/output"
)

// scanOptions is everything `faultline scan` was asked to do, validated.
type scanOptions struct {
	Services            []string // nil: every service
	Regions             []string // nil: every enabled region
	Concurrency         int
	OutputDir           string
	Profile             string
	AssumeRole          string
	LogLevel            zerolog.Level
	LogJSON             bool
	Truncate            bool
	FilenameWithAccount bool
	OnlyRisks           bool
	TaskTimeout         time.Duration
	Retry               account.RetrySettings
}

func scanCommand(onUsageError cli.OnUsageErrorFunc) *cli.Command {
	return &cli.Command{
		Name:         "scan",
		Usage:        "scan accounts x regions x services for single-AZ risks",
		OnUsageError: onUsageError,
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "services", Aliases: []string{"s"}, Usage: "service keys, or ALL (default: ALL)"},
			&cli.StringSliceFlag{Name: "regions", Aliases: []string{"r"}, Usage: "region names, or ALL for the account's enabled regions (default: ALL)"},
			&cli.IntFlag{Name: "max-concurrent-threads", Aliases: []string{"m", "concurrency"}, Value: 20, Usage: "tasks that run at once"},
			&cli.BoolFlag{Name: "single-threaded", Usage: "run one task at a time (same as -m 1)"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "output/", Usage: "folder for the findings CSV and the run report"},
			&cli.StringFlag{Name: "aws-profile", Aliases: []string{"profile"}, Usage: "shared-config profile"},
			&cli.StringFlag{Name: "aws-assume-role", Usage: "role NAME to assume in the caller's account before scanning"},
			&cli.StringFlag{Name: "log-level", Value: "info", Usage: "debug, info, warn or error"},
			&cli.StringFlag{Name: "log-format", Usage: "console or json (default: console on a terminal, json otherwise)"},
			&cli.BoolFlag{Name: "truncate-output", Usage: "replace today's files instead of appending to them"},
			&cli.BoolFlag{Name: "filename-with-accountid", Usage: "put the account ID and name in the file names"},
			&cli.BoolFlag{Name: "report-only-risks", Aliases: []string{"report-only-issues"}, Usage: "write only findings that are potential risks"},
			&cli.DurationFlag{Name: "task-timeout", Value: 5 * time.Minute, Usage: "time limit of one (account, region, service) task"},
			&cli.StringFlag{Name: "retry-mode", Usage: "standard or adaptive (default: AWS_RETRY_MODE, else standard)"},
		},
		Action: func(c *cli.Context) error {
			if c.Args().Len() > 0 {
				return usagef("unexpected argument %q; scan takes only flags (see faultline scan --help)", c.Args().First())
			}
			opts, err := parseScanOptions(c)
			if err != nil {
				return err
			}
			return runScan(c.Context, opts, c.App.ErrWriter)
		},
	}
}

// serviceKeys are the valid --services values, in registry order.
func serviceKeys() []string {
	keys := make([]string, len(analysers.All))
	for i, a := range analysers.All {
		keys[i] = a.Name
	}
	return keys
}

// parseScanOptions validates every flag. Nothing here calls AWS.
func parseScanOptions(c *cli.Context) (scanOptions, error) {
	opts := scanOptions{
		Concurrency: c.Int("max-concurrent-threads"),
		OutputDir:   c.String("output"),
		Profile:     c.String("aws-profile"),
		AssumeRole:  c.String("aws-assume-role"),
		Truncate:    c.Bool("truncate-output"),
		OnlyRisks:   c.Bool("report-only-risks"),
		TaskTimeout: c.Duration("task-timeout"),

		FilenameWithAccount: c.Bool("filename-with-accountid"),
	}
	var err error
	if opts.Services, err = parseServices(c.StringSlice("services")); err != nil {
		return opts, err
	}
	if opts.Regions, err = parseRegions(c.StringSlice("regions")); err != nil {
		return opts, err
	}
	if c.Bool("single-threaded") {
		if c.IsSet("max-concurrent-threads") && opts.Concurrency != 1 {
			return opts, usagef("--single-threaded conflicts with --max-concurrent-threads %d", opts.Concurrency)
		}
		opts.Concurrency = 1
	}
	if opts.Concurrency < 1 {
		return opts, usagef("--max-concurrent-threads must be at least 1, got %d", opts.Concurrency)
	}
	if opts.TaskTimeout <= 0 {
		return opts, usagef("--task-timeout must be positive, got %s", opts.TaskTimeout)
	}
	if strings.TrimSpace(opts.OutputDir) == "" {
		return opts, usagef("--output needs a folder name")
	}
	if c.IsSet("aws-assume-role") {
		if err := inputs.RoleName(opts.AssumeRole); err != nil {
			return opts, usagef("--aws-assume-role %s", err)
		}
	}
	level, err := zerolog.ParseLevel(strings.ToLower(c.String("log-level")))
	if err != nil || !slices.Contains([]zerolog.Level{zerolog.DebugLevel, zerolog.InfoLevel, zerolog.WarnLevel, zerolog.ErrorLevel}, level) {
		return opts, usagef("--log-level must be one of debug, info, warn, error; got %q", c.String("log-level"))
	}
	opts.LogLevel = level
	switch f := c.String("log-format"); f {
	case "":
		opts.LogJSON = !isTerminal(os.Stderr)
	case "console":
	case "json":
		opts.LogJSON = true
	default:
		return opts, usagef("--log-format must be console or json; got %q", f)
	}
	if opts.Retry, err = account.RetryFromEnv(c.String("retry-mode")); err != nil {
		return opts, usagef("%s", err.Error())
	}
	return opts, nil
}

func parseServices(values []string) ([]string, error) {
	items := splitList(values)
	valid := "ALL, " + strings.Join(serviceKeys(), ", ")
	if len(items) == 0 || (len(items) == 1 && items[0] == "ALL") {
		return nil, nil
	}
	if slices.Contains(items, "ALL") {
		return nil, usagef("--services ALL cannot be combined with service names; valid: %s", valid)
	}
	for _, s := range items {
		if _, ok := analysers.ByName(s); !ok {
			return nil, usagef("unknown service %q in --services; valid: %s", s, valid)
		}
	}
	return items, nil
}

func parseRegions(values []string) ([]string, error) {
	items := splitList(values)
	if len(items) == 0 || (len(items) == 1 && items[0] == "ALL") {
		return nil, nil
	}
	if slices.Contains(items, "ALL") {
		return nil, usagef("--regions ALL cannot be combined with region names; use ALL alone or names such as us-east-1")
	}
	for _, r := range items {
		if !inputs.RegionName(r) {
			return nil, usagef("malformed region %q in --regions; use ALL or region names such as us-east-1, eu-west-2", r)
		}
	}
	return items, nil
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func newLogger(opts scanOptions, w io.Writer) zerolog.Logger {
	if !opts.LogJSON {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.TimeOnly}
	}
	return zerolog.New(w).Level(opts.LogLevel).With().Timestamp().Logger()
}

// selectedAnalysers returns the analysers for opts.Services in registry order.
func selectedAnalysers(services []string) []analysers.Analyser {
	if services == nil {
		return analysers.All
	}
	var out []analysers.Analyser
	for _, a := range analysers.All {
		if slices.Contains(services, a.Name) {
			out = append(out, a)
		}
	}
	return out
}

// runScan does the scan: set up the caller's account, run every task, write
// the files, print the summary.
func runScan(ctx context.Context, opts scanOptions, stderr io.Writer) error {
	log := newLogger(opts, stderr)
	if err := output.PrepareDir(opts.OutputDir); err != nil {
		return usagef("%s", err.Error())
	}

	acct, err := setUpCallerAccount(ctx, opts, log)
	if err != nil {
		return err
	}

	stem := output.FileStem(time.Now(), opts.FilenameWithAccount, acct.ID, acct.Name)
	files, err := output.OpenFiles(opts.OutputDir, stem, opts.Truncate)
	if err != nil {
		return &codedError{exitError, err}
	}

	tasks := account.Tasks([]*account.Account{acct}, selectedAnalysers(opts.Services))
	log.Info().Int("tasks", len(tasks)).Int("regions", len(acct.Regions)).Int("concurrency", opts.Concurrency).Msg("scan started")
	sum := account.Run(ctx, tasks, account.Options{
		Concurrency: opts.Concurrency, TaskTimeout: opts.TaskTimeout, OnlyRisks: opts.OnlyRisks, Log: log,
	}, files)
	if sum.WriteErr == nil {
		sum.WriteErr = files.WriteTask(account.OverallRow(acct.ID, sum))
	}
	if sum.WriteErr != nil {
		files.Abort()
		return &codedError{exitError, fmt.Errorf("writing the output failed, existing files were left as they were: %w", sum.WriteErr)}
	}
	if err := files.Commit(); err != nil {
		return &codedError{exitError, err}
	}
	printSummary(stderr, sum, files)

	switch {
	case ctx.Err() != nil:
		return &codedError{exitInterrupted, errInterrupted}
	case sum.Failed > 0:
		return &codedError{exitPartial, fmt.Errorf("%d of %d tasks failed; see %s", sum.Failed, sum.Tasks, files.Report.Path())}
	}
	return nil
}

// setUpCallerAccount resolves who is scanning, where, and under which names.
func setUpCallerAccount(ctx context.Context, opts scanOptions, log zerolog.Logger) (*account.Account, error) {
	cfg, err := account.LoadConfig(ctx, opts.Profile, opts.Retry)
	if err != nil {
		return nil, &codedError{exitError, fmt.Errorf("cannot load AWS configuration: %w", err)}
	}
	id, err := account.Identify(ctx, cfg)
	if err != nil {
		return nil, &codedError{exitError, fmt.Errorf("cannot identify the caller (are credentials configured?): %w", err)}
	}
	if opts.AssumeRole != "" {
		cfg = account.AssumeRole(cfg, account.RoleARN(id.Partition, id.Account, opts.AssumeRole), "faultline", "", 0)
		if id, err = account.Identify(ctx, cfg); err != nil {
			return nil, &codedError{exitError, fmt.Errorf("cannot assume role %s: %w", opts.AssumeRole, err)}
		}
	}
	acct := &account.Account{ID: id.Account, Partition: id.Partition, Config: cfg}
	if names, err := account.LookupOrg(ctx, cfg, id.Account); err != nil {
		log.Debug().Str("code", account.ErrorCode(err)).Msg("account name and payer not readable from Organizations; columns left empty")
	} else {
		acct.Name, acct.PayerID, acct.PayerName = names.AccountName, names.PayerID, names.PayerName
	}
	enabled, err := account.EnabledRegions(ctx, cfg)
	switch {
	case err != nil && opts.Regions == nil:
		return nil, &codedError{exitError, fmt.Errorf("cannot list the account's regions for --regions ALL: %w", err)}
	case err != nil:
		log.Warn().Str("code", account.ErrorCode(err)).Msg("cannot list enabled regions; scanning the regions given without checking them")
		acct.Regions = opts.Regions
	case opts.Regions == nil:
		acct.Regions = enabled
	default:
		for _, r := range opts.Regions {
			if !slices.Contains(enabled, r) {
				return nil, usagef("region %q is not enabled in account %s; enabled: %s", r, id.Account, strings.Join(enabled, ", "))
			}
		}
		acct.Regions = opts.Regions
	}
	return acct, nil
}

func printSummary(w io.Writer, s account.Summary, files *output.Files) {
	fmt.Fprintf(w, "faultline: %d tasks: %d succeeded, %d failed, %d skipped, %d cancelled in %.1fs\n",
		s.Tasks, s.Succeeded, s.Failed, s.Skipped, s.Cancel, s.End.Sub(s.Start).Seconds())
	fmt.Fprintf(w, "faultline: %d resources, %d potential single-AZ risks, %d rows written\n", s.Resources, s.Risks, s.Findings)
	fmt.Fprintf(w, "faultline: findings   %s\n", files.Findings.Path())
	fmt.Fprintf(w, "faultline: run report %s\n", files.Report.Path())
}
