package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline/faultline/analysers"
	"github.com/faultline/faultline/output"
)

type nopSink struct{}

func (nopSink) WriteFinding(output.FindingRow) error { return nil }
func (nopSink) WriteTask(output.ReportRow) error     { return nil }

func risk(sev, service, region, az, name string) output.FindingRow {
	return output.FindingRow{Severity: sev, Service: service, Region: region, AZIDs: output.List{az}, ResourceName: name,
		CheckID: strings.ToUpper(service) + "-1", AccountID: "111111111111", Risk: true}
}

// The table: most severe first, then service, region and zone ID; at most
// 20 rows and how many more; the failed services with their codes.
func TestRenderTerminalReport(t *testing.T) {
	tally := &scanTally{sink: nopSink{}}
	tally.WriteFinding(risk("MEDIUM", "rds", "eu-west-1", "euw1-az1", "aurora-sv1"))
	tally.WriteFinding(risk("HIGH", "rds", "eu-west-1", "euw1-az2", "orders-db"))
	tally.WriteFinding(risk("HIGH", "efs", "us-east-1", "use1-az4", "fs-1"))
	tally.WriteFinding(risk("HIGH", "efs", "eu-west-1", "euw1-az3", "fs-2"))
	tally.WriteFinding(risk("INFO", "vpce", "eu-west-1", "", "vpce-gwlb"))
	long := risk("LOW", "dx", "global", "", strings.Repeat("x", 70))
	long.AZIDs = nil
	tally.WriteFinding(long)
	for i := 0; i < 20; i++ { // ties on every key but the resource
		tally.WriteFinding(risk("LOW", "lambda", "eu-west-1", "euw1-az1", fmt.Sprintf("fn-%02d", i)))
	}
	muted := risk("HIGH", "aaa", "eu-west-1", "euw1-az1", "muted")
	muted.Muted = "accepted"
	tally.WriteFinding(muted)
	healthy := risk("INFO", "aaa", "eu-west-1", "euw1-az1", "fine")
	healthy.Risk = false
	tally.WriteFinding(healthy)
	for _, r := range []output.ReportRow{
		{Service: "sgw", Result: output.ResultFailure, ErrorCode: "HTTP500"},
		{Service: "dms", Result: output.ResultFailure, ErrorCode: "Throttling"},
		{Service: "dms", Result: output.ResultFailure, ErrorCode: "AccessDenied"},
		{Service: "dms", Result: output.ResultFailure, ErrorCode: "AccessDenied"},
		{Service: "account-setup", Result: output.ResultFailure, ErrorCode: "AccessDenied"},
		{Service: "rds", Result: output.ResultSuccess},
		{Service: "rds", Result: output.ResultSkipped},
	} {
		tally.WriteTask(r)
	}
	var b bytes.Buffer
	renderTerminalReport(&b, tally.report("out/f.csv"))
	want := `
Unmuted risks: 26, most severe first
SEVERITY  SERVICE  REGION     AZ IDS    CHECK     ACCOUNT       RESOURCE
HIGH      efs      eu-west-1  euw1-az3  EFS-1     111111111111  fs-2
HIGH      efs      us-east-1  use1-az4  EFS-1     111111111111  fs-1
HIGH      rds      eu-west-1  euw1-az2  RDS-1     111111111111  orders-db
MEDIUM    rds      eu-west-1  euw1-az1  RDS-1     111111111111  aurora-sv1
LOW       dx       global     -         DX-1      111111111111  xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...
LOW       lambda   eu-west-1  euw1-az1  LAMBDA-1  111111111111  fn-00
LOW       lambda   eu-west-1  euw1-az1  LAMBDA-1  111111111111  fn-01
LOW       lambda   eu-west-1  euw1-az1  LAMBDA-1  111111111111  fn-02
LOW       lambda   eu-west-1  euw1-az1  LAMBDA-1  111111111111  fn-03
LOW       lambda   eu-west-1  euw1-az1  LAMBDA-1  111111111111  fn-04
LOW       lambda   eu-west-1  euw1-az1  LAMBDA-1  111111111111  fn-05
LOW       lambda   eu-west-1  euw1-az1  LAMBDA-1  111111111111  fn-06
LOW       lambda   eu-west-1  euw1-az1  LAMBDA-1  111111111111  fn-07
LOW       lambda   eu-west-1  euw1-az1  LAMBDA-1  111111111111  fn-08
LOW       lambda   eu-west-1  euw1-az1  LAMBDA-1  111111111111  fn-09
LOW       lambda   eu-west-1  euw1-az1  LAMBDA-1  111111111111  fn-10
LOW       lambda   eu-west-1  euw1-az1  LAMBDA-1  111111111111  fn-11
LOW       lambda   eu-west-1  euw1-az1  LAMBDA-1  111111111111  fn-12
LOW       lambda   eu-west-1  euw1-az1  LAMBDA-1  111111111111  fn-13
LOW       lambda   eu-west-1  euw1-az1  LAMBDA-1  111111111111  fn-14
... 6 more in out/f.csv

Failed services (the run report has each task's error):
  account-setup  AccessDenied (1 task)
  dms            AccessDenied (2 tasks), Throttling (1 task)
  sgw            HTTP500 (1 task)
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	if tally.muted != 1 || tally.mutedRisks != 1 {
		t.Errorf("muted %d/%d", tally.muted, tally.mutedRisks)
	}
}

func TestRenderTerminalReportNothing(t *testing.T) {
	var b bytes.Buffer
	renderTerminalReport(&b, terminalReport{FindingsPath: "f.csv"})
	if b.String() != "\nNo unmuted risk written.\n" {
		t.Errorf("%q", b.String())
	}
}

// --fail-on counts unmuted risks at or above its severity only.
func TestTallyFailOn(t *testing.T) {
	cases := []struct {
		failOn string
		rows   []output.FindingRow
		want   int64
	}{
		{"HIGH", []output.FindingRow{risk("HIGH", "rds", "r", "", "a")}, 1},
		{"HIGH", []output.FindingRow{risk("MEDIUM", "rds", "r", "", "a"), risk("LOW", "rds", "r", "", "b")}, 0},
		{"MEDIUM", []output.FindingRow{risk("HIGH", "rds", "r", "", "a"), risk("MEDIUM", "rds", "r", "", "b"), risk("LOW", "rds", "r", "", "c")}, 2},
		{"LOW", []output.FindingRow{risk("INFO", "vpce", "r", "", "a")}, 0},
		{"HIGH", []output.FindingRow{func() output.FindingRow { r := risk("HIGH", "rds", "r", "", "a"); r.Muted = "ok"; return r }()}, 0},
		{"HIGH", []output.FindingRow{func() output.FindingRow { r := risk("INFO", "rds", "r", "", "a"); r.Risk = false; return r }()}, 0},
	}
	for i, c := range cases {
		tally := &scanTally{sink: nopSink{}, failOn: analysers.Severity(c.failOn)}
		for _, r := range c.rows {
			tally.WriteFinding(r)
		}
		if tally.failing != c.want {
			t.Errorf("case %d (--fail-on %s): %d failing, want %d", i, c.failOn, tally.failing, c.want)
		}
	}
}

// Neither a buffer, a pipe nor a file is a terminal, so a scan writing to
// them prints no progress bar and no table.
func TestTerminalOfNonTerminals(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	for name, out := range map[string]any{"buffer": &bytes.Buffer{}, "file": f, "pipe": w, "/dev/null": devNull} {
		var got *os.File
		switch o := out.(type) {
		case *bytes.Buffer:
			got = terminalOf(o)
		case *os.File:
			got = terminalOf(o)
		}
		if got != nil {
			t.Errorf("%s is taken for a terminal", name)
		}
	}
}
