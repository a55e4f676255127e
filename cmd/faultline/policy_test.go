package main

import (
	"encoding/json"
	"os"
	"path/filepath"
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

// The -o default of policy is scan's: the uploads land under scan's folder.
func TestPolicyOutputDefaultIsScans(t *testing.T) {
	for _, f := range scanCommand(nil).Flags {
		if sf, ok := f.(*cli.StringFlag); ok && sf.Name == "output" {
			if sf.Value != scanDefaultOutput {
				t.Errorf("scan -o default %q, policy assumes %q", sf.Value, scanDefaultOutput)
			}
			return
		}
	}
	t.Error("scan has no --output flag")
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
	cases := []struct{ args, want string }{
		{"policy -s nope", `unknown service "nope" in --services; valid: ` + valid},
		{"policy -s ALL rds", `--services ALL cannot be combined with service names; valid: ` + valid},
		{"policy --partition aws-iso", `--partition must be one of aws, aws-cn, aws-us-gov; got "aws-iso"`},
		{"policy --bucket Bad_Bucket", `--bucket invalid bucket name "Bad_Bucket": use only lower-case letters, digits, '.' and '-', starting and ending with a letter or digit`},
		{"policy --bucket ab", `--bucket invalid bucket name "ab": must be 3 to 63 characters long, got 2`},
		{"policy -o out/", `--output is the S3 key prefix of the uploads and needs --bucket`},
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
		{"policy --format yaml", `--format must be json or cloudformation; got "yaml"`},
		{"policy --format cloudformation --bucket b-1", `--bucket does not apply to --format cloudformation: the member-account role only reads`},
		{"policy --format cloudformation --event-bus-arn arn:aws:events:eu-west-1:111111111111:event-bus/default", `--event-bus-arn does not apply to --format cloudformation: the member-account role only reads`},
		{"policy --format cloudformation --accounts ALL", `--accounts does not apply to --format cloudformation: the member-account role only reads`},
		{"policy --no-such-flag", `flag provided but not defined: -no-such-flag`},
		{"policy extra", `unexpected argument "extra"; policy takes only flags (see faultline policy --help)`},
	}
	for _, c := range cases {
		args := strings.Fields(c.args)
		for i, a := range args {
			if a == "''" {
				args[i] = ""
			}
		}
		code, stdout, stderr := run(t, args...)
		want := "faultline: " + c.want + "\n"
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
