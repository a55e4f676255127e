package integration

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/faultline/faultline/internal/motoserver"
	"github.com/faultline/faultline/internal/testbin"
)

// summaryLine is the scan summary's second line.
func summaryLine(t *testing.T, stderr string) string {
	t.Helper()
	for _, line := range strings.Split(stderr, "\n") {
		if strings.Contains(line, " potential single-AZ risks, ") {
			return line
		}
	}
	t.Fatalf("no summary line in:\n%s", stderr)
	return ""
}

// A run that appends to today's file says so, with the rows the file holds
// after it; a new or truncated file gets the usual line.
func TestBinaryAppendSummary(t *testing.T) {
	ctx := context.Background()
	const account, region = "214000000001", "eu-west-2"
	keys, cfg := scannedAccount(t, ctx, account, region)
	seeded := seedLambda(t, ctx, cfg)
	risks := 0
	for _, r := range seeded {
		if r.Risk == "True" {
			risks++
		}
	}
	dir := filepath.Join(t.TempDir(), "out")
	args := []string{"scan", "-o", dir, "-r", region, "-s", "lambda", "--log-format", "json"}
	prefix := fmt.Sprintf("faultline: %d resources, %d potential single-AZ risks, ", len(seeded), risks)
	for i, c := range []struct {
		extra []string
		want  string
	}{
		{nil, fmt.Sprintf("%d rows written", len(seeded))},
		{nil, fmt.Sprintf("appended %d rows, file has %d", len(seeded), 2*len(seeded))},
		{nil, fmt.Sprintf("appended %d rows, file has %d", len(seeded), 3*len(seeded))},
		{[]string{"--truncate-output"}, fmt.Sprintf("%d rows written", len(seeded))},
		{[]string{"--report-only-risks"}, fmt.Sprintf("appended %d rows, file has %d", risks, len(seeded)+risks)},
	} {
		res := runBinary(t, keys, nil, append(args, c.extra...)...)
		if res.code != 0 {
			t.Fatalf("run %d: exit %d\n%s", i+1, res.code, res.stderr)
		}
		if got := summaryLine(t, res.stderr); got != prefix+c.want {
			t.Errorf("run %d: %q, want %q", i+1, got, prefix+c.want)
		}
		// M is the file's data rows after the run.
		if strings.Contains(c.want, "file has") && !strings.HasSuffix(c.want, fmt.Sprintf("file has %d", len(res.findings)-1)) {
			t.Errorf("run %d: the file has %d data rows", i+1, len(res.findings)-1)
		}
	}
}

// faultline diff between two real scans: a Lambda function made risky
// since is new (exit 3), one deleted is resolved, not in NEW; the others
// are unchanged. A scan compared with itself is exit 0.
func TestBinaryDiffBetweenScans(t *testing.T) {
	ctx := context.Background()
	const account, region = "214000000002", "eu-west-2"
	keys, cfg := scannedAccount(t, ctx, account, region)
	seedLambda(t, ctx, cfg)
	oldDir, newDir := filepath.Join(t.TempDir(), "old"), filepath.Join(t.TempDir(), "new")
	args := []string{"scan", "-r", region, "-s", "lambda", "--log-format", "json"}
	if res := runBinary(t, keys, nil, append(args, "-o", oldDir)...); res.code != 0 {
		t.Fatalf("old scan: exit %d\n%s", res.code, res.stderr)
	}
	api := lambda.NewFromConfig(cfg)
	if _, err := api.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("fn-one-subnet")}); err != nil {
		t.Fatal(err)
	}
	subnets := defaultSubnets(t, ctx, cfg)
	if _, err := api.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("fn-new-risk"), Runtime: lambdatypes.RuntimePython312, Handler: aws.String("index.handler"),
		Role: aws.String(lambdaRole(t, ctx, cfg)), Code: &lambdatypes.FunctionCode{ZipFile: motoserver.LambdaZip()},
		VpcConfig: &lambdatypes.VpcConfig{SubnetIds: []string{subnets[region+"a"]}, SecurityGroupIds: []string{}},
	}); err != nil {
		t.Fatal(err)
	}
	if res := runBinary(t, keys, nil, append(args, "-o", newDir)...); res.code != 0 {
		t.Fatalf("new scan: exit %d\n%s", res.code, res.stderr)
	}

	diff := func(args ...string) testbin.Result {
		cmd := exec.Command(binary(t), append([]string{"diff"}, args...)...)
		cmd.Env = testbin.CleanEnv()
		return testbin.Run(t, cmd)
	}
	fn := "arn:aws:lambda:" + region + ":" + account + ":function:"
	want := `1 new risk, 1 resolved (0 no longer at risk, 1 not in NEW), 0 changed, 1 unchanged

New risks (1):
  HIGH LAMBDA-1 ` + account + ` ` + region + ` ` + fn + `fn-new-risk (not in OLD)
    Lambda function fn-new-risk runs in 1 subnet, all in one Availability Zone (` + region + `a).

Resolved (1):
  HIGH LAMBDA-1 ` + account + ` ` + region + ` ` + fn + `fn-one-subnet (not in NEW)
    was: Lambda function fn-one-subnet runs in 1 subnet, all in one Availability Zone (` + region + `a).
`
	res := diff(oldDir, newDir)
	if res.Code != 3 || res.Stdout != want || res.Stderr != "faultline: 1 new risk in "+newDir+" that "+oldDir+" did not have\n" {
		t.Errorf("diff: exit %d\n%s\nstderr %q", res.Code, res.Stdout, res.Stderr)
	}
	res = diff(newDir, newDir)
	if res.Code != 0 || res.Stdout != "0 new risks, 0 resolved, 0 changed, 2 unchanged\n" || res.Stderr != "" {
		t.Errorf("diff with itself: exit %d %q %q", res.Code, res.Stdout, res.Stderr)
	}
}

// A run refused before any task leaves no output folder it created behind
// (a region the account has not enabled, every account excluded), and
// never removes one that existed.
func TestBinaryRefusedRunLeavesNoFolder(t *testing.T) {
	ctx := context.Background()
	const account = "214000000003"
	keys, err := moto.AccountKeys(ctx, account, "scanner")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-r", "xx-north-9", "-s", "lambda"}, `faultline: region "xx-north-9" is not enabled in account ` + account + `; enabled: `},
		{[]string{"--exclude-accounts", account, "-r", "eu-west-1"}, "faultline: --exclude-accounts leaves no account to scan: it excludes every account requested (no --accounts, so the caller's: " + account + ")\n"},
	}
	for _, c := range cases {
		dir := filepath.Join(root, "new", "out")
		res := runBinary(t, keys, nil, append([]string{"scan", "-o", dir, "--log-format", "json"}, c.args...)...)
		if res.code != 2 || !strings.HasPrefix(res.stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q", c.args, res.code, res.stderr)
		}
		if _, err := os.Stat(filepath.Join(root, "new")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%v: the folder it created is left: %v", c.args, err)
		}
		// collect refuses the same way.
		res = runBinary(t, keys, nil, append([]string{"collect", "-o", dir, "--log-format", "json"}, c.args...)...)
		if _, err := os.Stat(filepath.Join(root, "new")); res.code != 2 || !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("collect %v: exit %d, folder %v", c.args, res.code, err)
		}
	}
	existing := filepath.Join(root, "existing")
	os.Mkdir(existing, 0o700)
	res := runBinary(t, keys, nil, "scan", "-o", existing, "-r", "xx-north-9", "--log-format", "json")
	if _, err := os.Stat(existing); res.code != 2 || err != nil {
		t.Errorf("existing folder: exit %d, %v", res.code, err)
	}
}
