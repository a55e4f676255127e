package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/faultline/faultline/mutelist"
	"github.com/faultline/faultline/output"
)

// parseScanArgs parses a scan command line as `faultline scan` does and
// returns the options, without running the scan.
func parseScanArgs(t *testing.T, args ...string) scanOptions {
	t.Helper()
	var opts scanOptions
	cmd := scanCommand(func(_ *cli.Context, err error, _ bool) error { return err })
	cmd.Action = func(c *cli.Context) error {
		var err error
		opts, err = parseScanOptions(c)
		return err
	}
	app := &cli.App{Name: "faultline", Commands: []*cli.Command{cmd}, Writer: io.Discard, ErrWriter: io.Discard}
	if err := app.Run(append([]string{"faultline", "scan"}, normaliseArgs(args)...)); err != nil {
		t.Fatalf("scan %s: %v", strings.Join(args, " "), err)
	}
	return opts
}

func setKeys(m map[string]bool) string {
	if m == nil {
		return "<all>"
	}
	var keys []string
	for k, v := range m {
		if v {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

// The selection flags narrow the services scanned and the rows written.
func TestParseSelection(t *testing.T) {
	others := slices.DeleteFunc(serviceKeys(), func(s string) bool { return s == "lambda" })
	cases := []struct {
		args                   string
		services, checks, sevs string
		failOn                 string
	}{
		{"", "<all>", "<all>", "<all>", ""},
		// --checks scans only the services of the checks, in registry order.
		{"--checks rds-3 LAMBDA-1", "lambda,rds", "LAMBDA-1,RDS-3", "<all>", ""},
		{"-s rds,lambda --checks RDS-1", "rds", "RDS-1", "<all>", ""},
		// A service whose every check is excluded is not scanned.
		{"-s lambda,rds --excluded-checks LAMBDA-1,LAMBDA-2,RDS-1", "rds", "RDS-2,RDS-3", "<all>", ""},
		{"--checks RDS-1,RDS-2 --excluded-checks RDS-2", "rds", "RDS-1", "<all>", ""},
		{"--excluded-services lambda", strings.Join(others, ","), "<all>", "<all>", ""},
		{"-s rds,lambda --excluded-services lambda,dax", "rds", "<all>", "<all>", ""},
		{"--severity high info", "<all>", "<all>", "HIGH,INFO", ""},
		{"--fail-on medium --severity HIGH", "<all>", "<all>", "HIGH", "MEDIUM"},
		{"--fail-on LOW", "<all>", "<all>", "<all>", "LOW"},
	}
	for _, c := range cases {
		opts := parseScanArgs(t, strings.Fields(c.args)...)
		services := "<all>"
		if opts.Services != nil {
			services = strings.Join(opts.Services, ",")
		}
		if services != c.services || setKeys(opts.Checks) != c.checks || setKeys(opts.Severities) != c.sevs || string(opts.FailOn) != c.failOn {
			t.Errorf("scan %s: services %s, checks %s, severities %s, fail-on %q; want %s, %s, %s, %q",
				c.args, services, setKeys(opts.Checks), setKeys(opts.Severities), opts.FailOn, c.services, c.checks, c.sevs, c.failOn)
		}
	}
}

func TestRowFilter(t *testing.T) {
	if rowFilter(scanOptions{}, nil) != nil {
		t.Error("a filter without any selection: rows would not be as before")
	}
	list, err := mutelist.Parse("m.yaml", []byte("mutelist:\n  - check: RDS-1\n    resource: arn:aws:rds:.*:db:legacy\n    reason: legacy DB\n"), mutelist.Validators{})
	if err != nil {
		t.Fatal(err)
	}
	muter, _ := list.Active(time.Now())
	filter := rowFilter(scanOptions{
		Checks:     map[string]bool{"RDS-1": true, "RDS-2": true},
		Severities: map[string]bool{"HIGH": true, "MEDIUM": true},
	}, muter)
	rows := []output.FindingRow{
		{CheckID: "RDS-1", Severity: "HIGH", Risk: true, ResourceARN: "arn:aws:rds:eu-west-1:111111111111:db:legacy"},
		{CheckID: "RDS-1", Severity: "HIGH", Risk: true, ResourceARN: "arn:aws:rds:eu-west-1:111111111111:db:orders"},
		{CheckID: "RDS-1", Severity: "INFO", ResourceARN: "arn:aws:rds:eu-west-1:111111111111:db:legacy"},
		{CheckID: "RDS-3", Severity: "MEDIUM", Risk: true, ResourceARN: "arn:aws:rds:eu-west-1:111111111111:cluster:sv1"},
		{CheckID: "RDS-2", Severity: "MEDIUM", Risk: true, ResourceARN: "arn:aws:rds:eu-west-1:111111111111:cluster:c"},
	}
	var got []string
	for _, r := range rows {
		ok := filter(&r)
		got = append(got, fmt.Sprintf("%s/%s %v %q", r.CheckID, r.Severity, ok, r.Muted))
	}
	want := []string{
		`RDS-1/HIGH true "legacy DB"`,
		`RDS-1/HIGH true ""`,
		`RDS-1/INFO false ""`,   // --severity
		`RDS-3/MEDIUM false ""`, // --checks
		`RDS-2/MEDIUM true ""`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// An expired entry mutes nothing and is reported once; an entry with tags
// is reported as muting nothing, because findings carry no tags yet.
func TestActiveMutelistWarnings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.yaml")
	os.WriteFile(path, []byte(`mutelist:
  - check: RDS-1
    reason: old exception
    expires: 2026-01-31
  - check: "*"
    tags: {env: dev}
    reason: dev resources
  - check: RDS-2
    reason: current
    expires: 2026-02-01
`), 0o600)
	list, err := loadMutelist(path)
	if err != nil {
		t.Fatal(err)
	}
	var warnings []string
	m := activeMutelist(list, time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC), func(f string, a ...any) {
		warnings = append(warnings, fmt.Sprintf(f, a...))
	})
	want := []string{
		"mutelist entry 1 (old exception) expired on 2026-01-31, so it mutes nothing",
		"mutelist entry 2 (dev resources) matches tags, which findings do not carry yet, so it mutes nothing",
	}
	if !slices.Equal(warnings, want) {
		t.Errorf("warnings:\n%s", strings.Join(warnings, "\n"))
	}
	f := mutelist.Finding{Account: "111111111111", Region: "eu-west-1", Check: "RDS-1", ARN: "arn:aws:rds:eu-west-1:111111111111:db:x"}
	if r := m.Reason(f); r != "" {
		t.Errorf("expired entry muted: %q", r)
	}
	f.Check = "RDS-2"
	if r := m.Reason(f); r != "current" {
		t.Errorf("entry on its last day: %q", r)
	}
	f.Check = "LAMBDA-1"
	if r := m.Reason(f); r != "" {
		t.Errorf("a tag entry muted a finding without tags: %q", r)
	}
}
