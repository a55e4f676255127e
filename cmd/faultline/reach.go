package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/faultline/faultline/account"
	"github.com/faultline/faultline/internal/inputs"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/reach"
)

// exitUnknown: reach could not read a fact it needed, so the answer is unknown.
const exitUnknown exitCode = 4

// reachOptions is everything `faultline reach` was asked, validated.
type reachOptions struct {
	From, To   reach.Ref
	Query      reach.Query
	PortGiven  bool
	Region     string
	Profile    string
	AssumeRole string
	JSON       bool
	// Snapshot, when set, is read instead of AWS (--snapshot DIR).
	Snapshot *inventory.Snapshot
}

func reachCommand(onUsageError cli.OnUsageErrorFunc) *cli.Command {
	return &cli.Command{
		Name:         "reach",
		Usage:        "can A open a connection to B, and if not, which rule stops it",
		UsageText:    "faultline reach --from TYPE:ID|ARN --to TYPE:ID|ARN [--port P] [--protocol tcp|udp|icmp|NUMBER]\n   TYPE: " + strings.Join(reach.Types, ", "),
		OnUsageError: onUsageError,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "from", Usage: "source: TYPE:ID or an ARN"},
			&cli.StringFlag{Name: "to", Usage: "target: TYPE:ID or an ARN"},
			&cli.StringFlag{Name: "fromLambda", Usage: "source Lambda function name or ARN (same as --from lambda:NAME)"},
			&cli.StringFlag{Name: "fromECS", Usage: "source ECS service [CLUSTER:]SERVICE (same as --from ecs:CLUSTER/SERVICE)"},
			&cli.StringFlag{Name: "toRDS", Usage: "target RDS instance or cluster (same as --to rds:ID)"},
			&cli.IntFlag{Name: "port", Usage: "destination port", DefaultText: "the target's own port, e.g. the RDS endpoint port"},
			&cli.StringFlag{Name: "protocol", Value: "tcp", Usage: "tcp, udp, icmp, icmpv6 or an IP protocol number"},
			&cli.IntFlag{Name: "icmp-type", Value: 8, Usage: "ICMP type for --protocol icmp", DefaultText: "8, echo request"},
			&cli.IntFlag{Name: "icmp-code", Value: 0, Usage: "ICMP code for --protocol icmp"},
			&cli.StringFlag{Name: "region", Usage: "region of both resources (default: the ARN's, else the profile's)"},
			&cli.StringFlag{Name: "aws-profile", Aliases: []string{"profile"}, Usage: "shared-config profile"},
			&cli.StringFlag{Name: "aws-assume-role", Usage: "role NAME to assume in the caller's account first"},
			&cli.StringFlag{Name: "format", Value: "text", Usage: "text or json"},
			&cli.StringFlag{Name: "snapshot", Usage: "read the caller's account from a folder written by faultline collect: no API call is made"},
		},
		Action: func(c *cli.Context) error {
			if c.Args().Len() > 0 {
				return usagef("unexpected argument %q; reach takes only flags (see faultline reach --help)", c.Args().First())
			}
			opts, err := parseReachOptions(c)
			if err != nil {
				return err
			}
			return runReach(c.Context, opts, c.App.Writer)
		},
	}
}

// parseReachOptions validates every flag. Nothing here calls AWS.
func parseReachOptions(c *cli.Context) (reachOptions, error) {
	opts := reachOptions{Profile: c.String("aws-profile"), AssumeRole: c.String("aws-assume-role"), Region: c.String("region")}
	from, err := endpointFlag(c, "from", map[string]string{"fromLambda": "lambda:", "fromECS": "ecs:"})
	if err != nil {
		return opts, err
	}
	to, err := endpointFlag(c, "to", map[string]string{"toRDS": "rds:"})
	if err != nil {
		return opts, err
	}
	if opts.From, err = reach.ParseRef(from); err != nil {
		return opts, usagef("--from %s", err)
	}
	if opts.To, err = reach.ParseRef(to); err != nil {
		return opts, usagef("--to %s", err)
	}
	if opts.From.Type == "ip" && opts.To.Type == "ip" {
		return opts, usagef("--from and --to cannot both be ip: one end must be a resource")
	}
	if opts.Query, opts.PortGiven, err = parseQuery(c); err != nil {
		return opts, err
	}
	if opts.Region != "" && !inputs.RegionName(opts.Region) {
		return opts, usagef("malformed --region %q; use a region name such as us-east-1", opts.Region)
	}
	for _, r := range []string{opts.From.Region, opts.To.Region} {
		switch {
		case r == "":
		case opts.Region == "":
			opts.Region = r
		case r != opts.Region:
			return opts, usagef("both ends must be in one region (reach reads one region); got %s and %s", opts.Region, r)
		}
	}
	if c.IsSet("aws-assume-role") {
		if err := inputs.RoleName(opts.AssumeRole); err != nil {
			return opts, usagef("--aws-assume-role %s", err)
		}
	}
	switch f := c.String("format"); f {
	case "text":
	case "json":
		opts.JSON = true
	default:
		return opts, usagef("--format must be text or json; got %q", f)
	}
	if c.IsSet("snapshot") {
		if opts.Snapshot, err = openCommandSnapshot(c, "aws-profile", "aws-assume-role"); err != nil {
			return opts, err
		}
	}
	return opts, nil
}

// endpointFlag returns --NAME, or the one seed-style flag that stands for it.
func endpointFlag(c *cli.Context, name string, seed map[string]string) (string, error) {
	value, set := c.String(name), c.IsSet(name)
	for flag, prefix := range seed {
		if !c.IsSet(flag) {
			continue
		}
		if set {
			return "", usagef("--%s conflicts with --%s; give one source and one target", flag, name)
		}
		v := c.String(flag)
		if flag == "fromECS" && !strings.HasPrefix(v, "arn:") {
			v = strings.Replace(v, ":", "/", 1)
		}
		if strings.HasPrefix(v, "arn:") {
			value = v
		} else {
			value = prefix + v
		}
		set = true
	}
	if !set || value == "" {
		return "", usagef("--%s is required: TYPE:ID or an ARN, TYPE one of %s", name, strings.Join(reach.Types, ", "))
	}
	return value, nil
}

func parseQuery(c *cli.Context) (reach.Query, bool, error) {
	var q reach.Query
	switch p := strings.ToLower(c.String("protocol")); p {
	case "tcp":
		q.Protocol = reach.ProtoTCP
	case "udp":
		q.Protocol = reach.ProtoUDP
	case "icmp":
		q.Protocol = reach.ProtoICMP
	case "icmpv6":
		q.Protocol = reach.ProtoICMPv6
	default:
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 255 {
			return q, false, usagef("--protocol must be tcp, udp, icmp, icmpv6 or a number 0-255; got %q", c.String("protocol"))
		}
		q.Protocol = n
	}
	portGiven := c.IsSet("port")
	switch {
	case q.Protocol == reach.ProtoTCP || q.Protocol == reach.ProtoUDP:
		q.Port = c.Int("port")
		if portGiven && (q.Port < 1 || q.Port > 65535) {
			return q, false, usagef("--port must be 1-65535; got %d", q.Port)
		}
	case portGiven:
		return q, false, usagef("--port applies to tcp and udp only; use --icmp-type and --icmp-code for icmp")
	}
	if q.Protocol == reach.ProtoICMP || q.Protocol == reach.ProtoICMPv6 {
		q.ICMPType, q.ICMPCode = c.Int("icmp-type"), c.Int("icmp-code")
		if q.ICMPType < 0 || q.ICMPType > 255 || q.ICMPCode < 0 || q.ICMPCode > 255 {
			return q, false, usagef("--icmp-type and --icmp-code must be 0-255")
		}
	} else if c.IsSet("icmp-type") || c.IsSet("icmp-code") {
		return q, false, usagef("--icmp-type and --icmp-code apply to --protocol icmp only")
	}
	return q, portGiven, nil
}

// runReach reads the region's network, resolves both ends, evaluates and
// prints. The exit code is the verdict's.
func runReach(ctx context.Context, opts reachOptions, stdout io.Writer) error {
	scope, err := reachScope(ctx, opts)
	if err != nil {
		return err
	}
	inv, err := inventory.NetworkOf(ctx, scope)
	if err != nil {
		return &codedError{exitError, err}
	}
	resolver := &reach.Resolver{Scope: scope, Net: inv}
	src, err := resolveEnd(ctx, resolver, opts.From, "--from")
	if err != nil {
		return err
	}
	dst, err := resolveEnd(ctx, resolver, opts.To, "--to")
	if err != nil {
		return err
	}
	q := opts.Query
	if (q.Protocol == reach.ProtoTCP || q.Protocol == reach.ProtoUDP) && !opts.PortGiven {
		if dst.Port == 0 {
			return usagef("%s has no port of its own; give --port", opts.To)
		}
		q.Port = dst.Port
	}
	res := reach.Evaluate(inv, src, dst, q)
	if opts.JSON {
		err = reach.WriteJSON(stdout, res)
	} else {
		err = reach.WriteText(stdout, res)
	}
	if err != nil {
		return &codedError{exitError, err}
	}
	return verdictError(res.Verdict)
}

// reachScope is the one account and region reach reads: the caller's (or
// the assumed role's) live, or, with --snapshot, the collecting caller's
// account in --region or in the one region it was collected in.
func reachScope(ctx context.Context, opts reachOptions) (*inventory.Scope, error) {
	if opts.Snapshot != nil {
		var regions []string
		if opts.Region != "" {
			regions = []string{opts.Region}
		}
		est, err := snapshotEstate(opts.Snapshot, nil, regions)
		if err != nil {
			return nil, err
		}
		a := est.Accounts[0]
		return inventory.NewFromSnapshot(opts.Snapshot).Scope(a.Scope(), a.Regions[0]), nil
	}
	retry, err := account.RetryFromEnv("")
	if err != nil {
		return nil, usagef("%s", err.Error())
	}
	cfg, err := account.LoadConfig(ctx, opts.Profile, retry)
	if err != nil {
		return nil, &codedError{exitError, fmt.Errorf("cannot load AWS configuration: %w", err)}
	}
	if opts.Region != "" {
		cfg.Region = opts.Region
	}
	if opts.AssumeRole != "" {
		id, err := account.Identify(ctx, cfg)
		if err != nil {
			return nil, &codedError{exitError, account.CallerError(err)}
		}
		cfg = account.AssumeRole(cfg, account.RoleARN(id.Partition, id.Account, opts.AssumeRole), "faultline", "", 0)
	}
	id, err := account.Identify(ctx, cfg)
	if err != nil {
		return nil, &codedError{exitError, account.CallerError(err)}
	}
	return inventory.NewLive().Scope(inventory.Account{ID: id.Account, Partition: id.Partition, Config: cfg}, cfg.Region), nil
}

// resolveEnd maps resolution errors to exit codes: a resource that does not
// exist or cannot be placed is bad input (2); one that cannot be read makes
// the answer unknown (4).
func resolveEnd(ctx context.Context, r *reach.Resolver, ref reach.Ref, flag string) (reach.Resource, error) {
	res, err := r.Resolve(ctx, ref)
	var notFound *reach.NotFoundError
	var unsupported *reach.UnsupportedError
	var unreadable *reach.UnreadableError
	switch {
	case err == nil:
		return res, nil
	case errors.As(err, &notFound), errors.As(err, &unsupported):
		return res, usagef("%s %s", flag, err)
	case errors.As(err, &unreadable):
		return res, &codedError{exitUnknown, fmt.Errorf("verdict unknown: %w", err)}
	}
	return res, &codedError{exitError, err}
}

// verdictError turns the verdict into the exit code: 0 reachable, 3
// blocked or partial, 4 unknown.
func verdictError(v reach.Verdict) error {
	switch v {
	case reach.Reachable:
		return nil
	case reach.Blocked, reach.Partial:
		return &codedError{exitPartial, fmt.Errorf("verdict %s", v)}
	}
	return &codedError{exitUnknown, fmt.Errorf("verdict %s", v)}
}
