package output

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var testProduct = OCSFProduct{Name: "faultline", VendorName: "faultline", Version: "1.2.3"}

func testChecks(id string) CheckText {
	if id == "RDS-1" {
		return CheckText{Description: "RDS instance is not Multi-AZ", Remediation: "Convert the instance to a Multi-AZ deployment."}
	}
	return CheckText{}
}

// One risk row is this exact Detection Finding line, in <stem>.ocsf.jsonl
// (mode 0600), and a second run appends to the file as JSONL does.
func TestOCSFExactRow(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 2; i++ {
		f, err := OpenFiles(dir, "stem", false, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.OpenOCSF(dir, "stem", false, testProduct, testChecks); err != nil {
			t.Fatal(err)
		}
		if err := f.WriteFinding(sampleFinding); err != nil {
			t.Fatal(err)
		}
		f.WriteTask(sampleReport)
		if got := f.Paths(); len(got) != 3 || got[1] != filepath.Join(dir, "stem.ocsf.jsonl") {
			t.Fatalf("paths %v", got)
		}
		if err := f.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "stem.ocsf.jsonl")
	lines := readLines(t, path)
	want := `{"activity_id":1,"activity_name":"Create","category_uid":2,"category_name":"Findings","class_uid":2004,"class_name":"Detection Finding","type_uid":200401,"type_name":"Detection Finding: Create","severity_id":4,"severity":"High","status_id":1,"status":"New","status_code":"FAIL","status_detail":"potential single-AZ risk","message":"RDS instance database-3 is in one Availability Zone (us-east-1a), \"Multi-AZ\" is off.","time":1669735244000,"time_dt":"2022-11-29T15:20:44Z","metadata":{"version":"1.4.0","profiles":["cloud","datetime"],"product":{"name":"faultline","vendor_name":"faultline","version":"1.2.3"}},"finding_info":{"uid":"faultline-d635db6dcb6f78a0830f0e4a4bdcb549","title":"RDS instance is not Multi-AZ","desc":"RDS instance database-3 is in one Availability Zone (us-east-1a), \"Multi-AZ\" is off.","types":["Software and Configuration Checks/AWS Security Best Practices/Availability"]},"cloud":{"provider":"AWS","account":{"uid":"123456789101","name":"TestAccount","type":"AWS Account","type_id":10},"region":"us-east-1"},"resources":[{"uid":"arn:aws:rds:us-east-1:123456789101:db:database-3","name":"database-3","type":"AWS::RDS::DBInstance","region":"us-east-1","data":{"availability_zones":["us-east-1a"],"availability_zone_ids":["use1-az6"]}}],"remediation":{"desc":"Convert the instance to a Multi-AZ deployment."},"unmapped":{"check_id":"RDS-1","service":"rds","potential_single_az_risk":true,"engine":"sqlserver-ex","muted":""}}`
	if len(lines) != 2 || lines[0] != want || lines[1] != want {
		t.Errorf("ocsf:\n%s\nwant\n%s", strings.Join(lines, "\n"), want)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v %v", st.Mode(), err)
	}
}

// The UID is fixed by account, region, service, check and resource only.
func TestFindingUIDStable(t *testing.T) {
	if got := FindingUID(sampleFinding); got != "faultline-d635db6dcb6f78a0830f0e4a4bdcb549" {
		t.Errorf("uid %q", got)
	}
	other := sampleFinding
	other.Message, other.Timestamp, other.Risk = "changed", "2023_01_01_00_00_00_+0000", false
	if FindingUID(other) != FindingUID(sampleFinding) {
		t.Error("uid changed with the message, time or verdict")
	}
	for _, mut := range []func(*FindingRow){
		func(r *FindingRow) { r.AccountID = "210987654321" },
		func(r *FindingRow) { r.Region = "eu-west-1" },
		func(r *FindingRow) { r.Service = "docdb" },
		func(r *FindingRow) { r.CheckID = "RDS-2" },
		func(r *FindingRow) { r.ResourceARN += "x" },
	} {
		r := sampleFinding
		mut(&r)
		if FindingUID(r) == FindingUID(sampleFinding) {
			t.Errorf("uid did not change for %+v", r)
		}
	}
}

// A row that is not a risk says so (PASS, "not a risk"); a muted row is
// Suppressed and gives the reason; severities map to OCSF's ids.
func TestOCSFStatusAndSeverity(t *testing.T) {
	type view struct {
		SeverityID   int    `json:"severity_id"`
		Severity     string `json:"severity"`
		StatusID     int    `json:"status_id"`
		Status       string `json:"status"`
		StatusCode   string `json:"status_code"`
		StatusDetail string `json:"status_detail"`
		FindingInfo  struct {
			Title string `json:"title"`
		} `json:"finding_info"`
		Remediation *struct{} `json:"remediation"`
	}
	decode := func(r FindingRow) view {
		b, err := json.Marshal(OCSF(r, testProduct, testChecks(r.CheckID)))
		if err != nil {
			t.Fatal(err)
		}
		var v view
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	pass := sampleFinding
	pass.Risk, pass.Severity, pass.CheckID = false, "INFO", "RDS-9"
	if v := decode(pass); v.StatusID != 1 || v.Status != "New" || v.StatusCode != "PASS" || v.StatusDetail != "not a risk" ||
		v.SeverityID != 1 || v.Severity != "Informational" || v.FindingInfo.Title != "RDS-9" || v.Remediation != nil {
		t.Errorf("pass row: %+v", v)
	}
	muted := sampleFinding
	muted.Muted, muted.Severity = "accepted until 2027", "MEDIUM"
	if v := decode(muted); v.StatusID != 3 || v.Status != "Suppressed" || v.StatusCode != "FAIL" ||
		v.StatusDetail != "potential single-AZ risk; muted: accepted until 2027" || v.SeverityID != 3 || v.Severity != "Medium" {
		t.Errorf("muted row: %+v", v)
	}
	low := sampleFinding
	low.Severity = "LOW"
	if v := decode(low); v.SeverityID != 2 || v.Severity != "Low" {
		t.Errorf("low row: %+v", v)
	}
}
