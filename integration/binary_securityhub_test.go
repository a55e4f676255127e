package integration

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
)

// --security-hub through moto, which implements BatchImportFindings and
// GetFindings: the risks of the scan (and only they) are in the account's
// Security Hub as ASFF findings with stable Ids, and the summary counts
// them. A second run updates the same findings rather than adding more.
// (moto neither enforces IAM nor refuses findings, so FailedFindings and
// exit 4 are tested with a fake in package delivery.)
func TestBinarySecurityHub(t *testing.T) {
	ctx := context.Background()
	const account, region = "214000000014", "eu-west-2"
	keys, cfg := scannedAccount(t, ctx, account, region)
	seeded := seedLambda(t, ctx, cfg)
	var riskARNs []string
	for _, r := range seeded {
		if r.Risk == "True" {
			riskARNs = append(riskARNs, r.ResourceARN)
		}
	}
	slices.Sort(riskARNs)
	if len(riskARNs) == 0 || len(riskARNs) == len(seeded) {
		t.Fatalf("the seed needs risks and non-risks: %v", seeded)
	}
	dir := filepath.Join(t.TempDir(), "out")
	for run := 1; run <= 2; run++ {
		res := runBinary(t, keys, nil, "scan", "-o", dir, "-r", region, "-s", "lambda", "--log-format", "json", "--security-hub")
		if res.code != 0 {
			t.Fatalf("run %d: exit %d\n%s", run, res.code, res.stderr)
		}
		if want := fmt.Sprintf("faultline: security hub: %d imported, 0 failed\n", len(riskARNs)); !strings.Contains(res.stderr, want) {
			t.Errorf("run %d: stderr lacks %q:\n%s", run, want, res.stderr)
		}
		out, err := securityhub.NewFromConfig(cfg).GetFindings(ctx, &securityhub.GetFindingsInput{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range out.Findings {
			if aws.ToString(f.AwsAccountId) != account || aws.ToString(f.SchemaVersion) != "2018-10-08" ||
				!strings.HasPrefix(aws.ToString(f.GeneratorId), "LAMBDA-") || len(f.Resources) != 1 ||
				aws.ToString(f.ProductArn) != "arn:aws:securityhub:"+region+":"+account+":product/"+account+"/default" {
				t.Errorf("run %d: finding %+v", run, f)
				continue
			}
			got = append(got, aws.ToString(f.Resources[0].Id))
		}
		slices.Sort(got)
		if !slices.Equal(got, riskARNs) {
			t.Errorf("run %d: Security Hub holds findings for\n%v\nwant the risks\n%v", run, got, riskARNs)
		}
	}
}
