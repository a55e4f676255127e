package integration

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline/faultline/internal/motoserver"
	"github.com/faultline/faultline/internal/testbin"
)

// binary is the faultline binary, built once per test run.
func binary(t *testing.T) string { return testbin.Faultline(t) }

// scanResult is one run of the binary.
type scanResult struct {
	code         int
	stderr       string
	findings     [][]string // with header
	report       [][]string // with header
	findingsPath string
	reportPath   string
}

// runBinary runs faultline with keys against moto in dir, and reads the
// files it names in its summary.
func runBinary(t *testing.T, keys motoserver.Keys, extraEnv []string, args ...string) scanResult {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = append(testbin.CleanEnv(), moto.Env(keys)...)
	cmd.Env = append(cmd.Env, extraEnv...)
	r := testbin.Run(t, cmd)
	res := scanResult{code: r.Code, stderr: r.Stderr, findingsPath: r.FindingsPath, reportPath: r.ReportPath}
	if res.findingsPath != "" {
		res.findings = testbin.ReadCSV(t, res.findingsPath)
	}
	if res.reportPath != "" {
		res.report = testbin.ReadCSV(t, res.reportPath)
	}
	return res
}

// findingRows turns CSV records into rows, checking the columns the row
// type leaves out: account, payer and timestamp.
func findingRows(t *testing.T, records [][]string, account string) []row {
	t.Helper()
	want := "service,region,account_id,account_name,payer_account_id,payer_account_name,resource_arn,resource_name,resource_id,potential_single_az_risk,engine,message,timestamp,check_id,severity,resource_type,availability_zones,availability_zone_ids,muted"
	if len(records) == 0 || strings.Join(records[0], ",") != want {
		t.Fatalf("findings header: %v", records)
	}
	var rows []row
	for _, r := range records[1:] {
		if r[2] != account {
			t.Errorf("account_id %q, want %s", r[2], account)
		}
		if len(r[12]) != len("2026_11_23_04_41_05_+0000") || !strings.HasSuffix(r[12], "_+0000") {
			t.Errorf("timestamp %q", r[12])
		}
		rows = append(rows, row{r[0], r[1], r[6], r[7], r[8], r[9], r[10], r[11], r[13], r[14]})
	}
	return rows
}

// reportRows indexes run-report rows by region/service.
func reportRows(t *testing.T, records [][]string) map[string][]string {
	t.Helper()
	want := "account_id,region,service,result,error_message,start_time,end_time,runtime_in_seconds,error_code,api_calls,retries,resources,findings,events_published,events_failed"
	if len(records) == 0 || strings.Join(records[0], ",") != want {
		t.Fatalf("report header: %v", records)
	}
	out := map[string][]string{}
	for _, r := range records[1:] {
		out[r[1]+"/"+r[2]] = r
	}
	return out
}

// asWritten applies the CSV's severity rule to an analyser-level row: a
// row that is not a risk is written with severity INFO.
func asWritten(rows []row) []row {
	out := make([]row, len(rows))
	for i, r := range rows {
		if r.Risk == "False" {
			r.Severity = "INFO"
		}
		out[i] = r
	}
	return out
}

// estate is what the end-to-end test seeds: service key -> seeder (nil:
// scanned, but nothing seeded). docdb is scanned over the rds seed's Aurora
// and Neptune clusters and must report none of them; its own seeder is
// proven by TestMotoDocDB alone, because the clusters it creates are rds
// findings here.
var estate = []struct {
	service string
	seed    seeder
}{
	{"vpce", seedVPCE},
	{"docdb", nil},
	{"efs", seedEFS},
	{"opensearch", seedOpenSearch},
	{"fsx", seedFSx},
	{"lambda", seedLambda},
	{"dax", seedDAX},
	{"rds", seedRDS},
	{"memorydb", seedMemoryDB},
	{"cloudhsm", seedCloudHSM},
	{"redshift", seedRedshift},
}

// The real binary on a seeded account produces exactly the seeders' rows, a
// run-report row per task, and exit 0.
func TestBinaryScanEstate(t *testing.T) {
	ctx := context.Background()
	const account, region = "200000000001", "eu-west-1"
	keys, cfg := scannedAccount(t, ctx, account, region)
	var want []row
	var services []string
	for _, e := range estate {
		if e.seed != nil {
			want = append(want, e.seed(t, ctx, cfg)...)
		}
		services = append(services, e.service)
	}
	dir := t.TempDir()
	args := append([]string{"scan", "-o", dir, "-r", region, "--log-format", "json", "-s"}, services...)
	res := runBinary(t, keys, nil, args...)
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	compareRows(t, findingRows(t, res.findings, account), asWritten(want))
	report := reportRows(t, res.report)
	if len(report) != len(services)+1 {
		t.Errorf("report has %d rows, want %d", len(report), len(services)+1)
	}
	for _, s := range services {
		r := report[region+"/"+s]
		if r == nil || r[0] != account || r[3] != "Success" || r[8] != "" {
			t.Errorf("report row for %s: %v", s, r)
		}
	}
	if o := report["Overall/Overall"]; o == nil || o[3] != "Success" {
		t.Errorf("overall row: %v", o)
	}
	if filepath.Base(res.findingsPath) != "Resiliency_Findings_"+dateUTC()+".csv" {
		t.Errorf("findings file %s", res.findingsPath)
	}
}

// Tasks that fail (moto does not implement some calls) keep the rows they
// made before failing, get a Failure row with the error code, and do not
// stop the others; the exit code is 4 (the scan is incomplete). A global service runs once, in the
// region column "global".
func TestBinaryPartialFailure(t *testing.T) {
	ctx := context.Background()
	const account, region = "200000000002", "ap-southeast-2"
	keys, cfg := scannedAccount(t, ctx, account, region)
	dmsRows := seedDMS(t, ctx, cfg)
	want := append(seedElastiCache(t, ctx, cfg), seedDX(t, ctx, cfg)...)
	want = append(append(want, dmsRows...), seedLambda(t, ctx, cfg)...)
	dir := t.TempDir()
	res := runBinary(t, keys, []string{"AWS_MAX_ATTEMPTS=2"}, "scan", "-o", dir, "-r", region, "--log-format", "json",
		"-s", "dms", "elasticache", "dx", "sgw", "globalaccelerator", "lambda")
	if res.code != 4 {
		t.Fatalf("exit %d, want 4\n%s", res.code, res.stderr)
	}
	if !strings.Contains(res.stderr, "faultline: 5 of 6 tasks failed; see "+res.reportPath) {
		t.Errorf("stderr does not say what failed:\n%s", res.stderr)
	}
	compareRows(t, findingRows(t, res.findings, account), asWritten(want))
	report := reportRows(t, res.report)
	cases := []struct{ key, result, code, findings string }{
		{region + "/dms", "Failure", "HTTP500", fmt.Sprint(len(dmsRows))},
		{region + "/elasticache", "Failure", "HTTP500", "10"},
		{region + "/dx", "Failure", "HTTP500", "4"},
		{region + "/sgw", "Failure", "HTTP500", "0"},
		{"global/globalaccelerator", "Failure", "HTTP500", "0"},
		{region + "/lambda", "Success", "", "4"},
		{"Overall/Overall", "Failure", "", fmt.Sprint(len(want))},
	}
	for _, c := range cases {
		r := report[c.key]
		if r == nil || r[3] != c.result || r[8] != c.code || r[12] != c.findings {
			t.Errorf("%s: got %v, want %s/%s/%s findings", c.key, r, c.result, c.code, c.findings)
			continue
		}
		if c.result == "Failure" && c.key != "Overall/Overall" && (!strings.Contains(r[4], "StatusCode: 500") || r[10] != "1") {
			t.Errorf("%s: error message %q, retries %s (want the HTTP error and 1 retry)", c.key, r[4], r[10])
		}
	}
	if len(report) != len(cases) {
		t.Errorf("report rows: %d, want %d", len(report), len(cases))
	}
}
