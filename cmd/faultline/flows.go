package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"
	"golang.org/x/sync/errgroup"

	"github.com/faultline/faultline/account"
	"github.com/faultline/faultline/delivery"
	"github.com/faultline/faultline/flows"
	"github.com/faultline/faultline/internal/inputs"
	"github.com/faultline/faultline/inventory"
)

// flowsOptions is everything `faultline flows` was asked, validated.
type flowsOptions struct {
	Files          []string
	S3Bucket       string
	S3Prefix       string
	LogGroup       string
	Start, End     time.Time
	Format         flows.Format
	FormatGiven    bool
	CSV            bool
	Summary        string // "", cross-az, talkers, services
	By             string
	Top            int
	PricePerGB     float64
	Window         time.Duration
	Ranges         *flows.IPRanges
	RangesFile     string // --ip-ranges; "" for the copy built in
	AthenaDDL      bool
	AthenaTable    string
	AthenaLocation string
	NoInventory    bool

	Region      string // log group and bucket; default inventory region
	Regions     []string
	Profile     string
	Accounts    []string
	AssumeRole  string
	ExternalID  string
	SessionName string
	// Snapshot, when set, is read instead of AWS (--snapshot DIR).
	Snapshot *inventory.Snapshot
}

func flowsCommand(onUsageError cli.OnUsageErrorFunc) *cli.Command {
	return &cli.Command{
		Name:  "flows",
		Usage: "enrich VPC flow logs with the resources behind each address; cross-AZ traffic, top talkers, AWS services",
		UsageText: "faultline flows [flags] [FILE ...]   (FILE: flow-log text, plain or .gz; - for stdin)\n" +
			"   faultline flows [flags] --s3 s3://BUCKET/PREFIX\n" +
			"   faultline flows [flags] --log-group NAME [--start T] [--end T]\n" +
			"   faultline flows --athena-ddl [--athena-location s3://BUCKET/PREFIX/]\n" +
			"   Put FILEs after -- when the last flag is --accounts or --regions.",
		OnUsageError: onUsageError,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "s3", Usage: "read every .log.gz under s3://BUCKET/PREFIX (the AWSLogs layout)"},
			&cli.StringFlag{Name: "log-group", Usage: "read a CloudWatch Logs group of flow logs"},
			&cli.StringFlag{Name: "start", Usage: "with --log-group: first event time, RFC 3339 or Unix seconds"},
			&cli.StringFlag{Name: "end", Usage: "with --log-group: last event time, RFC 3339 or Unix seconds"},
			&cli.StringFlag{Name: "log-format", Usage: "the flow logs' format, '${version} ${account-id} ...' (default: the header line of each file, DescribeFlowLogs for --log-group, else AWS's v2 format)"},
			&cli.StringFlag{Name: "format", Value: "jsonl", Usage: "jsonl or csv"},
			&cli.StringFlag{Name: "summary", Usage: "cross-az, talkers or services instead of records"},
			&cli.StringFlag{Name: "by", Value: "type", Usage: "with --summary talkers: tag:KEY, type or vpc"},
			&cli.IntFlag{Name: "top", Value: 20, Usage: "with --summary talkers: how many pairs (0: all)"},
			&cli.Float64Flag{Name: "price-per-gb", Value: 0.01, Usage: "with --summary cross-az: USD per GB (2^30 bytes) in each direction"},
			&cli.DurationFlag{Name: "window", Value: 10 * time.Minute, Usage: "aggregation window: both directions of a connection whose records start in one window are merged"},
			&cli.StringFlag{Name: "ip-ranges", Usage: "ip-ranges.json to name AWS services (default: the copy of AWS's file built in; each run says its date)"},
			&cli.BoolFlag{Name: "athena-ddl", Usage: "print the Athena table for enriched JSONL and exit"},
			&cli.StringFlag{Name: "athena-table", Value: "vpc_flows_enriched", Usage: "with --athena-ddl: table name"},
			&cli.StringFlag{Name: "athena-location", Value: "s3://BUCKET/PREFIX/", Usage: "with --athena-ddl: where the JSONL files are"},
			&cli.BoolFlag{Name: "no-inventory", Usage: "read no network inventory: addresses get only ip-ranges and RFC 1918 facts"},

			&cli.StringFlag{Name: "region", Usage: "region of the log group or bucket, and the inventory's region without --regions (default: the profile's)"},
			&cli.StringSliceFlag{Name: "regions", Aliases: []string{"r"}, Usage: "regions whose network inventory resolves addresses (default: --region)"},
			&cli.StringFlag{Name: "aws-profile", Aliases: []string{"profile"}, Usage: "shared-config profile"},
			&cli.StringSliceFlag{Name: "accounts", Usage: "account IDs whose interfaces resolve addresses (default: the caller's)"},
			&cli.StringFlag{Name: "aws-assume-role", Usage: "role NAME to assume in every account read (without --accounts: in the caller's own)"},
			&cli.StringFlag{Name: "external-id", Usage: "ExternalId for --aws-assume-role"},
			&cli.StringFlag{Name: "role-session-name", Value: "faultline", Usage: "session name for --aws-assume-role"},
			&cli.StringFlag{Name: "snapshot", Usage: "read the accounts' inventory from a folder written by faultline collect: no API call is made"},
		},
		Action: func(c *cli.Context) error {
			opts, err := parseFlowsOptions(c)
			if err != nil {
				return err
			}
			return runFlows(c.Context, opts, os.Stdin, c.App.Writer, c.App.ErrWriter)
		},
	}
}

// parseFlowsOptions validates every flag and reads the local files it names
// (--ip-ranges). Nothing here calls AWS.
func parseFlowsOptions(c *cli.Context) (flowsOptions, error) {
	o := flowsOptions{Files: c.Args().Slice(), LogGroup: c.String("log-group"), Summary: c.String("summary"), By: c.String("by"),
		Top: c.Int("top"), PricePerGB: c.Float64("price-per-gb"), Window: c.Duration("window"), AthenaDDL: c.Bool("athena-ddl"),
		AthenaTable: c.String("athena-table"), AthenaLocation: c.String("athena-location"), NoInventory: c.Bool("no-inventory"),
		Region: c.String("region"), Profile: c.String("aws-profile"), AssumeRole: c.String("aws-assume-role"),
		ExternalID: c.String("external-id"), SessionName: c.String("role-session-name")}
	if o.AthenaDDL {
		if len(o.Files) > 0 || c.IsSet("s3") || c.IsSet("log-group") {
			return o, usagef("--athena-ddl prints the table definition only; it takes no input")
		}
		if !strings.HasPrefix(o.AthenaLocation, "s3://") {
			return o, usagef("--athena-location must be s3://BUCKET/PREFIX/; got %q", o.AthenaLocation)
		}
		if !athenaName(o.AthenaTable) {
			return o, usagef("--athena-table must be letters, digits and _; got %q", o.AthenaTable)
		}
		return o, nil
	}
	if n := countOf(o.Files, "-"); n > 1 {
		return o, usagef("- (standard input) can be given once")
	}
	for _, f := range o.Files {
		if f == "-" {
			continue
		}
		if st, err := os.Stat(f); err != nil {
			return o, usagef("cannot read %s: %s", f, errText(err))
		} else if st.IsDir() {
			return o, usagef("%s is a folder; give flow-log files", f)
		}
	}
	// Before the input checks: a file folded into --accounts by the list
	// flag syntax gets a message that says so.
	o.Accounts = splitList(c.StringSlice("accounts"))
	if c.IsSet("accounts") && len(o.Accounts) == 0 {
		return o, usagef("--accounts needs account IDs")
	}
	for _, id := range o.Accounts {
		if err := inputs.AccountID(id); err != nil {
			if _, serr := os.Stat(id); serr == nil {
				return o, usagef("%q in --accounts is a file: put files after -- (faultline flows --accounts ID ... -- FILE)", id)
			}
			return o, usagef("%s in --accounts", err)
		}
	}
	if u := c.String("s3"); c.IsSet("s3") {
		b, p, err := flows.ParseS3URL(u)
		if err != nil {
			return o, usagef("--s3 %s", err)
		}
		if err := inputs.BucketName(b); err != nil {
			return o, usagef("--s3 %s", err)
		}
		o.S3Bucket, o.S3Prefix = b, p
	}
	if c.IsSet("log-group") && strings.TrimSpace(o.LogGroup) == "" {
		return o, usagef("--log-group needs a log group name")
	}
	if len(o.Files) == 0 && o.S3Bucket == "" && o.LogGroup == "" {
		return o, usagef("no input: give flow-log FILEs, - for stdin, --s3 s3://BUCKET/PREFIX or --log-group NAME")
	}
	for _, name := range []string{"start", "end"} {
		if !c.IsSet(name) {
			continue
		}
		if o.LogGroup == "" {
			return o, usagef("--%s applies to --log-group only (files and S3 objects are read whole)", name)
		}
		t, err := parseTime(c.String(name))
		if err != nil {
			return o, usagef("--%s %s", name, err)
		}
		if name == "start" {
			o.Start = t
		} else {
			o.End = t
		}
	}
	if !o.Start.IsZero() && !o.End.IsZero() && !o.End.After(o.Start) {
		return o, usagef("--end must be after --start")
	}
	if c.IsSet("log-format") {
		f, err := flows.ParseFormat(c.String("log-format"))
		if err != nil {
			return o, usagef("--log-format %s", err)
		}
		o.Format, o.FormatGiven = f, true
	} else {
		o.Format = flows.DefaultFormat
	}
	switch f := c.String("format"); f {
	case "jsonl":
	case "csv":
		o.CSV = true
	default:
		return o, usagef("--format must be jsonl or csv; got %q", f)
	}
	switch o.Summary {
	case "", "cross-az", "services":
		if c.IsSet("by") || c.IsSet("top") {
			return o, usagef("--by and --top apply to --summary talkers only")
		}
	case "talkers":
		if key, ok := strings.CutPrefix(o.By, "tag:"); !(ok && key != "") && o.By != "type" && o.By != "vpc" {
			return o, usagef("--by must be tag:KEY, type or vpc; got %q", o.By)
		}
		if o.Top < 0 {
			return o, usagef("--top must be 0 or more; got %d", o.Top)
		}
	default:
		return o, usagef("--summary must be cross-az, talkers or services; got %q", o.Summary)
	}
	if c.IsSet("price-per-gb") && o.Summary != "cross-az" {
		return o, usagef("--price-per-gb applies to --summary cross-az only")
	}
	if o.PricePerGB < 0 {
		return o, usagef("--price-per-gb must be 0 or more; got %v", o.PricePerGB)
	}
	if o.Window < time.Second || o.Window%time.Second != 0 {
		return o, usagef("--window must be whole seconds, at least 1s; got %s", o.Window)
	}
	var err error
	if path := c.String("ip-ranges"); c.IsSet("ip-ranges") {
		o.RangesFile = path
		f, ferr := os.Open(path)
		if ferr != nil {
			return o, usagef("--ip-ranges %s", errText(ferr))
		}
		o.Ranges, err = flows.ParseIPRanges(f)
		f.Close()
		if err != nil {
			return o, usagef("--ip-ranges %s: %s", path, err)
		}
	} else if o.Ranges, err = flows.ShippedIPRanges(); err != nil {
		return o, err
	}
	if o.Region != "" && !inputs.RegionName(o.Region) {
		return o, usagef("malformed --region %q; use a region name such as us-east-1", o.Region)
	}
	o.Regions = splitList(c.StringSlice("regions"))
	for _, r := range o.Regions {
		if !inputs.RegionName(r) {
			return o, usagef("malformed region %q in --regions", r)
		}
	}
	if o.NoInventory && (len(o.Accounts) > 0 || len(o.Regions) > 0) {
		return o, usagef("--no-inventory conflicts with --accounts and --regions")
	}
	if c.IsSet("aws-assume-role") {
		if err := inputs.RoleName(o.AssumeRole); err != nil {
			return o, usagef("--aws-assume-role %s", err)
		}
	}
	if err := checkRoleFlags(c, o.AssumeRole, "external-id", "role-session-name"); err != nil {
		return o, err
	}
	if c.IsSet("snapshot") {
		if o.NoInventory {
			return o, usagef("--no-inventory conflicts with --snapshot, which is an inventory")
		}
		if o.Snapshot, err = openCommandSnapshot(c, "aws-profile", "aws-assume-role", "s3", "log-group"); err != nil {
			return o, err
		}
	}
	return o, nil
}

func countOf(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

func athenaName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// parseTime reads RFC 3339 or Unix seconds.
func parseTime(s string) (time.Time, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
		return time.Unix(n, 0).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, fmt.Errorf("%q is neither RFC 3339 (2025-01-31T12:00:00Z) nor Unix seconds", s)
	}
	return t, nil
}

func errText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// flowSink is where records go: counted in a summary, or merged into
// Flows that an output writer writes.
type flowSink struct {
	summary flows.Summary // nil: write Flows
	write   func(*flows.Flow) error
	finish  func(io.Writer) error
}

func newFlowSink(o flowsOptions, estate *flows.Estate, stdout io.Writer) (flowSink, error) {
	var sum flows.Summary
	switch o.Summary {
	case "cross-az":
		sum = &flows.CrossAZ{Estate: estate, PricePerGB: o.PricePerGB}
	case "talkers":
		sum = &flows.Talkers{By: o.By, Top: o.Top}
	case "services":
		sum = &flows.Services{Estate: estate}
	}
	if sum != nil {
		return flowSink{summary: sum, finish: func(w io.Writer) error { return sum.Write(w, o.CSV) }}, nil
	}
	if o.CSV {
		w, err := flows.NewCSVWriter(stdout)
		if err != nil {
			return flowSink{}, err
		}
		return flowSink{write: w.Write, finish: func(io.Writer) error { return w.Flush() }}, nil
	}
	w := flows.NewJSONLWriter(stdout)
	return flowSink{write: w.Write, finish: func(io.Writer) error { return w.Flush() }}, nil
}

// runFlows reads the inventory of every account and region, then streams
// every input through the aggregator into the output or summary.
func runFlows(ctx context.Context, o flowsOptions, stdin io.Reader, stdout, stderr io.Writer) error {
	if o.AthenaDDL {
		_, err := io.WriteString(stdout, flows.AthenaDDL(o.AthenaTable, o.AthenaLocation))
		return err
	}
	// With --snapshot nothing needs AWS: no configuration is loaded.
	needAWS := o.Snapshot == nil && (!o.NoInventory || o.S3Bucket != "" || o.LogGroup != "")
	var cfg aws.Config
	var scopes []*flows.Scope
	partial := false
	if needAWS {
		retry, err := account.RetryFromEnv("")
		if err != nil {
			return usagef("%s", err.Error())
		}
		if cfg, err = account.LoadConfig(ctx, o.Profile, retry); err != nil {
			return &codedError{exitError, fmt.Errorf("cannot load AWS configuration: %w", err)}
		}
		if o.Region != "" {
			cfg.Region = o.Region
		}
		if !o.NoInventory {
			if scopes, partial, err = loadScopes(ctx, o, retry, cfg.Region, stderr); err != nil {
				return err
			}
		}
	} else if o.Snapshot != nil {
		var err error
		if scopes, partial, err = loadScopes(ctx, o, account.RetrySettings{}, "", stderr); err != nil {
			return err
		}
	}
	estate := flows.NewEstate(scopes, o.Ranges)
	sink, err := newFlowSink(o, estate, stdout)
	if err != nil {
		return &codedError{exitError, err}
	}
	add, done := flows.Feed(estate, sink.summary, int64(o.Window/time.Second), 15*60, sink.write)
	stats := &flows.Stats{}
	for _, f := range o.Files {
		if err := flows.ReadFile(f, stdin, o.Format, stats, add); err != nil {
			return &codedError{exitError, err}
		}
	}
	if o.S3Bucket != "" {
		api := delivery.NewS3Client(bucketConfig(ctx, cfg, o.S3Bucket, stderr)) // path-style under a custom endpoint, like the uploads
		if err := flows.ReadS3(ctx, api, o.S3Bucket, o.S3Prefix, o.Format, stats, add); err != nil {
			return &codedError{exitError, err}
		}
	}
	if o.LogGroup != "" {
		format := o.Format
		if !o.FormatGiven {
			f, found, err := flows.LogGroupFormat(ctx, ec2.NewFromConfig(cfg), o.LogGroup)
			switch {
			case err != nil:
				return &codedError{exitError, fmt.Errorf("%w (or give --log-format)", err)}
			case found:
				format = f
			default:
				fmt.Fprintf(stderr, "faultline: no flow log delivers to %s in %s; reading it in the default format\n", o.LogGroup, cfg.Region)
			}
		}
		if err := flows.ReadLogGroup(ctx, cloudwatchlogs.NewFromConfig(cfg), o.LogGroup, o.Start, o.End, format, stats, add); err != nil {
			return &codedError{exitError, err}
		}
	}
	if err := done(); err != nil {
		return &codedError{exitError, err}
	}
	if err := sink.finish(stdout); err != nil {
		return &codedError{exitError, err}
	}
	printFlowStats(stderr, stats)
	if o.RangesFile == "" {
		// AWS changes ip-ranges.json often: say how old the names are.
		fmt.Fprintf(stderr, "faultline: flows: AWS services named from the ip-ranges.json built in, published %s; --ip-ranges FILE reads a current one\n",
			o.Ranges.Published())
	}
	if partial {
		return &codedError{exitPartial, fmt.Errorf("some accounts or regions could not be read; their addresses are unknown")}
	}
	return nil
}

// bucketConfig is cfg in the bucket's own region, which may not be the
// one the user works in. When the region cannot be read (a bucket policy
// may allow GetObject and not GetBucketLocation), cfg's region is tried.
func bucketConfig(ctx context.Context, cfg aws.Config, bucket string, stderr io.Writer) aws.Config {
	ask := cfg.Copy()
	ask.Region = flows.LocationRegion(cfg.Region)
	region, err := flows.BucketRegion(ctx, delivery.NewS3Client(ask), bucket)
	if err != nil {
		fmt.Fprintf(stderr, "faultline: the region of bucket %s is unknown (%s); reading it in %s\n", bucket, oneLine(err.Error()), cfg.Region)
		return cfg
	}
	c := cfg.Copy()
	c.Region = region
	return c
}

func printFlowStats(w io.Writer, s *flows.Stats) {
	fmt.Fprintf(w, "faultline: flows: %d records from %d sources (NODATA %d, SKIPDATA %d, without addresses %d), %d malformed lines\n",
		s.Records, s.Sources, s.NoData, s.SkipData, s.Unaddressed, s.Malformed)
	for _, b := range s.FirstBad {
		fmt.Fprintf(w, "faultline: malformed %s\n", b)
	}
	if len(s.Skipped) > 0 {
		fmt.Fprintf(w, "faultline: %d objects skipped (not text .log.gz), e.g. %s\n", len(s.Skipped), s.Skipped[0])
	}
}

// loadScopes reads the network and facts of every account and region, live
// (account.Prepare sets the accounts up; the regions are --regions, else
// the configuration's region) or from --snapshot, through one inventory
// set, eight scopes at once. An account or region that fails is reported
// and skipped (its addresses come out unknown); partial says so.
func loadScopes(ctx context.Context, o flowsOptions, retry account.RetrySettings, cfgRegion string, stderr io.Writer) ([]*flows.Scope, bool, error) {
	regions := o.Regions
	var est *account.Estate
	var set *inventory.Set
	var err error
	if o.Snapshot != nil {
		if len(regions) == 0 && o.Region != "" {
			regions = []string{o.Region}
		}
		if est, err = snapshotEstate(o.Snapshot, o.Accounts, regions); err != nil {
			return nil, false, err
		}
		set = inventory.NewFromSnapshot(o.Snapshot)
	} else {
		if len(regions) == 0 {
			regions = []string{cfgRegion}
		}
		req := account.Request{Profile: o.Profile, Retry: retry, Accounts: o.Accounts, AssumeRole: o.AssumeRole,
			ExternalID: o.ExternalID, SessionName: o.SessionName, Regions: regions, Log: zerolog.Nop()}
		if len(o.Accounts) == 0 {
			req.Accounts = nil
		}
		if est, err = account.Prepare(ctx, req); err != nil {
			return nil, false, estateError(err)
		}
		set = inventory.NewLive()
	}
	partial := false
	for _, row := range est.SetupRows {
		fmt.Fprintf(stderr, "faultline: account %s not read: %s %s\n", row.AccountID, row.ErrorCode, row.ErrorMessage)
		partial = true
	}
	var jobs []*inventory.Scope
	for _, a := range est.Accounts {
		for _, region := range a.Regions {
			jobs = append(jobs, set.Scope(a.Scope(), region))
		}
	}
	loaded := make([]*flows.Scope, len(jobs))
	failed := make([]error, len(jobs))
	var g errgroup.Group
	g.SetLimit(8)
	for i := range jobs {
		g.Go(func() error {
			loaded[i], failed[i] = loadScope(ctx, jobs[i])
			return nil
		})
	}
	_ = g.Wait()
	var scopes []*flows.Scope
	for i, s := range jobs {
		if failed[i] != nil {
			fmt.Fprintf(stderr, "faultline: %s %s not read: %s\n", s.AccountID, s.Region, oneLine(failed[i].Error()))
			partial = true
			continue
		}
		l := loaded[i]
		for _, kind := range sortedKeys(l.Inv.Unreadable) {
			fmt.Fprintf(stderr, "faultline: %s %s: %s unreadable (%s)\n", s.AccountID, s.Region, kind, l.Inv.Unreadable[kind])
		}
		for _, kind := range sortedKeys(l.Facts.Unreadable) {
			fmt.Fprintf(stderr, "faultline: %s %s: %s unreadable (%s)\n", s.AccountID, s.Region, kind, oneLine(l.Facts.Unreadable[kind]))
		}
		scopes = append(scopes, l)
	}
	if len(scopes) == 0 {
		return nil, partial, &codedError{exitError, fmt.Errorf("no account or region could be read")}
	}
	return scopes, partial, nil
}

// loadScope reads one account and region's network and facts.
func loadScope(ctx context.Context, s *inventory.Scope) (*flows.Scope, error) {
	inv, err := inventory.NetworkOf(ctx, s)
	if err != nil {
		return nil, err
	}
	facts, err := flows.LoadFacts(ctx, s)
	if err != nil {
		return nil, err
	}
	return &flows.Scope{Inv: inv, Facts: facts}, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
