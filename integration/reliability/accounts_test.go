package reliability

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/faultline/faultline/internal/faultproxy"
	"github.com/faultline/faultline/internal/testbin"
)

// An account whose role cannot be assumed gets one account-setup row with
// the AWS code; the other accounts are scanned; exit 4. moto never refuses
// AssumeRole, so the proxy refuses it for one account.
func TestDeniedAccountSetup(t *testing.T) {
	ctx := context.Background()
	const caller, denied, other = "300000000061", "300000000062", "300000000063"
	for _, account := range []string{caller, denied, other} {
		cfg, err := moto.Config(ctx, account, regionA)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rds.NewFromConfig(cfg).CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
			DBInstanceIdentifier: aws.String("db-" + account), Engine: aws.String("postgres"), DBInstanceClass: aws.String("db.t3.micro"),
			AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("password123"),
		}); err != nil {
			t.Fatal(err)
		}
	}
	keys, err := moto.AccountKeys(ctx, caller, "org-scanner")
	if err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, faultproxy.Faults{DenyCalls: []string{"sts AssumeRole " + denied}})
	dir := t.TempDir()
	res := scan(t, p, keys, nil, "--truncate-output", "-o", dir, "-r", regionA, "-s", "rds",
		"--accounts", caller, denied, other, "--aws-assume-role", "Scanner")
	if res.code != 4 {
		t.Fatalf("exit %d, want 4\n%s", res.code, res.stderr)
	}
	if !strings.Contains(res.stderr, "faultline: 1 of 3 tasks failed; see "+res.reportPath) {
		t.Errorf("stderr:\n%s", res.stderr)
	}
	rows := testbin.ReadCSV(t, res.reportPath)
	got := map[string]string{}
	for _, r := range rows[1:] {
		got[r[0]+"/"+r[2]] = r[3] + " " + r[8]
	}
	want := map[string]string{
		denied + "/account-setup": "Failure AccessDenied",
		caller + "/rds":           "Success ",
		other + "/rds":            "Success ",
		caller + "/Overall":       "Failure ",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q (report %v)", k, got[k], v, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("report rows %v", got)
	}
	var scanned []string
	for _, f := range testbin.ReadCSV(t, res.findingsPath)[1:] {
		scanned = append(scanned, f[2]+" "+f[7])
	}
	if strings.Join(scanned, ",") != caller+" db-"+caller+","+other+" db-"+other &&
		strings.Join(scanned, ",") != other+" db-"+other+","+caller+" db-"+caller {
		t.Errorf("findings from %v, want one row from each scanned account", scanned)
	}
}
