package output

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var sampleFinding = FindingRow{
	Service: "rds", Region: "us-east-1", AccountID: "123456789101", AccountName: "TestAccount",
	PayerAccountID: "999456789101", PayerAccountName: "TestParentAccount",
	ResourceARN: "arn:aws:rds:us-east-1:123456789101:db:database-3", ResourceName: "database-3", ResourceID: "db-ABC",
	Risk: true, Engine: "sqlserver-ex", Message: `RDS instance database-3 is in one Availability Zone (us-east-1a), "Multi-AZ" is off.`,
	Timestamp: Timestamp(time.Date(2022, 11, 29, 16, 20, 44, 0, time.FixedZone("x", 3600))), CheckID: "RDS-1", Severity: "HIGH",
	ResourceType: "AWS::RDS::DBInstance", AZs: List{"us-east-1a"}, AZIDs: List{"use1-az6"},
}

var sampleReport = ReportRow{
	AccountID: "123456789101", Region: "us-east-1", Service: "rds", Result: ResultFailure,
	ErrorMessage: "operation error RDS: DescribeDBInstances, AccessDenied", StartTime: "2022_11_29_16_20_42_+0000",
	EndTime: "2022_11_29_16_20_45_+0000", Runtime: Seconds(2618 * time.Millisecond), ErrorCode: "AccessDenied",
	APICalls: 3, Retries: 1, Resources: 0, Findings: 0,
}

func writeFiles(t *testing.T, dir, stem string, truncate bool, findings ...FindingRow) *Files {
	t.Helper()
	f, err := OpenFiles(dir, stem, truncate, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range findings {
		if err := f.WriteFinding(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.WriteTask(sampleReport); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	return f
}

func golden(t *testing.T, path, goldenName string) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("testdata", goldenName))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from testdata/%s:\n%s", path, goldenName, got)
	}
}

// The files match the golden ones byte for byte: the seed's columns first,
// True/False, the timestamp format, quoting, and mode 0600.
func TestFilesGolden(t *testing.T) {
	dir := t.TempDir()
	muted := sampleFinding
	muted.Muted = "legacy, retired in Q3"
	f := writeFiles(t, dir, "Resiliency_Findings_2022_11_29", true, sampleFinding, muted)
	golden(t, f.Findings.Path(), "findings.csv")
	golden(t, f.Report.Path(), "run_report.csv")
	for _, p := range []string{f.Findings.Path(), f.Report.Path()} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v", p, st.Mode().Perm())
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

// Without truncate a second run appends rows without a second header; with
// it the file is replaced.
func TestAppendAndTruncate(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, "stem", false, sampleFinding)
	f := writeFiles(t, dir, "stem", false, sampleFinding, sampleFinding)
	lines := readLines(t, f.Findings.Path())
	if len(lines) != 4 || lines[0] != Header[FindingRow]() || strings.HasPrefix(lines[2], "service,") {
		t.Errorf("appended findings:\n%s", strings.Join(lines, "\n"))
	}
	if got := readLines(t, f.Report.Path()); len(got) != 3 || got[0] != Header[ReportRow]() || got[2] != got[1] {
		t.Errorf("appended report:\n%s", strings.Join(got, "\n"))
	}
	f = writeFiles(t, dir, "stem", true, sampleFinding)
	if got := readLines(t, f.Findings.Path()); len(got) != 2 {
		t.Errorf("truncated findings has %d lines", len(got))
	}
}

// An existing file cut short (no final newline) does not glue rows together.
func TestAppendAfterTornLine(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "stem.csv")
	os.WriteFile(path, []byte(Header[FindingRow]()+"\nrds,us-east-1"), 0o600)
	f := writeFiles(t, dir, "stem", false, sampleFinding)
	lines := readLines(t, f.Findings.Path())
	if len(lines) != 3 || lines[1] != "rds,us-east-1" || !strings.HasPrefix(lines[2], "rds,us-east-1,123456789101,") {
		t.Errorf("lines:\n%s", strings.Join(lines, "\n"))
	}
}

// Appending to a file with other columns (the seed's own, or an earlier
// faultline's without the muted column) is refused, and the file is left as
// it was.
func TestAppendRefusesOtherColumns(t *testing.T) {
	for _, old := range []string{
		"service,region,account_id,account_name,payer_account_id,payer_account_name,resource_arn,resource_name,resource_id,potential_issue,engine,message,timestamp\n",
		"service,region,account_id,account_name,payer_account_id,payer_account_name,resource_arn,resource_name,resource_id,potential_single_az_risk,engine,message,timestamp,check_id,severity,resource_type,availability_zones,availability_zone_ids\n",
	} {
		dir := t.TempDir()
		path := filepath.Join(dir, "stem.csv")
		os.WriteFile(path, []byte(old), 0o644)
		_, err := OpenFiles(dir, "stem", false, false)
		if !errors.Is(err, ErrColumnsDiffer) {
			t.Fatalf("err = %v", err)
		}
		if got, _ := os.ReadFile(path); string(got) != old {
			t.Errorf("file changed: %q", got)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("left behind: %v", entries)
		}
	}
}

// An aborted run leaves the existing files untouched.
func TestAbortLeavesExistingFile(t *testing.T) {
	dir := t.TempDir()
	f := writeFiles(t, dir, "stem", true, sampleFinding)
	before, _ := os.ReadFile(f.Findings.Path())
	g, err := OpenFiles(dir, "stem", true, false)
	if err != nil {
		t.Fatal(err)
	}
	g.WriteFinding(sampleFinding)
	g.Abort()
	after, _ := os.ReadFile(f.Findings.Path())
	if string(before) != string(after) {
		t.Error("existing file changed by an aborted run")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("left behind: %v", entries)
	}
}

func TestPrepareDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	if err := PrepareDir(dir); err != nil {
		t.Fatal(err)
	}
	// A folder that cannot be created (a file stands in its way) fails
	// clearly; this holds for root too, unlike a chmod'ed folder.
	blocker := filepath.Join(t.TempDir(), "file")
	os.WriteFile(blocker, nil, 0o600)
	err := PrepareDir(filepath.Join(blocker, "out"))
	if err == nil || !strings.HasPrefix(err.Error(), "cannot create output folder "+blocker+"/out: ") {
		t.Errorf("blocked folder: %v", err)
	}
}

func TestFileStem(t *testing.T) {
	day := time.Date(2026, 1, 2, 23, 30, 0, 0, time.FixedZone("x", -5*3600)) // 2026-01-03 in UTC
	cases := []struct {
		with     bool
		id, name string
		want     string
	}{
		{false, "", "", "Resiliency_Findings_2026_01_03"},
		{true, "123456789012", "Prod Account", "Resiliency_Findings_123456789012_Prod_Account_2026_01_03"},
		{true, "123456789012", "../../etc/passwd", "Resiliency_Findings_123456789012_.._.._etc_passwd_2026_01_03"},
		{true, "123456789012", "", "Resiliency_Findings_123456789012__2026_01_03"},
		{true, "123456789012", "..", "Resiliency_Findings_123456789012____2026_01_03"},
	}
	for _, c := range cases {
		if got := FileStem(day, c.with, c.id, c.name); got != c.want {
			t.Errorf("FileStem(%v,%q,%q) = %q, want %q", c.with, c.id, c.name, got, c.want)
		}
	}
}

func TestSeconds(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "0.00", 1050 * time.Millisecond: "1.05", 2618 * time.Millisecond: "2.62", 95 * time.Second: "95.00"} {
		if got, _ := Seconds(d).MarshalCSV(); got != want {
			t.Errorf("%v: %s, want %s", d, got, want)
		}
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// JSONL holds the same findings, one object per line with the CSV's column
// names as keys, and appends like the CSV.
func TestJSONL(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 2; i++ {
		f, err := OpenFiles(dir, "stem", false, true)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteFinding(sampleFinding)
		f.WriteTask(sampleReport)
		if err := f.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	lines := readLines(t, filepath.Join(dir, "stem.jsonl"))
	want := `{"service":"rds","region":"us-east-1","account_id":"123456789101","account_name":"TestAccount","payer_account_id":"999456789101","payer_account_name":"TestParentAccount","resource_arn":"arn:aws:rds:us-east-1:123456789101:db:database-3","resource_name":"database-3","resource_id":"db-ABC","potential_single_az_risk":true,"engine":"sqlserver-ex","message":"RDS instance database-3 is in one Availability Zone (us-east-1a), \"Multi-AZ\" is off.","timestamp":"2022_11_29_15_20_44_+0000","check_id":"RDS-1","severity":"HIGH","resource_type":"AWS::RDS::DBInstance","availability_zones":["us-east-1a"],"availability_zone_ids":["use1-az6"],"muted":""}`
	if len(lines) != 2 || lines[0] != want || lines[1] != want {
		t.Errorf("jsonl:\n%s", strings.Join(lines, "\n"))
	}
}

// Zones are ";"-joined in CSV and arrays in JSONL; none is [] (never null).
func TestZoneLists(t *testing.T) {
	for _, c := range []struct {
		list    List
		csv, js string
	}{{nil, "", "[]"}, {List{"us-east-1a"}, "us-east-1a", `["us-east-1a"]`}, {List{"use1-az1", "use1-az2"}, "use1-az1;use1-az2", `["use1-az1","use1-az2"]`}} {
		cell, _ := c.list.MarshalCSV()
		js, _ := c.list.MarshalJSON()
		var back List
		back.UnmarshalCSV(cell)
		if cell != c.csv || string(js) != c.js || strings.Join(back, ";") != c.csv {
			t.Errorf("%v: csv %q json %s back %v", c.list, cell, js, back)
		}
	}
}

// NewRowsOffset points at this run's first row, so delivery can read back
// exactly what this run wrote.
func TestNewRowsOffset(t *testing.T) {
	dir := t.TempDir()
	first := writeFiles(t, dir, "stem", false, sampleFinding)
	if first.Findings.NewRowsOffset != int64(len(Header[FindingRow]())+1) {
		t.Errorf("fresh file offset %d", first.Findings.NewRowsOffset)
	}
	size := func() int64 { st, _ := os.Stat(first.Findings.Path()); return st.Size() }
	before := size()
	second := writeFiles(t, dir, "stem", false, sampleFinding)
	if second.Findings.NewRowsOffset != before {
		t.Errorf("append offset %d, want %d", second.Findings.NewRowsOffset, before)
	}
}

// Cells that a spreadsheet would run (= + - @, tab, CR first) are written
// with a single quote in front, in the findings CSV and in the run report;
// the header and every other cell are as they were, and JSONL keeps the raw
// values. The bytes are exact.
func TestCSVInjectionCells(t *testing.T) {
	dir := t.TempDir()
	row := sampleFinding
	row.ResourceName, row.ResourceID, row.Engine = "=cmd|'/C calc'!A0", "+1", "@SUM(A1)"
	row.Message, row.AccountName, row.PayerAccountName = "-2 nodes", "\tTeam", "'=already"
	report := sampleReport
	report.ErrorMessage = "=HYPERLINK(\"http://evil\")"
	f, err := OpenFiles(dir, "stem", true, true)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteFinding(row)
	f.WriteTask(report)
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(f.Findings.Path())
	want := Header[FindingRow]() + "\n" +
		`rds,us-east-1,123456789101,'	Team,999456789101,''=already,arn:aws:rds:us-east-1:123456789101:db:database-3,'=cmd|'/C calc'!A0,'+1,True,'@SUM(A1),'-2 nodes,2022_11_29_15_20_44_+0000,RDS-1,HIGH,AWS::RDS::DBInstance,us-east-1a,use1-az6,` + "\n"
	if string(got) != want {
		t.Errorf("findings:\n got  %q\n want %q", got, want)
	}
	got, _ = os.ReadFile(f.Report.Path())
	want = Header[ReportRow]() + "\n" +
		`123456789101,us-east-1,rds,Failure,"'=HYPERLINK(""http://evil"")",2022_11_29_16_20_42_+0000,2022_11_29_16_20_45_+0000,2.62,AccessDenied,3,1,0,0,0,0` + "\n"
	if string(got) != want {
		t.Errorf("report:\n got  %q\n want %q", got, want)
	}
	got, _ = os.ReadFile(f.JSONL.Path())
	if !strings.Contains(string(got), `"account_name":"\tTeam"`) || !strings.Contains(string(got), `"resource_name":"=cmd|'/C calc'!A0"`) ||
		!strings.Contains(string(got), `"payer_account_name":"'=already"`) || !strings.Contains(string(got), `"message":"-2 nodes"`) {
		t.Errorf("jsonl is not raw: %s", got)
	}
	// Read back through NewCSVReader, every cell is the value written.
	records, err := NewCSVReader(strings.NewReader(want)).ReadAll()
	if err != nil || records[1][4] != report.ErrorMessage {
		t.Errorf("read back %q %v", records, err)
	}
}

func TestEscapeCell(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "db-1": "db-1", "=1+2": "'=1+2", "+x": "'+x", "-x": "'-x", "@x": "'@x", "\tx": "'\tx", "\rx": "'\rx",
		"'": "'", "'x": "'x", "'=x": "''=x", "''-x": "'''-x", "a=b": "a=b", " =x": " =x",
	} {
		if got := EscapeCell(in); got != want {
			t.Errorf("EscapeCell(%q) = %q, want %q", in, got, want)
		}
		if back := UnescapeCell(EscapeCell(in)); back != in {
			t.Errorf("UnescapeCell(EscapeCell(%q)) = %q", in, back)
		}
	}
}

// An appended file says how many data rows it held before this run; a
// new, empty or truncated one is not appended to. Quoted line breaks in a
// message do not count as rows.
func TestKeptRows(t *testing.T) {
	dir := t.TempDir()
	multi := sampleFinding
	multi.Message = "line one\nline \"two\""
	first := writeFiles(t, dir, "stem", false, sampleFinding, multi)
	if first.Findings.Appended || first.Findings.KeptRows != 0 || first.Report.Appended {
		t.Errorf("new file: appended %v kept %d", first.Findings.Appended, first.Findings.KeptRows)
	}
	second := writeFiles(t, dir, "stem", false, sampleFinding)
	if !second.Findings.Appended || second.Findings.KeptRows != 2 || !second.Report.Appended || second.Report.KeptRows != 1 {
		t.Errorf("appended: %v kept %d, report %v kept %d", second.Findings.Appended, second.Findings.KeptRows, second.Report.Appended, second.Report.KeptRows)
	}
	third := writeFiles(t, dir, "stem", true, sampleFinding)
	if third.Findings.Appended || third.Findings.KeptRows != 0 {
		t.Errorf("truncated: appended %v kept %d", third.Findings.Appended, third.Findings.KeptRows)
	}
	// A torn last line is a row; a header-only file holds none.
	torn := filepath.Join(dir, "torn.csv")
	os.WriteFile(torn, []byte(Header[FindingRow]()+"\nrds,us-east-1"), 0o600)
	if f := writeFiles(t, dir, "torn", false); f.Findings.KeptRows != 1 {
		t.Errorf("torn: kept %d", f.Findings.KeptRows)
	}
	bare := filepath.Join(dir, "bare.csv")
	os.WriteFile(bare, []byte(Header[FindingRow]()+"\n"), 0o600)
	if f := writeFiles(t, dir, "bare", false); !f.Findings.Appended || f.Findings.KeptRows != 0 {
		t.Errorf("header only: appended %v kept %d", f.Findings.Appended, f.Findings.KeptRows)
	}
}

// PrepareNewDir's undo removes exactly the folders it created, while they
// are empty; a folder that existed, or that holds a file, stays.
func TestPrepareNewDirUndo(t *testing.T) {
	root := t.TempDir()
	undo, err := PrepareNewDir(filepath.Join(root, "a", "b", "c"))
	if err != nil {
		t.Fatal(err)
	}
	undo()
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
	os.Mkdir(filepath.Join(root, "kept"), 0o700)
	undo, _ = PrepareNewDir(filepath.Join(root, "kept", "new"))
	os.WriteFile(filepath.Join(root, "kept", "new", "file"), nil, 0o600)
	undo()
	if _, err := os.Stat(filepath.Join(root, "kept", "new", "file")); err != nil {
		t.Errorf("a folder holding a file was removed: %v", err)
	}
	undo, _ = PrepareNewDir(filepath.Join(root, "kept"))
	undo()
	if _, err := os.Stat(filepath.Join(root, "kept")); err != nil {
		t.Errorf("an existing folder was removed: %v", err)
	}
}
