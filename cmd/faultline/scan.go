package main

import (
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
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/mutelist"
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

	// Organisation (issue 3). Accounts nil and AllAccounts false: the
	// caller's account only.
	Accounts        []string
	AllAccounts     bool
	ExcludeAccounts []string
	ExternalID      string
	SessionName     string
	RoleDuration    time.Duration
	Shard           shard

	// Delivery.
	Bucket      string
	BucketOwner string
	KMSKeyID    string
	EventBusARN string
	EventRegion string
	JSONL       bool
	OCSF        bool // --format ocsf: <stem>.ocsf.jsonl
	SecurityHub bool // --security-hub
	HTML        bool // --format html: <stem>.html

	// Snapshot, when set, is read instead of AWS (--snapshot DIR).
	Snapshot *inventory.Snapshot

	// Selection (scanselect.go). Checks and Severities nil: every row is
	// written; FailOn "": no gate.
	Checks     map[string]bool
	Severities map[string]bool
	Mutelist   *mutelist.List
	FailOn     analysers.Severity
}

// shard is --shard K/N: scan the accounts at sorted positions p with
// p mod N == K-1. The zero value scans everything.
type shard struct{ K, N int }

func (s shard) active() bool { return s.N > 1 }

func (s shard) pick(ids []string) []string {
	if !s.active() {
		return ids
	}
	var out []string
	for i, id := range ids {
		if i%s.N == s.K-1 {
			out = append(out, id)
		}
	}
	return out
}

func scanCommand(onUsageError cli.OnUsageErrorFunc) *cli.Command {
	return &cli.Command{
		Name:         "scan",
		Usage:        "scan accounts x regions x services for single-AZ risks",
		OnUsageError: onUsageError,
		Flags: append([]cli.Flag{
			&cli.StringSliceFlag{Name: "services", Aliases: []string{"s"}, Usage: "service keys, or ALL (default: ALL)"},
			&cli.StringSliceFlag{Name: "regions", Aliases: []string{"r"}, Usage: "region names, or ALL for the account's enabled regions (default: ALL)"},
			&cli.IntFlag{Name: "max-concurrent-threads", Aliases: []string{"m", "concurrency"}, Value: 20, Usage: "tasks that run at once"},
			&cli.BoolFlag{Name: "single-threaded", Usage: "run one task at a time (same as -m 1)"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "output/", Usage: "folder for the findings CSV and the run report"},
			&cli.StringFlag{Name: "aws-profile", Aliases: []string{"profile"}, Usage: "shared-config profile"},
			&cli.StringFlag{Name: "aws-assume-role", Usage: "role NAME to assume in every scanned account (without --accounts: in the caller's own)"},
			&cli.StringFlag{Name: "log-level", Value: "info", Usage: "debug, info, warn or error"},
			&cli.StringFlag{Name: "log-format", Usage: "console or json (default: console on a terminal, json otherwise)"},
			&cli.BoolFlag{Name: "truncate-output", Usage: "replace today's files instead of appending to them"},
			&cli.BoolFlag{Name: "filename-with-accountid", Usage: "put the account ID and name in the file names"},
			&cli.BoolFlag{Name: "report-only-risks", Aliases: []string{"report-only-issues"}, Usage: "write only findings that are potential risks"},
			&cli.DurationFlag{Name: "task-timeout", Value: 5 * time.Minute, Usage: "time limit of one (account, region, service) task"},
			&cli.StringFlag{Name: "retry-mode", Usage: "standard or adaptive (default: AWS_RETRY_MODE, else standard)"},

			&cli.StringSliceFlag{Name: "accounts", Usage: "account IDs to scan, or ALL for every ACTIVE account of the organization (default: the caller's)"},
			&cli.StringFlag{Name: "accounts-file", Usage: "file of account IDs to scan, one per line, # comments"},
			&cli.StringSliceFlag{Name: "exclude-accounts", Usage: "account IDs not to scan"},
			&cli.StringFlag{Name: "external-id", Usage: "ExternalId for --aws-assume-role"},
			&cli.StringFlag{Name: "role-session-name", Value: "faultline", Usage: "session name for --aws-assume-role"},
			&cli.DurationFlag{Name: "assume-role-duration", Usage: "session duration for --aws-assume-role, 15m to 12h; credentials are refreshed before they expire", DefaultText: "1h, set by STS"},
			&cli.StringFlag{Name: "shard", Usage: "K/N: scan only the accounts at sorted positions K-1 modulo N"},

			&cli.StringFlag{Name: "bucket", Aliases: []string{"b"}, Usage: "upload the files to s3://BUCKET/<output folder>/"},
			&cli.StringFlag{Name: "bucket-owner", Usage: "account that must own --bucket (default: the caller's)"},
			&cli.StringFlag{Name: "sse-kms-key-id", Usage: "encrypt uploads with this KMS key (default: SSE-S3)"},
			&cli.StringFlag{Name: "event-bus-arn", Usage: "publish the findings to this EventBridge bus"},
			&cli.BoolFlag{Name: "security-hub", Usage: "import the unmuted risks into each account's Security Hub (BatchImportFindings, ASFF)"},
			&cli.StringSliceFlag{Name: "format", Usage: "findings formats: csv (always written), jsonl, ocsf (OCSF 1.4.0 Detection Findings, <name>.ocsf.jsonl) and html (one self-contained page)"},
			&cli.StringFlag{Name: "snapshot", Usage: "read the estate from a folder written by faultline collect: no API call is made"},
		}, selectionFlags()...),
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
	if err := parseOrgOptions(c, &opts); err != nil {
		return opts, err
	}
	if err := parseDeliveryOptions(c, &opts); err != nil {
		return opts, err
	}
	if c.IsSet("snapshot") {
		if err := openSnapshotOption(c, &opts); err != nil {
			return opts, err
		}
	}
	if err := parseSelection(c, &opts); err != nil {
		return opts, err
	}
	return opts, nil
}

// openSnapshotOption opens --snapshot DIR and checks what it can serve:
// the services asked must have been collected (ALL means the collected
// ones), and no flag that needs AWS may go with it.
func openSnapshotOption(c *cli.Context, opts *scanOptions) error {
	snap, err := inventory.OpenSnapshot(c.String("snapshot"))
	if err != nil {
		return usagef("--snapshot: %s", err)
	}
	for _, f := range []string{"aws-profile", "aws-assume-role", "accounts-file", "bucket", "event-bus-arn", "security-hub"} {
		if c.IsSet(f) {
			return usagef("--%s cannot go with --snapshot, which makes no API call", f)
		}
	}
	if opts.AllAccounts {
		opts.AllAccounts = false // every account of the snapshot
	}
	if opts.Services == nil {
		opts.Services = snap.Manifest.Services
	}
	for _, s := range opts.Services {
		if !slices.Contains(snap.Manifest.Services, s) {
			return usagef("--snapshot %s was collected for %s, not %s: collect it again with --services %s",
				snap.Dir, strings.Join(snap.Manifest.Services, ", "), s, s)
		}
	}
	opts.Snapshot = snap
	return nil
}

func parseServices(values []string) ([]string, error) {
	items := splitList(values)
	valid := "ALL, " + strings.Join(serviceKeys(), ", ")
	if len(values) > 0 && len(items) == 0 { // -s "": a mistake, not ALL
		return nil, usagef("--services needs at least one service key or ALL")
	}
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
	if len(values) > 0 && len(items) == 0 { // -r "": a mistake, not ALL
		return nil, usagef("--regions needs at least one region name or ALL")
	}
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
