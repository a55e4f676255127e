package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/faultline/faultline/inventory"
)

// runReachCommand runs only the reach command (independent of app.go) and
// returns the exit code and stderr. The environment points at nowhere, so a
// case that got past validation would fail with a runtime error, not 2.
func runReachCommand(t *testing.T, args ...string) (exitCode, string) {
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	t.Setenv("AWS_ACCESS_KEY_ID", "x")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "x")
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	var stdout, stderr bytes.Buffer
	usageErr := func(_ *cli.Context, err error, _ bool) error { return &usageError{msg: err.Error()} }
	app := &cli.App{Name: "faultline", Writer: &stdout, ErrWriter: &stderr, OnUsageError: usageErr,
		ExitErrHandler: func(*cli.Context, error) {}, Commands: []*cli.Command{reachCommand(usageErr)}}
	err := app.RunContext(context.Background(), append([]string{"faultline", "reach"}, args...))
	if err != nil {
		stderr.WriteString(err.Error())
	}
	return exitCodeOf(err), stderr.String()
}

func TestReachUsageErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no target", []string{"--from", "lambda:fn"}, "--to is required: TYPE:ID or an ARN, TYPE one of lambda, ec2, eni, ecs, rds, elasticache, efs, elbv2, vpce, ip"},
		{"unknown type", []string{"--from", "s3:bucket", "--to", "rds:db"}, `--from "s3:bucket": unknown type "s3"; types: lambda, ec2, eni, ecs, rds, elasticache, efs, elbv2, vpce, ip`},
		{"bad eni", []string{"--from", "eni:abc", "--to", "rds:db"}, `--from "eni:abc": expected a network interface ID (eni-...)`},
		{"bad ip", []string{"--from", "lambda:fn", "--to", "ip:10.0.0.300"}, `--to "ip:10.0.0.300": expected an IPv4 or IPv6 address or CIDR`},
		{"unsupported ARN", []string{"--from", "arn:aws:s3:::bucket", "--to", "rds:db"}, "--from ARN \"arn:aws:s3:::bucket\": reach takes"},
		{"both ip", []string{"--from", "ip:10.0.0.1", "--to", "ip:10.0.0.2"}, "--from and --to cannot both be ip: one end must be a resource"},
		{"seed flag conflicts", []string{"--from", "lambda:a", "--fromLambda", "b", "--to", "rds:db"}, "--fromLambda conflicts with --from; give one source and one target"},
		{"port out of range", []string{"--from", "lambda:a", "--to", "rds:db", "--port", "70000"}, "--port must be 1-65535; got 70000"},
		{"port with icmp", []string{"--from", "lambda:a", "--to", "rds:db", "--protocol", "icmp", "--port", "8"}, "--port applies to tcp and udp only; use --icmp-type and --icmp-code for icmp"},
		{"bad protocol", []string{"--from", "lambda:a", "--to", "rds:db", "--protocol", "sctp"}, `--protocol must be tcp, udp, icmp, icmpv6 or a number 0-255; got "sctp"`},
		{"icmp type without icmp", []string{"--from", "lambda:a", "--to", "rds:db", "--icmp-type", "3"}, "--icmp-type and --icmp-code apply to --protocol icmp only"},
		{"regions differ", []string{"--from", "arn:aws:lambda:us-east-1:123456789012:function:f", "--to", "arn:aws:rds:eu-west-1:123456789012:db:d"}, "both ends must be in one region (reach reads one region); got us-east-1 and eu-west-1"},
		{"bad format", []string{"--from", "lambda:a", "--to", "rds:db", "--format", "yaml"}, `--format must be text or json; got "yaml"`},
		{"bad region", []string{"--from", "lambda:a", "--to", "rds:db", "--region", "mars"}, `malformed --region "mars"; use a region name such as us-east-1`},
		{"stray argument", []string{"--from", "lambda:a", "--to", "rds:db", "extra"}, `unexpected argument "extra"; reach takes only flags (see faultline reach --help)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stderr := runReachCommand(t, c.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want 2 (%s)", code, stderr)
			}
			if len(stderr) < len(c.want) || stderr[:len(c.want)] != c.want {
				t.Errorf("stderr %q, want prefix %q", stderr, c.want)
			}
		})
	}
}

// With --snapshot the account is the collecting caller's and the region is
// --region, else the one collected; more than one, or none of those, is a
// usage error that says which.
func TestReachSnapshotRegion(t *testing.T) {
	dir := t.TempDir()
	err := inventory.WriteManifest(dir, inventory.Manifest{CallerAccount: "111111111111", CallerPartition: "aws",
		Accounts: []inventory.ManifestAccount{{ID: "111111111111", Partition: "aws", Regions: []string{"eu-west-1", "us-east-1"}}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		code exitCode
		want string
	}{
		{nil, exitUsage, "--snapshot " + dir + " holds account 111111111111 in 2 regions (eu-west-1, us-east-1): give --region"},
		{[]string{"--region", "ap-south-1"}, exitUsage, "region ap-south-1 of account 111111111111 is not in snapshot " + dir + " (it holds eu-west-1, us-east-1)"},
		// The scope file is missing: the network was not collected.
		{[]string{"--region", "us-east-1"}, exitError, "reading VPCs: the snapshot holds no ec2/vpcs for account 111111111111 in us-east-1"},
		{[]string{"--aws-profile", "p"}, exitUsage, "--aws-profile cannot go with --snapshot, which makes no API call"},
	} {
		code, stderr := runReachCommand(t, append([]string{"--snapshot", dir, "--from", "ec2:a", "--to", "ec2:b", "--port", "22"}, c.args...)...)
		if code != c.code || !strings.HasPrefix(stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want %d, %q", c.args, code, stderr, c.code, c.want)
		}
	}
	if code, stderr := runReachCommand(t, "--snapshot", t.TempDir(), "--from", "ec2:a", "--to", "ec2:b"); code != exitUsage || !strings.Contains(stderr, "is not a faultline snapshot") {
		t.Errorf("folder without a manifest: exit %d, %q", code, stderr)
	}
}
