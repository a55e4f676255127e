package main

import (
	"reflect"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/faultline/faultline/flows"
	"github.com/faultline/faultline/internal/inputs"
	"github.com/faultline/faultline/policy"
	"github.com/faultline/faultline/reach"
)

// policyOptions is everything `faultline policy` was asked to print.
type policyOptions struct {
	Policy policy.Options
	Format string // json or cloudformation
	Role   policy.Role
}

// Policy output formats: --policy-format, or the same values given to
// --format (its meaning before policy took the scan's flags).
const (
	formatJSON           = "json"
	formatCloudFormation = "cloudformation"
)

// The help groups policy's flags in these categories (urfave/cli sorts them
// by name).
const (
	policyCategory     = "Policy"
	callFlagsCategory  = "Scan flags that change the policy"
	compatFlagCategory = "Scan flags with no effect on the policy (accepted for command-line compatibility)"
)

// policyCallFlags are the scan's flags that change which calls the scan
// makes, so the policy, with the usage text policy shows for them. Every
// other scan flag is accepted and validated as scan validates it, and has
// no effect on the policy.
var policyCallFlags = map[string]string{
	"services":        "service keys, or ALL (default: ALL)",
	"output":          "the scan's output folder; with --bucket, the S3 key prefix of the uploads",
	"aws-assume-role": "role NAME the scan assumes",
	"accounts":        "ALL or account IDs the scan covers (default: the caller's account)",
	"accounts-file":   "file of account IDs the scan covers, one per line, # comments",
	"external-id":     "external ID the scan passes when assuming the role",
	"bucket":          "S3 bucket the scan uploads to",
	"sse-kms-key-id":  "KMS key the scan encrypts its uploads with",
	"event-bus-arn":   "EventBridge bus the scan publishes findings to",
	"security-hub":    "the scan imports its risks into each account's Security Hub",
}

// formatList is policy's --format. It replaces the scan's --format (a
// string slice: csv, jsonl) and takes its values, plus json or
// cloudformation for --policy-format. It is deliberately not a
// StringSliceFlag: parseScanOptions then reads no --format (c.StringSlice
// is nil for another flag type) and policy checks the values itself.
type formatList []string

func (f *formatList) Set(v string) error { *f = append(*f, v); return nil }
func (f *formatList) String() string     { return strings.Join(*f, ",") }

// policyFlags are every flag of `faultline scan`, so that `policy` can be
// put in front of a scan command line, and policy's own. Each is a fresh
// copy (scanCommand builds new flags), recategorised for the help.
func policyFlags() []cli.Flag {
	var flags []cli.Flag
	for _, f := range scanCommand(nil).Flags {
		name := f.Names()[0]
		if name == "format" {
			continue // policy's --format below takes the scan's values too
		}
		usage, changesCalls := policyCallFlags[name]
		if changesCalls {
			setFlagHelp(f, callFlagsCategory, usage)
		} else {
			setFlagHelp(f, compatFlagCategory, "")
		}
		flags = append(flags, f)
	}
	return append(flags,
		&cli.StringFlag{Name: "policy-format", Value: formatJSON, Category: policyCategory,
			Usage: "json (an IAM policy) or cloudformation (the member-account role)"},
		&cli.GenericFlag{Name: "format", Value: &formatList{}, Category: policyCategory,
			Usage: "json or cloudformation: the same as --policy-format; the scan's findings formats (csv, jsonl, ocsf, html) are accepted and have no effect"},
		&cli.StringFlag{Name: "partition", Category: policyCategory,
			Usage: "aws, aws-cn or aws-us-gov (default: the event bus's, else aws)"},
		&cli.BoolFlag{Name: "reach", Category: policyCategory, Usage: "add the reads of faultline reach (a Reach statement)"},
		&cli.BoolFlag{Name: "flows", Category: policyCategory, Usage: "add the reads of faultline flows (a Flows statement)"},
	)
}

// setFlagHelp sets a scan flag's help category and, unless usage is empty,
// its usage. Every urfave/cli v2 flag type has both fields; reflection
// keeps this working whatever flag types scan adds.
func setFlagHelp(f cli.Flag, category, usage string) {
	v := reflect.ValueOf(f).Elem()
	v.FieldByName("Category").SetString(category)
	if usage != "" {
		v.FieldByName("Usage").SetString(usage)
	}
}

func policyCommand(onUsageError cli.OnUsageErrorFunc) *cli.Command {
	return &cli.Command{
		Name:  "policy",
		Usage: "print the least-privilege IAM policy for a scan with these flags",
		Description: "Takes every flag of faultline scan, so that `policy` can be put in front of a scan command line,\n" +
			"and prints the IAM policy that allows exactly the calls that scan makes. Only the flags that change\n" +
			"the calls (services, accounts, role, delivery) change the policy; the others are validated as scan\n" +
			"validates them and otherwise ignored. With --policy-format cloudformation it prints a template for\n" +
			"the read-only role to deploy in every member account (for example with a StackSet).",
		OnUsageError: onUsageError,
		Flags:        policyFlags(),
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

// parsePolicyOptions validates every flag, naming the flag in the error:
// first the flags that shape the policy, with policy's messages, then every
// scan flag as scan validates it, then the output format.
func parsePolicyOptions(c *cli.Context) (policyOptions, error) {
	var opts policyOptions
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
	if strings.TrimSpace(c.String("output")) == "" {
		return opts, usagef("--output needs a folder name")
	}
	if c.IsSet("bucket") {
		p.Bucket = c.String("bucket")
		if err := inputs.BucketName(p.Bucket); err != nil {
			return opts, usagef("--bucket %s", err)
		}
		// Without --bucket, -o is only the scan's local folder.
		p.OutputPrefix = c.String("output")
	}
	if c.IsSet("sse-kms-key-id") {
		if !c.IsSet("bucket") {
			return opts, usagef("--sse-kms-key-id needs --bucket")
		}
		if p.KMSKeyID = c.String("sse-kms-key-id"); strings.TrimSpace(p.KMSKeyID) == "" {
			return opts, usagef("--sse-kms-key-id needs a key ID, ARN or alias")
		}
	}
	p.SecurityHub = c.Bool("security-hub")
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
		if _, err = parseAccounts(c.StringSlice("accounts")); err != nil {
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
	// The rest of the scan's flags, exactly as scan checks them (no AWS
	// call). The accounts come from here: --accounts and --accounts-file.
	scanOpts, err := parseScanOptions(c)
	if err != nil {
		return opts, err
	}
	switch {
	case scanOpts.AllAccounts:
		p.Accounts = []string{policy.AllAccounts}
	case len(scanOpts.Accounts) > 0:
		p.Accounts = scanOpts.Accounts
	}
	var formatFlag string
	if opts.Format, formatFlag, err = policyFormat(c); err != nil {
		return opts, err
	}
	if opts.Format == formatCloudFormation {
		// The member-account role only reads: delivery and the organization
		// listing happen in the scanning account, with its own credentials.
		for _, f := range []string{"bucket", "event-bus-arn", "accounts", "accounts-file"} {
			if c.IsSet(f) {
				return opts, usagef("--%s does not apply to --%s cloudformation: the member-account role only reads", f, formatFlag)
			}
		}
		opts.Role = policy.Role{Name: p.AssumeRole, ExternalID: p.ExternalID}
	}
	return opts, nil
}

// policyFormat returns the output format and the flag that chose it:
// --policy-format, or the json or cloudformation among --format's values.
// --format's csv and jsonl are the scan's findings formats and change
// nothing here.
func policyFormat(c *cli.Context) (format, flag string, err error) {
	format = c.String("policy-format")
	if format != formatJSON && format != formatCloudFormation {
		return "", "", usagef("--policy-format must be json or cloudformation; got %q", format)
	}
	var fromFormat string
	if values, ok := c.Generic("format").(*formatList); ok {
		for _, v := range splitList(*values) {
			switch v {
			case "csv", "jsonl", "ocsf", "html":
			case formatJSON, formatCloudFormation:
				if fromFormat != "" && fromFormat != v {
					return "", "", usagef("--format takes one of json and cloudformation; got both")
				}
				fromFormat = v
			default:
				return "", "", usagef("--format must be json or cloudformation (the policy's), or %s (the scan's); got %q", joinLast(scanFormats, "or"), v)
			}
		}
	}
	if fromFormat == "" {
		return format, "policy-format", nil
	}
	if c.IsSet("policy-format") && fromFormat != format {
		return "", "", usagef("--format %s conflicts with --policy-format %s", fromFormat, format)
	}
	return fromFormat, "format", nil
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
	if opts.Format == formatCloudFormation {
		return policy.CloudFormation(opts.Policy, opts.Role)
	}
	doc, err := policy.Build(opts.Policy)
	if err != nil {
		return nil, err
	}
	return doc.JSON(), nil
}
