package integration

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// A well-formed region the account has not enabled stops the scan with exit
// 2 before any task runs or any file is written.
func TestBinaryRegionNotEnabled(t *testing.T) {
	ctx := context.Background()
	keys, err := moto.AccountKeys(ctx, "200000000010", "scanner")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	res := runBinary(t, keys, nil, "scan", "-o", dir, "-r", "eu-west-1", "xx-north-9", "-s", "lambda")
	if res.code != 2 || !strings.HasPrefix(res.stderr, `faultline: region "xx-north-9" is not enabled in account 200000000010; enabled: af-south-1, `) {
		t.Errorf("exit %d, stderr %q", res.code, res.stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files written: %v", entries)
	}
}

// With an organization, the account and payer names fill their columns and
// --filename-with-accountid names the files after the account;
// --report-only-risks keeps only True rows; a second run appends.
func TestBinaryOrgNamesOnlyRisksAndAppend(t *testing.T) {
	ctx := context.Background()
	const account, region = "200000000011", "eu-west-3"
	cfg, err := moto.Config(ctx, account, region)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := organizations.NewFromConfig(cfg).CreateOrganization(ctx, &organizations.CreateOrganizationInput{
		FeatureSet: orgtypes.OrganizationFeatureSetAll,
	}); err != nil {
		t.Fatal(err)
	}
	keys, err := moto.AccountKeys(ctx, account, "scanner")
	if err != nil {
		t.Fatal(err)
	}
	seeded := seedLambda(t, ctx, cfg)
	var risky []row
	for _, r := range seeded {
		if r.Risk == "True" {
			risky = append(risky, r)
		}
	}
	dir := t.TempDir()
	args := []string{"scan", "-o", dir + "/", "-r", region, "-s", "lambda", "--filename-with-accountid", "--report-only-risks", "--log-format", "json"}
	res := runBinary(t, keys, nil, args...)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	wantName := "Resiliency_Findings_" + account + "_master_" + dateUTC()
	if filepath.Base(res.findingsPath) != wantName+".csv" || filepath.Base(res.reportPath) != wantName+"_run_report.csv" {
		t.Errorf("files %s %s", res.findingsPath, res.reportPath)
	}
	compareRows(t, findingRows(t, res.findings, account), risky)
	for _, r := range res.findings[1:] {
		if r[3] != "master" || r[4] != account || r[5] != "master" {
			t.Errorf("name/payer columns %q %q %q", r[3], r[4], r[5])
		}
	}
	report := reportRows(t, res.report)
	if r := report[region+"/lambda"]; r[11] != "4" || r[12] != "2" {
		t.Errorf("resources/findings %s/%s, want 4/2", r[11], r[12])
	}

	// Same day, no --truncate-output: rows are appended under one header.
	res = runBinary(t, keys, nil, args...)
	if len(res.findings) != 1+2*len(risky) || len(res.report) != 1+2*2 {
		t.Errorf("after append: %d finding lines, %d report lines", len(res.findings), len(res.report))
	}
	// --truncate-output replaces them.
	res = runBinary(t, keys, nil, append(args, "--truncate-output")...)
	if len(res.findings) != 1+len(risky) || len(res.report) != 1+2 {
		t.Errorf("after truncate: %d finding lines, %d report lines", len(res.findings), len(res.report))
	}
	for _, p := range []string{res.findingsPath, res.reportPath} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", p, st.Mode(), err)
		}
	}
}

// The seed's --aws-assume-role without --accounts: the role is assumed in
// the caller's own account and that account is scanned.
func TestBinaryAssumeRoleInOwnAccount(t *testing.T) {
	ctx := context.Background()
	const account, region = "200000000012", "ca-central-1"
	keys, cfg := scannedAccount(t, ctx, account, region)
	want := asWritten(seedLambda(t, ctx, cfg))
	res := runBinary(t, keys, nil, "scan", "-o", t.TempDir(), "-r", region, "-s", "lambda", "--aws-assume-role", "FaultlineReadOnly",
		"--external-id", "ext-123", "--log-format", "json")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	compareRows(t, findingRows(t, res.findings, account), want)
}
