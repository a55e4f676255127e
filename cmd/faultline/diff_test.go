package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline/faultline/output"
)

const diffAccount = "111111111111"

// finding is a findings row of diffAccount in eu-west-1.
func finding(service, check, arn, id string, risk bool, severity, message, ts string) output.FindingRow {
	return output.FindingRow{Service: service, Region: "eu-west-1", AccountID: diffAccount, ResourceARN: arn, ResourceID: id,
		Risk: output.PyBool(risk), Message: message, Timestamp: ts, CheckID: check, Severity: severity}
}

// writeFindings writes rows as scan does (same code, same escaping), into
// dir/stem.csv, appending to it when it exists; with a run report beside it.
func writeFindings(t *testing.T, dir, stem string, rows ...output.FindingRow) string {
	t.Helper()
	f, err := output.OpenFiles(dir, stem, false, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := f.WriteFinding(r); err != nil {
			t.Fatal(err)
		}
	}
	f.WriteTask(output.ReportRow{AccountID: diffAccount, Region: "Overall", Service: "Overall", Result: output.ResultSuccess})
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	return f.Findings.Path()
}

const (
	run1 = "2026_12_01_10_00_00_+0000"
	run2 = "2026_12_01_11_00_00_+0000"
	run3 = "2026_12_08_10_00_00_+0000"
)

// diffFixture is an OLD file that two runs appended to, and a NEW folder
// (its findings CSV and run report). Per key:
//
//	orders   True in both, same                 -> unchanged
//	checkout False, then True (latest wins); False in NEW -> resolved, no longer at risk
//	fs-1     True in OLD, absent from NEW       -> resolved, not in NEW
//	c1       severity MEDIUM -> HIGH            -> changed
//	wh       message changed                    -> changed
//	search   severity and message changed       -> changed (cells a spreadsheet would run)
//	billing  absent from OLD, True in NEW       -> new, not in OLD
//	fn       False in OLD, True in NEW          -> new, was not at risk
func diffFixture(t *testing.T) (oldFile, newDir string) {
	dir := t.TempDir()
	oldDir, newDir := filepath.Join(dir, "old"), filepath.Join(dir, "new")
	os.Mkdir(oldDir, 0o700)
	os.Mkdir(newDir, 0o700)
	const rds, fn, os1 = "arn:aws:rds:eu-west-1:111111111111:db:", "arn:aws:lambda:eu-west-1:111111111111:function:", "arn:aws:es:eu-west-1:111111111111:domain/search"
	writeFindings(t, oldDir, "Resiliency_Findings_2026_12_01",
		finding("rds", "RDS-1", rds+"orders", "orders", true, "HIGH", "orders is Single-AZ.", run1),
		finding("lambda", "LAMBDA-1", fn+"checkout", "checkout", false, "INFO", "checkout runs in 2 AZs.", run1),
	)
	oldFile = writeFindings(t, oldDir, "Resiliency_Findings_2026_12_01",
		finding("rds", "RDS-1", rds+"orders", "orders", true, "HIGH", "orders is Single-AZ.", run2),
		finding("lambda", "LAMBDA-1", fn+"checkout", "checkout", true, "MEDIUM", "checkout runs in 1 AZ.", run2),
		finding("lambda", "LAMBDA-1", fn+"fn", "fn", false, "INFO", "fn runs in 3 AZs.", run2),
		finding("efs", "EFS-1", "", "fs-1", true, "HIGH", "fs-1 is One Zone.", run2),
		finding("dax", "DAX-1", "arn:aws:dax:eu-west-1:111111111111:cache/c1", "c1", true, "MEDIUM", "c1 has one node.", run2),
		finding("redshift", "REDSHIFT-1", "arn:aws:redshift:eu-west-1:111111111111:cluster:wh", "wh", true, "HIGH", "wh is not Multi-AZ.", run2),
		finding("opensearch", "OPENSEARCH-1", os1, "search", true, "LOW", "=1 data node", run2),
	)
	writeFindings(t, newDir, "Resiliency_Findings_2026_12_08",
		finding("rds", "RDS-1", rds+"orders", "orders", true, "HIGH", "orders is Single-AZ.", run3),
		finding("lambda", "LAMBDA-1", fn+"checkout", "checkout", false, "INFO", "checkout runs in 2 AZs.", run3),
		finding("lambda", "LAMBDA-1", fn+"fn", "fn", true, "MEDIUM", "fn runs in 1 AZ.", run3),
		finding("dax", "DAX-1", "arn:aws:dax:eu-west-1:111111111111:cache/c1", "c1", true, "HIGH", "c1 has one node.", run3),
		finding("redshift", "REDSHIFT-1", "arn:aws:redshift:eu-west-1:111111111111:cluster:wh", "wh", true, "HIGH", "wh is not Multi-AZ and cannot relocate.", run3),
		finding("opensearch", "OPENSEARCH-1", os1, "search", true, "MEDIUM", "@2 data nodes, one AZ", run3),
		finding("rds", "RDS-1", rds+"billing", "billing", true, "HIGH", "billing is Single-AZ.", run3),
	)
	return oldFile, newDir
}

func TestDiffText(t *testing.T) {
	oldFile, newDir := diffFixture(t)
	code, out, stderr := run(t, "diff", oldFile, newDir)
	want := `2 new risks, 2 resolved (1 no longer at risk, 1 not in NEW), 3 changed, 1 unchanged

New risks (2):
  HIGH RDS-1 111111111111 eu-west-1 arn:aws:rds:eu-west-1:111111111111:db:billing (not in OLD)
    billing is Single-AZ.
  MEDIUM LAMBDA-1 111111111111 eu-west-1 arn:aws:lambda:eu-west-1:111111111111:function:fn (was not at risk)
    fn runs in 1 AZ.

Resolved (2):
  HIGH EFS-1 111111111111 eu-west-1 fs-1 (not in NEW)
    was: fs-1 is One Zone.
  MEDIUM LAMBDA-1 111111111111 eu-west-1 arn:aws:lambda:eu-west-1:111111111111:function:checkout (no longer at risk)
    now: checkout runs in 2 AZs.

Changed (3):
  HIGH DAX-1 111111111111 eu-west-1 arn:aws:dax:eu-west-1:111111111111:cache/c1 (severity was MEDIUM)
    c1 has one node.
  HIGH REDSHIFT-1 111111111111 eu-west-1 arn:aws:redshift:eu-west-1:111111111111:cluster:wh (message changed)
    was: wh is not Multi-AZ.
    now: wh is not Multi-AZ and cannot relocate.
  MEDIUM OPENSEARCH-1 111111111111 eu-west-1 arn:aws:es:eu-west-1:111111111111:domain/search (severity was LOW, message changed)
    was: =1 data node
    now: @2 data nodes, one AZ
`
	if code != exitNewRisks || out != want {
		t.Errorf("exit %d, stdout:\n%s", code, out)
	}
	if stderr != "faultline: 2 new risks in "+newDir+" that "+oldFile+" did not have\n" {
		t.Errorf("stderr %q", stderr)
	}
}

func TestDiffJSON(t *testing.T) {
	oldFile, newDir := diffFixture(t)
	code, out, _ := run(t, "diff", "--format", "json", oldFile, newDir)
	want := `{
  "counts": {
    "new": 2,
    "resolved": 2,
    "resolved_not_at_risk": 1,
    "resolved_not_in_new": 1,
    "changed": 3,
    "unchanged": 1
  },
  "new": [
    {
      "change": "new",
      "reason": "not_in_old",
      "account_id": "111111111111",
      "region": "eu-west-1",
      "service": "rds",
      "check_id": "RDS-1",
      "resource_arn": "arn:aws:rds:eu-west-1:111111111111:db:billing",
      "resource_id": "billing",
      "resource_name": "",
      "old_severity": "",
      "new_severity": "HIGH",
      "old_message": "",
      "new_message": "billing is Single-AZ.",
      "old_timestamp": "",
      "new_timestamp": "2026_12_08_10_00_00_+0000"
    },
    {
      "change": "new",
      "reason": "was_not_at_risk",
      "account_id": "111111111111",
      "region": "eu-west-1",
      "service": "lambda",
      "check_id": "LAMBDA-1",
      "resource_arn": "arn:aws:lambda:eu-west-1:111111111111:function:fn",
      "resource_id": "fn",
      "resource_name": "",
      "old_severity": "INFO",
      "new_severity": "MEDIUM",
      "old_message": "fn runs in 3 AZs.",
      "new_message": "fn runs in 1 AZ.",
      "old_timestamp": "2026_12_01_11_00_00_+0000",
      "new_timestamp": "2026_12_08_10_00_00_+0000"
    }
  ],
  "resolved": [
    {
      "change": "resolved",
      "reason": "not_in_new",
      "account_id": "111111111111",
      "region": "eu-west-1",
      "service": "efs",
      "check_id": "EFS-1",
      "resource_arn": "",
      "resource_id": "fs-1",
      "resource_name": "",
      "old_severity": "HIGH",
      "new_severity": "",
      "old_message": "fs-1 is One Zone.",
      "new_message": "",
      "old_timestamp": "2026_12_01_11_00_00_+0000",
      "new_timestamp": ""
    },
    {
      "change": "resolved",
      "reason": "not_at_risk",
      "account_id": "111111111111",
      "region": "eu-west-1",
      "service": "lambda",
      "check_id": "LAMBDA-1",
      "resource_arn": "arn:aws:lambda:eu-west-1:111111111111:function:checkout",
      "resource_id": "checkout",
      "resource_name": "",
      "old_severity": "MEDIUM",
      "new_severity": "INFO",
      "old_message": "checkout runs in 1 AZ.",
      "new_message": "checkout runs in 2 AZs.",
      "old_timestamp": "2026_12_01_11_00_00_+0000",
      "new_timestamp": "2026_12_08_10_00_00_+0000"
    }
  ],
  "changed": [
    {
      "change": "changed",
      "reason": "severity",
      "account_id": "111111111111",
      "region": "eu-west-1",
      "service": "dax",
      "check_id": "DAX-1",
      "resource_arn": "arn:aws:dax:eu-west-1:111111111111:cache/c1",
      "resource_id": "c1",
      "resource_name": "",
      "old_severity": "MEDIUM",
      "new_severity": "HIGH",
      "old_message": "c1 has one node.",
      "new_message": "c1 has one node.",
      "old_timestamp": "2026_12_01_11_00_00_+0000",
      "new_timestamp": "2026_12_08_10_00_00_+0000"
    },
    {
      "change": "changed",
      "reason": "message",
      "account_id": "111111111111",
      "region": "eu-west-1",
      "service": "redshift",
      "check_id": "REDSHIFT-1",
      "resource_arn": "arn:aws:redshift:eu-west-1:111111111111:cluster:wh",
      "resource_id": "wh",
      "resource_name": "",
      "old_severity": "HIGH",
      "new_severity": "HIGH",
      "old_message": "wh is not Multi-AZ.",
      "new_message": "wh is not Multi-AZ and cannot relocate.",
      "old_timestamp": "2026_12_01_11_00_00_+0000",
      "new_timestamp": "2026_12_08_10_00_00_+0000"
    },
    {
      "change": "changed",
      "reason": "severity_and_message",
      "account_id": "111111111111",
      "region": "eu-west-1",
      "service": "opensearch",
      "check_id": "OPENSEARCH-1",
      "resource_arn": "arn:aws:es:eu-west-1:111111111111:domain/search",
      "resource_id": "search",
      "resource_name": "",
      "old_severity": "LOW",
      "new_severity": "MEDIUM",
      "old_message": "=1 data node",
      "new_message": "@2 data nodes, one AZ",
      "old_timestamp": "2026_12_01_11_00_00_+0000",
      "new_timestamp": "2026_12_08_10_00_00_+0000"
    }
  ]
}
`
	if code != exitNewRisks || out != want {
		t.Errorf("exit %d, stdout:\n%s", code, out)
	}
}

func TestDiffCSV(t *testing.T) {
	oldFile, newDir := diffFixture(t)
	code, out, _ := run(t, "diff", "--format", "csv", oldFile, newDir)
	want := `change,reason,account_id,region,service,check_id,resource_arn,resource_id,resource_name,old_severity,new_severity,old_message,new_message,old_timestamp,new_timestamp
new,not_in_old,111111111111,eu-west-1,rds,RDS-1,arn:aws:rds:eu-west-1:111111111111:db:billing,billing,,,HIGH,,billing is Single-AZ.,,2026_12_08_10_00_00_+0000
new,was_not_at_risk,111111111111,eu-west-1,lambda,LAMBDA-1,arn:aws:lambda:eu-west-1:111111111111:function:fn,fn,,INFO,MEDIUM,fn runs in 3 AZs.,fn runs in 1 AZ.,2026_12_01_11_00_00_+0000,2026_12_08_10_00_00_+0000
resolved,not_in_new,111111111111,eu-west-1,efs,EFS-1,,fs-1,,HIGH,,fs-1 is One Zone.,,2026_12_01_11_00_00_+0000,
resolved,not_at_risk,111111111111,eu-west-1,lambda,LAMBDA-1,arn:aws:lambda:eu-west-1:111111111111:function:checkout,checkout,,MEDIUM,INFO,checkout runs in 1 AZ.,checkout runs in 2 AZs.,2026_12_01_11_00_00_+0000,2026_12_08_10_00_00_+0000
changed,severity,111111111111,eu-west-1,dax,DAX-1,arn:aws:dax:eu-west-1:111111111111:cache/c1,c1,,MEDIUM,HIGH,c1 has one node.,c1 has one node.,2026_12_01_11_00_00_+0000,2026_12_08_10_00_00_+0000
changed,message,111111111111,eu-west-1,redshift,REDSHIFT-1,arn:aws:redshift:eu-west-1:111111111111:cluster:wh,wh,,HIGH,HIGH,wh is not Multi-AZ.,wh is not Multi-AZ and cannot relocate.,2026_12_01_11_00_00_+0000,2026_12_08_10_00_00_+0000
changed,severity_and_message,111111111111,eu-west-1,opensearch,OPENSEARCH-1,arn:aws:es:eu-west-1:111111111111:domain/search,search,,LOW,MEDIUM,'=1 data node,"'@2 data nodes, one AZ",2026_12_01_11_00_00_+0000,2026_12_08_10_00_00_+0000
`
	if code != exitNewRisks || out != want {
		t.Errorf("exit %d, stdout:\n%s", code, out)
	}
}

// Nothing new is exit 0, whatever was resolved; the same input compares
// equal; a JSONL file gives what the CSV gives.
func TestDiffNothingNew(t *testing.T) {
	oldFile, newDir := diffFixture(t)
	code, out, stderr := run(t, "diff", newDir, newDir)
	if code != exitOK || stderr != "" || out != "0 new risks, 0 resolved, 0 changed, 6 unchanged\n" {
		t.Errorf("same: exit %d %q %q", code, out, stderr)
	}
	code, out, _ = run(t, "diff", newDir, oldFile)
	if code != exitNewRisks || !strings.HasPrefix(out, "2 new risks, 2 resolved (1 no longer at risk, 1 not in NEW), 3 changed, 1 unchanged\n") {
		t.Errorf("reversed: exit %d %q", code, out)
	}
	// The OLD rows as JSONL (what scan --format jsonl writes): same answer.
	dir := t.TempDir()
	f, err := output.OpenFiles(dir, "old", true, true)
	if err != nil {
		t.Fatal(err)
	}
	records, err := output.NewCSVReader(strings.NewReader(readFile(t, oldFile))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range records[1:] {
		f.WriteFinding(output.FindingRow{Service: r[0], Region: r[1], AccountID: r[2], ResourceARN: r[6], ResourceID: r[8],
			Risk: r[9] == "True", Message: r[11], Timestamp: r[12], CheckID: r[13], Severity: r[14]})
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	_, fromCSV, _ := run(t, "diff", "--format", "json", oldFile, newDir)
	code, fromJSONL, _ := run(t, "diff", "--format", "json", filepath.Join(dir, "old.jsonl"), newDir)
	if code != exitNewRisks || fromJSONL != fromCSV {
		t.Errorf("jsonl: exit %d\n%s", code, fromJSONL)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Bad input is exit 2 with one line naming the file and what is wrong.
func TestDiffBadInput(t *testing.T) {
	oldFile, newDir := diffFixture(t)
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o600)
		return p
	}
	header := output.Header[output.FindingRow]()
	empty := write("empty.csv", "")
	report := filepath.Join(newDir, "Resiliency_Findings_2026_12_08_run_report.csv")
	other := write("other.csv", "a,b,c\n1,2,3\n")
	badRisk := write("risk.csv", header+"\nrds,eu-west-1,1,,,,arn,n,i,Yes,,m,t,RDS-1,HIGH,,,,\n")
	ragged := write("ragged.csv", header+"\nrds,eu-west-1\n")
	badJSON := write("bad.jsonl", `{"service":"rds"`+"\n")
	notFinding := write("other.jsonl", "\n"+`{"service":"rds"}`+"\n")
	noFindings := filepath.Join(dir, "nofindings")
	os.Mkdir(noFindings, 0o700)
	write("nofindings/Resiliency_Findings_2026_12_08_run_report.csv", "x\n")
	cases := []struct{ args, want string }{
		{"diff " + oldFile, "diff takes OLD and NEW (findings files or folders, flags before them), got 1 arguments"},
		{"diff " + oldFile + " " + newDir + " --format json", "diff takes OLD and NEW (findings files or folders, flags before them), got 4 arguments"},
		{"diff --format xml " + oldFile + " " + newDir, `--format must be one of text, json, csv; got "xml"`},
		{"diff " + dir + "/missing.csv " + newDir, "OLD: stat " + dir + "/missing.csv: no such file or directory"},
		{"diff " + oldFile + " " + empty, "NEW: " + empty + " is empty, not a findings file"},
		{"diff " + report + " " + newDir, "OLD: " + report + " is a run report, not a findings file: give the Resiliency_Findings_*.csv beside it"},
		{"diff " + oldFile + " " + other, "NEW: " + other + " is not a findings file: its header has no account_id column (give a findings CSV or .jsonl of faultline scan)"},
		{"diff " + oldFile + " " + badRisk, "NEW: " + badRisk + `:2: potential_single_az_risk is "Yes", not True or False`},
		{"diff " + oldFile + " " + ragged, "NEW: " + ragged + ": record on line 2: wrong number of fields"},
		{"diff " + badJSON + " " + newDir, "OLD: " + badJSON + ":1: not a JSON object: unexpected end of JSON input"},
		{"diff " + notFinding + " " + newDir, "OLD: " + notFinding + `:2: not a finding: no "account_id" key (give a findings CSV or .jsonl of faultline scan)`},
		{"diff " + oldFile + " " + noFindings, "NEW: folder " + noFindings + " holds no Resiliency_Findings_*.csv file"},
	}
	for _, c := range cases {
		code, out, stderr := run(t, strings.Fields(c.args)...)
		if code != exitUsage || out != "" || stderr != "faultline: "+c.want+"\n" {
			t.Errorf("%s:\n got  %d %q %q\n want 2 %q", c.args, code, out, stderr, c.want)
		}
	}
}
