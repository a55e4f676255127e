package integration

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/faultline/faultline/internal/motoserver"
	"github.com/faultline/faultline/internal/testbin"
)

// The gate estate, seeded once and only read by the tests of this file:
// the lambda estate (two HIGH risks, LAMBDA-1) and one MEDIUM risk, an
// Aurora Serverless v1 cluster (RDS-3).
const gateAccount, gateRegion = "220000000001", "eu-central-1"

var gate struct {
	sync.Mutex
	seeded     bool
	keys       motoserver.Keys
	lambdaRows []row
	rdsRow     row
}

func seedGate(t *testing.T) (keys motoserver.Keys, lambdaRows []row, rdsRow row) {
	t.Helper()
	gate.Lock()
	defer gate.Unlock()
	if !gate.seeded {
		ctx := context.Background()
		keys, cfg := scannedAccount(t, ctx, gateAccount, gateRegion)
		lambdaRows := seedLambda(t, ctx, cfg)
		api := rds.NewFromConfig(cfg)
		rdsSeedCluster(t, ctx, api, "aurora-sv1", "aurora-mysql", "serverless")
		cl := rdsSeedDescribeCluster(t, ctx, api, "aurora-sv1")
		gate.rdsRow = row{"rds", gateRegion, *cl.DBClusterArn, "aurora-sv1", *cl.DbClusterResourceId, "True", *cl.Engine,
			"Aurora Serverless v1 cluster aurora-sv1 runs its capacity in a single Availability Zone; if that zone fails, AWS recreates the capacity in another zone and the database is unavailable during the move.",
			"RDS-3", "MEDIUM"}
		gate.keys, gate.lambdaRows, gate.seeded = keys, lambdaRows, true
	}
	return gate.keys, gate.lambdaRows, gate.rdsRow
}

// noTerminalOutput fails unless every stderr line is a JSON log line or
// one of faultline's "faultline: " lines: without a terminal there is no
// progress bar and no table.
func noTerminalOutput(t *testing.T, stderr string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
		if !strings.HasPrefix(line, "{") && !strings.HasPrefix(line, "faultline: ") {
			t.Errorf("stderr line %q is neither a log line nor a faultline: line\n%s", line, stderr)
		}
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// --fail-on: exit 3 when an unmuted risk at or above it is written, with
// a one-line reason; 0 when the risks are below it or muted.
func TestBinaryFailOn(t *testing.T) {
	const account, region = gateAccount, gateRegion
	keys, lambdaRows, rdsRow := seedGate(t)
	scan := func(args ...string) scanResult {
		t.Helper()
		res := runBinary(t, keys, nil, append([]string{"scan", "-o", t.TempDir(), "-r", region, "--log-format", "json"}, args...)...)
		noTerminalOutput(t, res.stderr)
		return res
	}

	res := scan("-s", "lambda,rds", "--fail-on", "HIGH")
	if res.code != 3 {
		t.Fatalf("HIGH risks, --fail-on HIGH: exit %d, want 3\n%s", res.code, res.stderr)
	}
	if want := "faultline: 2 unmuted risks at or above HIGH written (--fail-on HIGH); see " + res.findingsPath; lastLine(res.stderr) != want {
		t.Errorf("last stderr line %q, want %q", lastLine(res.stderr), want)
	}
	compareRows(t, findingRows(t, res.findings, account), asWritten(append(lambdaRows, rdsRow)))

	if res := scan("-s", "rds", "--fail-on", "HIGH"); res.code != 0 {
		t.Errorf("only a MEDIUM risk, --fail-on HIGH: exit %d, want 0\n%s", res.code, res.stderr)
	}
	res = scan("-s", "rds", "--fail-on", "medium")
	if want := "faultline: 1 unmuted risk at or above MEDIUM written (--fail-on MEDIUM); see " + res.findingsPath; res.code != 3 || lastLine(res.stderr) != want {
		t.Errorf("MEDIUM risk, --fail-on MEDIUM: exit %d, last line %q; want 3, %q", res.code, lastLine(res.stderr), want)
	}

	// The HIGH risks muted: exit 0; the muted column (last, in CSV and
	// JSONL) holds the reason; the expired entry mutes nothing and says so.
	mutelistPath := filepath.Join(t.TempDir(), "mutelist.yaml")
	os.WriteFile(mutelistPath, []byte(`mutelist:
  - check: LAMBDA-1
    account: "`+account+`"
    region: `+region+`
    resource: arn:aws:lambda:`+region+`:`+account+`:function:fn-.*
    reason: moving to two AZs in sprint 12
  - check: RDS-3
    reason: old exception
    expires: 2020-01-01
`), 0o600)
	res = scan("-s", "lambda,rds", "--fail-on", "HIGH", "--mutelist", mutelistPath, "--format", "csv,jsonl,ocsf,html")
	if res.code != 0 {
		t.Fatalf("muted HIGH risks, --fail-on HIGH: exit %d, want 0\n%s", res.code, res.stderr)
	}
	for _, want := range []string{
		"faultline: mutelist entry 2 (old exception) expired on 2020-01-01, so it mutes nothing\n",
		"faultline: muted      3 rows (2 risks) by " + mutelistPath + "\n",
	} {
		if strings.Count(res.stderr, want) != 1 {
			t.Errorf("stderr does not say %q once:\n%s", want, res.stderr)
		}
	}
	header := res.findings[0]
	if header[len(header)-1] != "muted" || header[len(header)-2] != "availability_zone_ids" {
		t.Errorf("header %v: muted must be the last column, after availability_zone_ids", header)
	}
	muted := map[string]string{}
	for _, r := range res.findings[1:] {
		muted[r[7]] = r[len(r)-1]
	}
	wantMuted := map[string]string{
		"fn-one-subnet": "moving to two AZs in sprint 12", "fn-two-subnets-one-az": "moving to two AZs in sprint 12",
		"fn-two-azs": "moving to two AZs in sprint 12", "fn-no-vpc": "", "aurora-sv1": "",
	}
	if fmt.Sprint(muted) != fmt.Sprint(wantMuted) {
		t.Errorf("muted column %v, want %v", muted, wantMuted)
	}
	jsonl := strings.TrimSuffix(res.findingsPath, ".csv") + ".jsonl"
	b, err := os.ReadFile(jsonl)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	for _, line := range lines {
		var obj struct {
			Name  string `json:"resource_name"`
			Muted string `json:"muted"`
		}
		if err := json.Unmarshal([]byte(line), &obj); err != nil {
			t.Fatal(err)
		}
		if want := `"muted":"` + wantMuted[obj.Name] + `"}`; !strings.HasSuffix(line, want) {
			t.Errorf("jsonl line of %s does not end with %s: %s", obj.Name, want, line)
		}
	}
	if len(lines) != len(wantMuted) {
		t.Errorf("%d JSONL lines, want %d", len(lines), len(wantMuted))
	}

	// The OCSF file: one Detection Finding per row, muted rows Suppressed,
	// rows that are not risks PASS; its path in the summary.
	ocsfPath := strings.TrimSuffix(res.findingsPath, ".csv") + ".ocsf.jsonl"
	if want := "faultline: ocsf       " + ocsfPath + "\n"; !strings.Contains(res.stderr, want) {
		t.Errorf("stderr does not say %q:\n%s", want, res.stderr)
	}
	risk := map[string]string{}
	for _, r := range res.findings[1:] {
		risk[r[7]] = r[9]
	}
	if st, err := os.Stat(ocsfPath); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("ocsf file: %v %v", st, err)
	}
	b, _ = os.ReadFile(ocsfPath)
	lines = strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	got := map[string]string{}
	for _, line := range lines {
		var obj struct {
			ClassUID   int    `json:"class_uid"`
			Status     string `json:"status"`
			StatusCode string `json:"status_code"`
			Cloud      struct {
				Account struct {
					UID string `json:"uid"`
				} `json:"account"`
			} `json:"cloud"`
			Resources []struct {
				Name string `json:"name"`
			} `json:"resources"`
		}
		if err := json.Unmarshal([]byte(line), &obj); err != nil || len(obj.Resources) != 1 {
			t.Fatalf("ocsf line %s: %v", line, err)
		}
		if obj.ClassUID != 2004 || obj.Cloud.Account.UID != account {
			t.Errorf("ocsf line: %s", line)
		}
		got[obj.Resources[0].Name] = obj.Status + " " + obj.StatusCode
	}
	want := map[string]string{}
	for name, reason := range wantMuted {
		status, code := "New", "PASS"
		if reason != "" {
			status = "Suppressed"
		}
		if risk[name] == "True" {
			code = "FAIL"
		}
		want[name] = status + " " + code
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || len(lines) != len(wantMuted) {
		t.Errorf("ocsf statuses %v (%d lines), want %v", got, len(lines), want)
	}

	// The HTML page: its path in the summary; the counts of this run.
	htmlPath := strings.TrimSuffix(res.findingsPath, ".csv") + ".html"
	if want := "faultline: html       " + htmlPath + "\n"; !strings.Contains(res.stderr, want) {
		t.Errorf("stderr does not say %q:\n%s", want, res.stderr)
	}
	page, err := os.ReadFile(htmlPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		fmt.Sprintf(`<b id="count-rows">%d</b>rows`, len(wantMuted)),
		`<b id="count-muted">3</b>muted rows`,
		`<td class="verdict">muted: moving to two AZs in sprint 12</td>`,
		`<summary>Account ` + account,
	} {
		if !strings.Contains(string(page), want) {
			t.Errorf("html page lacks %s", want)
		}
	}
}

// A failed task and a tripped --fail-on: the incomplete scan's 4 wins, and
// the line says both.
func TestBinaryIncompleteWinsOverFailOn(t *testing.T) {
	keys, _, _ := seedGate(t)
	region := gateRegion
	res := runBinary(t, keys, []string{"AWS_MAX_ATTEMPTS=2"}, "scan", "-o", t.TempDir(), "-r", region, "--log-format", "json",
		"-s", "lambda,sgw", "--fail-on", "HIGH")
	want := "faultline: 1 of 2 tasks failed; see " + res.reportPath + "; also 2 unmuted risks at or above HIGH written (--fail-on HIGH); see " + res.findingsPath
	if res.code != 4 || lastLine(res.stderr) != want {
		t.Errorf("exit %d, last line %q; want 4, %q\n%s", res.code, lastLine(res.stderr), want, res.stderr)
	}
	noTerminalOutput(t, res.stderr)
}

// --checks, --excluded-checks, --excluded-services and --severity choose
// the tasks run and the rows written.
func TestBinarySelection(t *testing.T) {
	const account, region = gateAccount, gateRegion
	keys, lambdaRows, rdsRow := seedGate(t)
	pick := func(rows []row, keep func(row) bool) []row {
		var out []row
		for _, r := range rows {
			if keep(r) {
				out = append(out, r)
			}
		}
		return out
	}
	all := asWritten(append(lambdaRows, rdsRow))
	cases := []struct {
		args     string
		tasks    string // the run report's task rows
		wantRows []row
	}{
		{"-s lambda,rds --checks LAMBDA-1,RDS-3 --severity HIGH,MEDIUM", "lambda rds",
			pick(all, func(r row) bool { return r.Risk == "True" })},
		{"--checks LAMBDA-1", "lambda",
			pick(all, func(r row) bool { return r.CheckID == "LAMBDA-1" })},
		{"-s lambda,rds --excluded-services rds --excluded-checks LAMBDA-2", "lambda",
			pick(all, func(r row) bool { return r.CheckID == "LAMBDA-1" })},
		// Rows that are not risks are INFO: --severity INFO writes them.
		{"-s lambda,rds --severity INFO", "lambda rds",
			pick(all, func(r row) bool { return r.Risk == "False" })},
	}
	for _, c := range cases {
		res := runBinary(t, keys, nil, append([]string{"scan", "-o", t.TempDir(), "-r", region, "--log-format", "json"}, strings.Fields(c.args)...)...)
		if res.code != 0 {
			t.Errorf("%s: exit %d\n%s", c.args, res.code, res.stderr)
			continue
		}
		noTerminalOutput(t, res.stderr)
		compareRows(t, findingRows(t, res.findings, account), c.wantRows)
		var tasks []string
		for key := range reportRows(t, res.report) {
			if key != "Overall/Overall" {
				tasks = append(tasks, strings.TrimPrefix(key, region+"/"))
			}
		}
		sort.Strings(tasks)
		if strings.Join(tasks, " ") != c.tasks {
			t.Errorf("%s: tasks %v, want %s", c.args, tasks, c.tasks)
		}
	}
}

// On a terminal (a pseudo-terminal from util-linux script), the scan shows
// its progress bar while it runs, then the risks table and the failed
// services, exactly.
func TestBinaryTerminalOutput(t *testing.T) {
	script, err := exec.LookPath("script")
	if err != nil {
		t.Skip("util-linux script is not installed: the terminal output is tested by the renderer's unit test only")
	}
	const account, region = gateAccount, gateRegion
	keys, _, _ := seedGate(t)
	dir := t.TempDir()
	args := []string{binary(t), "scan", "-o", dir, "-r", region, "--log-format", "json", "-s", "lambda,rds,sgw"}
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	cmd := exec.Command(script, "-qec", strings.Join(quoted, " "), os.DevNull)
	cmd.Env = append(append(testbin.CleanEnv(), moto.Env(keys)...), "AWS_MAX_ATTEMPTS=2")
	cmd.Stdin = bytes.NewReader(nil)
	r := testbin.Run(t, cmd)
	out := strings.ReplaceAll(r.Stdout, "\r\n", "\n")
	if r.Code != 4 {
		t.Fatalf("exit %d, want 4\n%s", r.Code, out)
	}
	if !strings.Contains(out, "scanning, 0 failed") || !strings.Contains(out, "(0/3)") {
		t.Errorf("no progress bar (done/total, failures) on the terminal:\n%q", out)
	}

	// The table, from the file the scan wrote.
	findingsPath := filepath.Join(dir, "Resiliency_Findings_"+dateUTC()+".csv")
	records := testbin.ReadCSV(t, findingsPath)
	azIDs := map[string]string{}
	for _, rec := range records[1:] {
		azIDs[rec[7]] = rec[17]
	}
	var want strings.Builder
	want.WriteString("\nUnmuted risks: 3, most severe first\n")
	tw := tabwriter.NewWriter(&want, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEVERITY\tSERVICE\tREGION\tAZ IDS\tCHECK\tACCOUNT\tRESOURCE")
	for _, r := range [][]string{
		{"HIGH", "lambda", "fn-one-subnet", "LAMBDA-1"},
		{"HIGH", "lambda", "fn-two-subnets-one-az", "LAMBDA-1"},
		{"MEDIUM", "rds", "aurora-sv1", "RDS-3"},
	} {
		ids := azIDs[r[2]]
		if ids == "" {
			ids = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r[0], r[1], region, ids, r[3], account, r[2])
	}
	tw.Flush()
	want.WriteString("\nFailed services (the run report has each task's error):\n  sgw  HTTP500 (1 task)\n")
	reportPath := filepath.Join(dir, "Resiliency_Findings_"+dateUTC()+"_run_report.csv")
	want.WriteString("faultline: 1 of 3 tasks failed; see " + reportPath + "\n")
	if !strings.HasSuffix(out, want.String()) {
		t.Errorf("terminal output does not end with the table:\n%s\nwant the end:\n%s", out, want.String())
	}
	// The summary lines are there as without a terminal, after the bar.
	sc := bufio.NewScanner(strings.NewReader(out))
	var summary int
	for sc.Scan() {
		if strings.Contains(sc.Text(), "faultline: 3 tasks: 2 succeeded, 1 failed, 0 skipped, 0 cancelled in ") {
			summary++
		}
	}
	if summary != 1 {
		t.Errorf("summary line found %d times:\n%s", summary, out)
	}
}
