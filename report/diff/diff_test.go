package diff

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline/faultline/output"
)

// A key's resource is its ARN, else its ID, else its name.
func TestKeyResource(t *testing.T) {
	for _, c := range []struct {
		row  Row
		want string
	}{
		{Row{ResourceARN: "arn:a", ResourceID: "i", ResourceName: "n"}, "arn:a"},
		{Row{ResourceID: "i", ResourceName: "n"}, "i"},
		{Row{ResourceName: "n"}, "n"},
	} {
		if got := c.row.Key().Resource; got != c.want {
			t.Errorf("%+v: %q, want %q", c.row, got, c.want)
		}
	}
}

// The latest timestamp of a key wins whatever the order of the rows; at
// equal timestamps the later row wins.
func TestLatestWins(t *testing.T) {
	s := newSet()
	k := Row{AccountID: "1", Region: "r", Service: "rds", CheckID: "RDS-1", ResourceID: "db"}
	for _, r := range []struct {
		ts   string
		risk bool
		msg  string
	}{{"2026_12_02_00_00_00_+0000", true, "b"}, {"2026_12_01_00_00_00_+0000", false, "a"}, {"2026_12_02_00_00_00_+0000", false, "c"}} {
		row := k
		row.Timestamp, row.Risk, row.Message = r.ts, r.risk, r.msg
		s.add(row)
	}
	if got := s.latest[k.Key()]; got.Message != "c" || got.Risk || s.Rows != 3 || len(s.latest) != 1 {
		t.Errorf("latest %+v, rows %d", got, s.Rows)
	}
}

// A folder is read for its findings files in name order, not its run
// reports nor other files; each file's columns are found by name.
func TestLoadFolder(t *testing.T) {
	dir := t.TempDir()
	header := output.Header[output.FindingRow]()
	row := func(account, ts, msg string) string {
		return "rds,eu-west-1," + account + ",,,,arn:aws:rds:eu-west-1:" + account + ":db:d,d,d,True,,'" + msg + "," + ts + ",RDS-1,HIGH,,,,\n"
	}
	os.WriteFile(filepath.Join(dir, "Resiliency_Findings_111111111111_a_2026_12_08.csv"), []byte(header+"\n"+row("111111111111", "t2", "=x")), 0o600)
	os.WriteFile(filepath.Join(dir, "Resiliency_Findings_222222222222_b_2026_12_08.csv"), []byte(header+"\n"+row("222222222222", "t1", "-y")), 0o600)
	os.WriteFile(filepath.Join(dir, "Resiliency_Findings_2026_12_08_run_report.csv"), []byte("account_id,runtime_in_seconds\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "notes.csv"), []byte("x\n"), 0o600)
	s, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Files) != 2 || !strings.HasSuffix(s.Files[0], "111111111111_a_2026_12_08.csv") || s.Rows != 2 || len(s.latest) != 2 {
		t.Errorf("files %v rows %d keys %d", s.Files, s.Rows, len(s.latest))
	}
	for k, r := range s.latest {
		if (k.AccountID == "111111111111" && r.Message != "=x") || (k.AccountID == "222222222222" && r.Message != "-y") {
			t.Errorf("%s: message %q (the CSV's escaping not undone)", k.AccountID, r.Message)
		}
	}
	// Columns in another order (a spreadsheet's export) are read by name.
	moved := filepath.Join(dir, "moved.csv")
	os.WriteFile(moved, []byte("check_id,potential_single_az_risk,account_id,region,service,resource_arn,resource_id,resource_name,severity,message,timestamp\n"+
		"RDS-1,False,111111111111,eu-west-1,rds,arn:aws:rds:eu-west-1:111111111111:db:d,d,d,INFO,fine,t3\n"), 0o600)
	m, err := Load(moved)
	if err != nil {
		t.Fatal(err)
	}
	res := Compare(s, m)
	if len(res.Resolved) != 2 || res.ResolvedBy(ReasonNotAtRisk) != 1 || res.ResolvedBy(ReasonNotInNew) != 1 || len(res.New) != 0 {
		t.Errorf("result %+v", res)
	}
}
