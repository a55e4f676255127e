package main

import (
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/faultline/faultline/flows"
	"github.com/faultline/faultline/internal/inputs"
	"github.com/faultline/faultline/policy"
	"github.com/faultline/faultline/reach"
)

// scanDefaultOutput is the scan's -o default; the S3 prefix of the uploads
// when --bucket is given without -o (a test keeps it equal to scan's flag).
const scanDefaultOutput = "output/"

// policyOptions is everything `faultline policy` was asked to print.
type policyOptions struct {
	Policy policy.Options
	Format string // json or cloudformation
	Role   policy.Role
}

func policyCommand(onUsageError cli.OnUsageErrorFunc) *cli.Command {
	return &cli.Command{
		Name:  "policy",
		Usage: "print the least-privilege IAM policy for a scan with these flags",
		Description: "Takes the scan's flags that decide which calls are made and prints the IAM policy that allows\n" +
			"exactly those calls. With --format cloudformation it prints a template for the read-only role\n" +
			"to deploy in every member account (for example with a StackSet).",
		OnUsageError: onUsageError,
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "services", Aliases: []string{"s"}, Usage: "service keys, or ALL (default: ALL)"},
			&cli.StringFlag{Name: "bucket", Aliases: []string{"b"}, Usage: "S3 bucket the scan uploads to"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "the scan's output folder, which is the S3 key prefix (default: " + scanDefaultOutput + ")"},
			&cli.StringFlag{Name: "sse-kms-key-id", Usage: "KMS key the scan encrypts its uploads with"},
			&cli.StringFlag{Name: "event-bus-arn", Usage: "EventBridge bus the scan publishes findings to"},
			&cli.StringSliceFlag{Name: "accounts", Usage: "ALL or account IDs the scan covers (default: the caller's account)"},
			&cli.StringFlag{Name: "aws-assume-role", Usage: "role NAME the scan assumes"},
			&cli.StringFlag{Name: "external-id", Usage: "external ID the scan passes when assuming the role"},
			&cli.StringFlag{Name: "partition", Value: "", Usage: "aws, aws-cn or aws-us-gov (default: the event bus's, else aws)"},
			&cli.StringFlag{Name: "format", Value: "json", Usage: "json (an IAM policy) or cloudformation (the member-account role)"},
			&cli.BoolFlag{Name: "reach", Usage: "add the reads of `faultline reach` (a Reach statement)"},
			&cli.BoolFlag{Name: "flows", Usage: "add the reads of `faultline flows` (a Flows statement)"},
		},
		Action: func(c *cli.Context) error {
			if c.Args().Len() > 0 {
				return usagef("unexpected argument %q; policy takes only flags (see faultline policy --help)", c.Args().First())
			}
			opts, err := parsePolicyOptions(c)
			if err != nil {
				return err
			}
			out, err := renderPolicy(opts)
			if err != nil {
				return usagef("%s", err.Error())
			}
			_, err = c.App.Writer.Write(out)
			return err
		},
	}
}

// parsePolicyOptions validates every flag, naming the flag in the error.
func parsePolicyOptions(c *cli.Context) (policyOptions, error) {
	opts := policyOptions{Format: c.String("format")}
	p := &opts.Policy
	// Opt-in: a scan role needs neither reach's network reads nor flows'.
	if c.Bool("reach") {
		p.ReachActions = reach.Actions
	}
	if c.Bool("flows") {
		p.FlowsActions = flows.Actions
	}
	var err error
	if p.Services, err = parseServices(c.StringSlice("services")); err != nil {
		return opts, err
	}
	if p.Partition = c.String("partition"); c.IsSet("partition") && !slices.Contains(inputs.Partitions, p.Partition) {
		return opts, usagef("--partition must be one of %s; got %q", strings.Join(inputs.Partitions, ", "), p.Partition)
	}
	if c.IsSet("bucket") {
		p.Bucket = c.String("bucket")
		if err := inputs.BucketName(p.Bucket); err != nil {
			return opts, usagef("--bucket %s", err)
		}
		p.OutputPrefix = scanDefaultOutput
	}
	if c.IsSet("output") {
		if !c.IsSet("bucket") {
			return opts, usagef("--output is the S3 key prefix of the uploads and needs --bucket")
		}
		if p.OutputPrefix = c.String("output"); strings.TrimSpace(p.OutputPrefix) == "" {
			return opts, usagef("--output needs a folder name")
		}
	}
	if c.IsSet("sse-kms-key-id") {
		if !c.IsSet("bucket") {
			return opts, usagef("--sse-kms-key-id needs --bucket")
		}
		if p.KMSKeyID = c.String("sse-kms-key-id"); strings.TrimSpace(p.KMSKeyID) == "" {
			return opts, usagef("--sse-kms-key-id needs a key ID, ARN or alias")
		}
	}
	if c.IsSet("event-bus-arn") {
		p.EventBusARN = c.String("event-bus-arn")
		bus, err := inputs.EventBusARN(p.EventBusARN)
		if err != nil {
			return opts, usagef("--event-bus-arn %s", err)
		}
		if c.IsSet("partition") && bus.Partition != p.Partition {
			return opts, usagef("--event-bus-arn is in partition %s but --partition is %s", bus.Partition, p.Partition)
		}
	}
	if c.IsSet("accounts") {
		if p.Accounts, err = parseAccounts(c.StringSlice("accounts")); err != nil {
			return opts, err
		}
	}
	if c.IsSet("aws-assume-role") {
		p.AssumeRole = c.String("aws-assume-role")
		if err := inputs.RoleName(p.AssumeRole); err != nil {
			return opts, usagef("--aws-assume-role %s", err)
		}
	}
	if c.IsSet("external-id") {
		p.ExternalID = c.String("external-id")
		if p.AssumeRole == "" {
			return opts, usagef("--external-id needs --aws-assume-role")
		}
		if err := inputs.ExternalID(p.ExternalID); err != nil {
			return opts, usagef("--external-id %s", err)
		}
	}
	switch opts.Format {
	case "json":
	case "cloudformation":
		// The member-account role only reads: delivery and the organization
		// listing happen in the scanning account, with its own credentials.
		for _, f := range []string{"bucket", "output", "event-bus-arn", "accounts"} {
			if c.IsSet(f) {
				return opts, usagef("--%s does not apply to --format cloudformation: the member-account role only reads", f)
			}
		}
		opts.Role = policy.Role{Name: p.AssumeRole, ExternalID: p.ExternalID}
	default:
		return opts, usagef("--format must be json or cloudformation; got %q", opts.Format)
	}
	return opts, nil
}

// parseAccounts reads --accounts: ALL alone, or 12-digit account IDs.
func parseAccounts(values []string) ([]string, error) {
	items := splitList(values)
	switch {
	case len(items) == 0:
		return nil, usagef("--accounts needs ALL or account IDs")
	case slices.Contains(items, policy.AllAccounts) && len(items) > 1:
		return nil, usagef("--accounts ALL cannot be combined with account IDs")
	case items[0] == policy.AllAccounts:
		return items, nil
	}
	for _, id := range items {
		if err := inputs.AccountID(id); err != nil {
			return nil, usagef("--accounts %s", err)
		}
	}
	return items, nil
}

// renderPolicy prints the policy document or the member-account template.
func renderPolicy(opts policyOptions) ([]byte, error) {
	if opts.Format == "cloudformation" {
		return policy.CloudFormation(opts.Policy, opts.Role)
	}
	doc, err := policy.Build(opts.Policy)
	if err != nil {
		return nil, err
	}
	return doc.JSON(), nil
}
