package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/faultline/faultline/flows"
	"github.com/faultline/faultline/policy"
	"github.com/faultline/faultline/reach"
	"github.com/urfave/cli/v2"
)

// The exact policy for a small invocation that turns every statement on; the
// list flags take the seed's space-separated form.
func TestPolicyCommandExactOutput(t *testing.T) {
	calls := noAWS(t)
	code, stdout, stderr := run(t, "policy", "-s", "dax", "vpce", "--bucket", "b-1", "-o", "out/",
		"--event-bus-arn", "arn:aws:events:eu-west-1:111111111111:event-bus/default",
		"--accounts", "333333333333", "222222222222", "--aws-assume-role", "Scan", "--external-id", "e1")
	want := `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Core",
      "Effect": "Allow",
      "Action": [
        "ec2:DescribeRegions",
        "organizations:DescribeOrganization",
        "organizations:ListAccounts",
        "sts:GetCallerIdentity"
      ],
      "Resource": [
        "*"
      ]
    },
    {
      "Sid": "Placement",
      "Effect": "Allow",
      "Action": [
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeSubnets"
      ],
      "Resource": [
        "*"
      ]
    },
    {
      "Sid": "Dax",
      "Effect": "Allow",
      "Action": [
        "dax:DescribeClusters"
      ],
      "Resource": [
        "*"
      ]
    },
    {
      "Sid": "Vpce",
      "Effect": "Allow",
      "Action": [
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcEndpoints"
      ],
      "Resource": [
        "*"
      ]
    },
    {
      "Sid": "AssumeRole",
      "Effect": "Allow",
      "Action": [
        "sts:AssumeRole"
      ],
      "Resource": [
        "arn:aws:iam::222222222222:role/Scan",
        "arn:aws:iam::333333333333:role/Scan"
      ],
      "Condition": {
        "StringEquals": {
          "sts:ExternalId": "e1"
        }
      }
    },
    {
      "Sid": "DeliveryS3",
      "Effect": "Allow",
      "Action": [
        "s3:PutObject"
      ],
      "Resource": [
        "arn:aws:s3:::b-1/out/*"
      ]
    },
    {
      "Sid": "DeliveryEventBridge",
      "Effect": "Allow",
      "Action": [
        "events:PutEvents"
      ],
      "Resource": [
        "arn:aws:events:eu-west-1:111111111111:event-bus/default"
      ]
    }
  ]
}
`
	if code != exitOK || stdout != want || stderr != "" {
		t.Errorf("exit %d, stderr %q, stdout:\n%s", code, stderr, stdout)
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("policy made %d API calls", n)
	}
}

// --bucket without -o uses the scan's default output folder as the prefix;
// --partition reaches every ARN; --accounts ALL allows the role in any
// account.
func TestPolicyCommandDefaultsAndPartition(t *testing.T) {
	code, stdout, stderr := run(t, "policy", "-s", "rds", "--bucket", "b-1", "--partition", "aws-cn", "--accounts", "ALL", "--aws-assume-role", "Scan")
	for _, want := range []string{`"arn:aws-cn:s3:::b-1/output/*"`, `"arn:aws-cn:iam::*:role/Scan"`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %s (exit %d, %s):\n%s", want, code, stderr, stdout)
		}
	}
}

// policy has every flag of scan, under every name and alias, so that a scan
// command line works after `policy`; scan's --format is policy's own, which
// takes scan's values too. Each flag is in a help category.
func TestPolicyAcceptsEveryScanFlag(t *testing.T) {
	names := map[string]cli.Flag{}
	for _, f := range policyCommand(nil).Flags {
		for _, n := range f.Names() {
			if names[n] != nil {
				t.Errorf("policy defines --%s twice", n)
			}
			names[n] = f
		}
		if cf, ok := f.(cli.CategorizableFlag); !ok || cf.GetCategory() == "" {
			t.Errorf("policy --%s has no help category", f.Names()[0])
		}
	}
	for _, f := range scanCommand(nil).Flags {
		for _, n := range f.Names() {
			if names[n] == nil {
				t.Errorf("policy lacks scan's --%s", n)
			}
		}
		// The same flag type, default included (-o's default is the S3
		// prefix of the uploads); only --format is policy's.
		if n := f.Names()[0]; n != "format" && names[n] != nil {
			got, want := names[n].(cli.DocGenerationFlag), f.(cli.DocGenerationFlag)
			if reflect.TypeOf(got) != reflect.TypeOf(want) || got.GetDefaultText() != want.GetDefaultText() {
				t.Errorf("policy --%s is %T (default %q), scan's %T (default %q)", n, got, got.GetDefaultText(), want, want.GetDefaultText())
			}
		}
	}
	for n := range policyCallFlags {
		if f := names[n]; f == nil || f.(cli.CategorizableFlag).GetCategory() != callFlagsCategory {
			t.Errorf("--%s changes the policy but is not a scan flag in %q", n, callFlagsCategory)
		}
	}
}

// A full scan command line after `policy` prints exactly the policy of the
// flags that change the calls: the others are accepted and ignored.
func TestPolicyTakesScanCommandLine(t *testing.T) {
	calls := noAWS(t)
	accounts := filepath.Join(t.TempDir(), "accounts.txt")
	if err := os.WriteFile(accounts, []byte("# scanned\n222222222222\n333333333333 # prod\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const bus = "arn:aws:events:eu-west-1:111111111111:event-bus/default"
	cases := []struct{ full, minimal string }{
		{
			full: "policy -s rds dax -r us-east-1 eu-west-1 -m 5 --aws-profile x --truncate-output --report-only-risks" +
				" --filename-with-accountid --format csv,jsonl --shard 1/2 --accounts-file " + accounts +
				" --exclude-accounts 444444444444 --aws-assume-role Scan --external-id e1 --role-session-name run-1" +
				" --assume-role-duration 2h --log-level debug --log-format json --task-timeout 1m --retry-mode adaptive" +
				" --bucket b-1 --bucket-owner 111111111111 -o out/ --sse-kms-key-id alias/k --event-bus-arn " + bus,
			minimal: "policy -s rds,dax --accounts-file " + accounts + " --aws-assume-role Scan --external-id e1" +
				" --bucket b-1 -o out/ --sse-kms-key-id alias/k --event-bus-arn " + bus,
		},
		// The accounts of the file are those of --accounts.
		{
			full:    "policy -s rds --accounts-file " + accounts + " --aws-assume-role Scan",
			minimal: "policy -s rds --accounts 333333333333,222222222222 --aws-assume-role Scan",
		},
		{
			full:    "policy --concurrency 3 --profile x --report-only-issues --format jsonl --format csv --accounts ALL --aws-assume-role Scan",
			minimal: "policy --accounts ALL --aws-assume-role Scan",
		},
		// Without --bucket, -o is only the scan's local folder.
		{full: "policy --single-threaded -r ALL -o elsewhere/ --format csv", minimal: "policy"},
		{full: "policy --format json", minimal: "policy --policy-format json"},
		{
			full:    "policy --format cloudformation --format csv -s rds -r us-east-1 -m 5 --truncate-output --aws-assume-role Scan --external-id e1",
			minimal: "policy --policy-format cloudformation -s rds --aws-assume-role Scan --external-id e1",
		},
		{
			full:    "policy --policy-format cloudformation --format csv,jsonl,cloudformation -s rds",
			minimal: "policy --policy-format cloudformation -s rds",
		},
	}
	for _, c := range cases {
		code, full, stderr := run(t, strings.Fields(c.full)...)
		if code != exitOK || stderr != "" {
			t.Fatalf("faultline %s: exit %d, %s", c.full, code, stderr)
		}
		code, minimal, stderr := run(t, strings.Fields(c.minimal)...)
		if code != exitOK || stderr != "" {
			t.Fatalf("faultline %s: exit %d, %s", c.minimal, code, stderr)
		}
		if full != minimal {
			t.Errorf("faultline %s differs from faultline %s:\n%s\n---\n%s", c.full, c.minimal, full, minimal)
		}
	}
	// The call-changing flags of the first case all reached the policy.
	_, out, _ := run(t, strings.Fields(cases[0].minimal)...)
	for _, want := range []string{`"arn:aws:iam::222222222222:role/Scan"`, `"arn:aws:iam::333333333333:role/Scan"`, `"sts:ExternalId": "e1"`,
		`"arn:aws:s3:::b-1/out/*"`, `"kms:GenerateDataKey"`, `"` + bus + `"`, `"dax:DescribeClusters"`, `"rds:DescribeDBInstances"`} {
		if !strings.Contains(out, want) {
			t.Errorf("policy lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "444444444444") || strings.Contains(out, `"lambda:`) {
		t.Errorf("policy has more than the call-changing flags ask for:\n%s", out)
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("policy made %d API calls", n)
	}
}

// minimal_iam_policy.json is `faultline policy` for every service: it fails
// here when an analyser's actions change and the file is not regenerated
// (make policy).
func TestMinimalPolicyFileIsCurrent(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "..", "..", "minimal_iam_policy.json")
	onDisk, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "policy")
	if code != exitOK || stdout != string(onDisk) {
		t.Errorf("minimal_iam_policy.json is stale: run make policy (exit %d, %s)", code, stderr)
	}
}

func TestPolicyCommandCloudFormation(t *testing.T) {
	code, stdout, stderr := run(t, "policy", "--format", "cloudformation", "-s", "rds", "--aws-assume-role", "Scan", "--external-id", "e1")
	var tpl map[string]any
	if code != exitOK || json.Unmarshal([]byte(stdout), &tpl) != nil {
		t.Fatalf("exit %d, %s\n%s", code, stderr, stdout)
	}
	params := tpl["Parameters"].(map[string]any)
	if params["RoleName"].(map[string]any)["Default"] != "Scan" || params["ExternalId"].(map[string]any)["Default"] != "e1" {
		t.Errorf("parameters %v", params)
	}
	if !strings.Contains(stdout, `"rds:DescribeDBInstances"`) || strings.Contains(stdout, `"dax:DescribeClusters"`) {
		t.Errorf("inline policy is not the rds scan policy:\n%s", stdout)
	}
}

// Every bad policy command line: one exact line, exit 2, no API call.
func TestPolicyBadCommandLines(t *testing.T) {
	calls := noAWS(t)
	valid := "ALL, " + strings.Join(serviceKeys(), ", ")
	dir := t.TempDir()
	file, missing := filepath.Join(dir, "accounts.txt"), filepath.Join(dir, "missing.txt")
	if err := os.WriteFile(file, []byte("111111111111\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ args, want string }{
		{"policy -s nope", `unknown service "nope" in --services; valid: ` + valid},
		{"policy -s ALL rds", `--services ALL cannot be combined with service names; valid: ` + valid},
		{"policy --partition aws-iso", `--partition must be one of aws, aws-cn, aws-us-gov; got "aws-iso"`},
		{"policy --bucket Bad_Bucket", `--bucket invalid bucket name "Bad_Bucket": use only lower-case letters, digits, '.' and '-', starting and ending with a letter or digit`},
		{"policy --bucket ab", `--bucket invalid bucket name "ab": must be 3 to 63 characters long, got 2`},
		{"policy -o ''", `--output needs a folder name`},
		{"policy --bucket b-1 -o ''", `--output needs a folder name`},
		{"policy --bucket b-1 -o a*b/", `output prefix "a*b/" must not contain *, ? or ${ (IAM would read them as wildcards or variables)`},
		{"policy --event-bus-arn nope", `--event-bus-arn malformed event bus ARN "nope": arn: invalid prefix`},
		{"policy --event-bus-arn arn:aws:events:eu-west-1:111111111111:rule/r", `--event-bus-arn invalid event bus ARN "arn:aws:events:eu-west-1:111111111111:rule/r": resource must be event-bus/NAME`},
		{"policy --partition aws-cn --event-bus-arn arn:aws:events:eu-west-1:111111111111:event-bus/default", `--event-bus-arn is in partition aws but --partition is aws-cn`},
		{"policy --accounts 12345", `--accounts malformed account ID "12345": expected 12 digits`},
		{"policy --accounts 111111111111 ALL", `--accounts ALL cannot be combined with account IDs`},
		{"policy --accounts ''", `--accounts needs ALL or account IDs`},
		{"policy --aws-assume-role bad*role", `--aws-assume-role "bad*role" is not a valid IAM role name (1-64 of A-Z a-z 0-9 +=,.@_-; a path is allowed before it)`},
		{"policy --aws-assume-role /a*/Scan", `role name "a*/Scan" must not contain *, ? or ${ (IAM would read them as wildcards or variables)`},
		{"policy --external-id x", `--external-id needs --aws-assume-role`},
		{"policy --aws-assume-role Scan --external-id ''", `--external-id must be 2 to 1224 of A-Z a-z 0-9 +=,.@:/-`},
		{"policy --format yaml", `--format must be json or cloudformation (the policy's), or csv, jsonl, ocsf or html (the scan's); got "yaml"`},
		{"policy --format csv,xml", `--format must be json or cloudformation (the policy's), or csv, jsonl, ocsf or html (the scan's); got "xml"`},
		{"policy --format json,cloudformation", `--format takes one of json and cloudformation; got both`},
		{"policy --format json --policy-format cloudformation", `--format json conflicts with --policy-format cloudformation`},
		{"policy --policy-format yaml", `--policy-format must be json or cloudformation; got "yaml"`},
		{"policy --policy-format csv", `--policy-format must be json or cloudformation; got "csv"`},
		{"policy --format cloudformation --bucket b-1", `--bucket does not apply to --format cloudformation: the member-account role only reads`},
		{"policy --format cloudformation --event-bus-arn arn:aws:events:eu-west-1:111111111111:event-bus/default", `--event-bus-arn does not apply to --format cloudformation: the member-account role only reads`},
		{"policy --format cloudformation --accounts ALL", `--accounts does not apply to --format cloudformation: the member-account role only reads`},
		{"policy --policy-format cloudformation --accounts-file FILE", `--accounts-file does not apply to --policy-format cloudformation: the member-account role only reads`},
		// The scan's other flags, validated as scan validates them.
		{"policy -m 0", `--max-concurrent-threads must be at least 1, got 0`},
		{"policy --single-threaded -m 4", `--single-threaded conflicts with --max-concurrent-threads 4`},
		{"policy -r not_a_region", `malformed region "not_a_region" in --regions; use ALL or region names such as us-east-1, eu-west-2`},
		{"policy -r ALL us-east-1", `--regions ALL cannot be combined with region names; use ALL alone or names such as us-east-1`},
		{"policy --shard 3/2", `--shard must be K/N with 1 <= K <= N, got "3/2"`},
		{"policy --log-level loud", `--log-level must be one of debug, info, warn, error; got "loud"`},
		{"policy --log-format xml", `--log-format must be console or json; got "xml"`},
		{"policy --task-timeout 0s", `--task-timeout must be positive, got 0s`},
		{"policy --task-timeout soon", `invalid value "soon" for flag -task-timeout: parse error`},
		{"policy --retry-mode fast", `retry mode must be standard or adaptive, got "fast"`},
		{"policy --exclude-accounts 123", `malformed account ID "123": expected 12 digits in --exclude-accounts`},
		{"policy --accounts ALL --accounts-file FILE", `--accounts ALL conflicts with --accounts-file`},
		{"policy --accounts-file MISSING", `--accounts-file: open MISSING: no such file or directory`},
		{"policy --bucket-owner 111111111111", `--bucket-owner needs --bucket`},
		{"policy --role-session-name run-1", `--role-session-name needs --aws-assume-role`},
		{"policy --aws-assume-role Scan --assume-role-duration 1m", `--assume-role-duration must be between 15m and 12h, got 1m0s`},
		{"policy --no-such-flag", `flag provided but not defined: -no-such-flag`},
		{"policy extra", `unexpected argument "extra"; policy takes only flags (see faultline policy --help)`},
	}
	for _, c := range cases {
		args := strings.Fields(c.args)
		for i, a := range args {
			switch a {
			case "''":
				args[i] = ""
			case "FILE":
				args[i] = file
			case "MISSING":
				args[i] = missing
			}
		}
		code, stdout, stderr := run(t, args...)
		want := "faultline: " + strings.ReplaceAll(c.want, "MISSING", missing) + "\n"
		if code != exitUsage || stderr != want || stdout != "" {
			t.Errorf("faultline %s:\n got  %d %q (stdout %d bytes)\n want 2 %q", c.args, code, stderr, len(stdout), want)
		}
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("%d API calls made for bad command lines", n)
	}
}

// --reach and --flows add exactly those commands' actions, each as one
// statement; without the flags neither appears.
func TestPolicyReachAndFlowsSections(t *testing.T) {
	for _, c := range []struct {
		flag, sid string
		actions   []string
	}{{"--reach", policy.SidReach, reach.Actions}, {"--flows", policy.SidFlows, flows.Actions}} {
		code, stdout, stderr := run(t, "policy", "-s", "rds", c.flag)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var doc policy.Document
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, st := range doc.Statement {
			if st.Sid == c.sid {
				found = true
				if strings.Join(st.Action, ",") != strings.Join(c.actions, ",") || len(st.Resource) != 1 || st.Resource[0] != "*" {
					t.Errorf("%s statement %+v", c.sid, st)
				}
			}
		}
		if !found {
			t.Errorf("no %s statement in %s", c.sid, stdout)
		}
		_, without, _ := run(t, "policy", "-s", "rds")
		if strings.Contains(without, `"`+c.sid+`"`) {
			t.Errorf("%s statement without %s", c.sid, c.flag)
		}
	}
}

// --security-hub adds the DeliverySecurityHub statement, to the scanning
// policy and to the member-account role (each account imports its own
// findings); without it there is none.
func TestPolicySecurityHub(t *testing.T) {
	statement := `{
      "Sid": "DeliverySecurityHub",
      "Effect": "Allow",
      "Action": [
        "securityhub:BatchImportFindings"
      ],
      "Resource": [
        "arn:aws-cn:securityhub:*:*:product/*/default"
      ]
    }`
	code, stdout, stderr := run(t, "policy", "-s", "rds", "--security-hub", "--partition", "aws-cn")
	if code != exitOK || !strings.Contains(stdout, statement) {
		t.Errorf("exit %d %s: policy lacks\n%s\n%s", code, stderr, statement, stdout)
	}
	code, stdout, _ = run(t, "policy", "-s", "rds", "--security-hub", "--policy-format", "cloudformation")
	if code != exitOK || !strings.Contains(stdout, `"securityhub:BatchImportFindings"`) || !strings.Contains(stdout, `"DeliverySecurityHub"`) {
		t.Errorf("exit %d: member role lacks the Security Hub statement:\n%s", code, stdout)
	}
	if _, stdout, _ = run(t, "policy", "-s", "rds"); strings.Contains(stdout, "securityhub") {
		t.Errorf("policy without --security-hub allows securityhub:\n%s", stdout)
	}
}
