package reliability

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline/faultline/internal/faultproxy"
	"github.com/faultline/faultline/inventory"
)

// collect runs faultline collect through p into dir.
func collect(t *testing.T, p *faultproxy.Proxy, env []string, dir string, args ...string) result {
	t.Helper()
	cmd := exec.Command(faultlineBinary(t), append([]string{"collect", "--log-format", "json", "--log-level", "warn", "-o", dir}, args...)...)
	cmd.Env = env
	return startBinary(t, cmd).wait(t)
}

// A snapshot scan is the live scan without AWS: collect, then scan
// --snapshot with the endpoint unreachable, gives the live scan's findings
// row for row and the same task results; the live scan reads each region's
// subnets once whatever the services asked.
func TestCollectThenScanSnapshotEqualsLiveScan(t *testing.T) {
	keys := seededAccount(t)
	p := newProxy(t, faultproxy.Faults{})
	where := []string{"-r", regionA, regionB, "-s", strings.Join(scanServices, ",")}

	liveDir := t.TempDir()
	live := scan(t, p, keys, nil, append([]string{"--truncate-output", "-o", liveDir}, where...)...)
	if live.code != 0 {
		t.Fatalf("live scan exit %d: %s", live.code, live.stderr)
	}
	stats := p.Stats()
	for _, region := range []string{regionA, regionB} {
		if n := stats.ByRegion[region+" ec2"]; n == 0 {
			t.Fatalf("no EC2 call in %s: %s", region, stats)
		}
	}
	// vpce, fsx and lambda each placed subnets with their own
	// DescribeSubnets before the shared inventory; now one per region.
	if n := stats.Count("ec2", "DescribeSubnets"); n != 2 {
		t.Errorf("DescribeSubnets called %d times for 1 account x 2 regions, want 2:\n%s", n, stats)
	}

	snapDir := t.TempDir()
	p.ResetCounts()
	col := collect(t, p, env(p, keys), snapDir, where...)
	if col.code != 0 {
		t.Fatalf("collect exit %d: %s", col.code, col.stderr)
	}
	for _, name := range []string{inventory.ManifestName, inventory.ScopeFileName(estateAccount, regionA), inventory.ScopeFileName(estateAccount, regionB)} {
		st, err := os.Stat(filepath.Join(snapDir, name))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v", name, err)
		}
	}

	// No endpoint at all: any call would fail its task.
	offline := append(env(p, keys), "AWS_ENDPOINT_URL=http://127.0.0.1:1")
	p.ResetCounts()
	offDir := t.TempDir()
	cmd := exec.Command(faultlineBinary(t), "scan", "--log-format", "json", "--log-level", "warn", "--truncate-output", "-o", offDir, "--snapshot", snapDir)
	cmd.Env = offline
	off := startBinary(t, cmd).wait(t)
	if off.code != 0 {
		t.Fatalf("snapshot scan exit %d: %s", off.code, off.stderr)
	}
	if n := p.Stats().Requests; n != 0 {
		t.Errorf("the snapshot scan made %d requests", n)
	}
	compare(t, findings(t, off.findingsPath), findings(t, live.findingsPath))
	if filepath.Base(off.findingsPath) != filepath.Base(live.findingsPath) {
		t.Errorf("file names differ: %s and %s", off.findingsPath, live.findingsPath)
	}
	liveReport, offReport := report(t, live.reportPath), report(t, off.reportPath)
	for key, want := range liveReport {
		got, ok := offReport[key]
		if !ok || got["result"] != want["result"] || got["error_code"] != want["error_code"] || got["resources"] != want["resources"] || got["findings"] != want["findings"] {
			t.Errorf("%s: snapshot %v, live %v", key, got, want)
		}
		if key != "Overall/Overall" && got["api_calls"] != "0" {
			t.Errorf("%s: %s API calls from a snapshot", key, got["api_calls"])
		}
	}
	if len(offReport) != len(liveReport) {
		t.Errorf("report rows: snapshot %d, live %d", len(offReport), len(liveReport))
	}

	// A narrower scan of the snapshot is the same rows of one region and service.
	cmd = exec.Command(faultlineBinary(t), "scan", "--log-format", "json", "--truncate-output", "-o", t.TempDir(), "--snapshot", snapDir, "-r", regionB, "-s", "rds")
	cmd.Env = offline
	narrow := startBinary(t, cmd).wait(t)
	var want []string
	for _, r := range findings(t, live.findingsPath) {
		if strings.HasPrefix(r, "rds | "+regionB+" | ") {
			want = append(want, r)
		}
	}
	if narrow.code != 0 || len(want) == 0 {
		t.Fatalf("narrow exit %d (%d rows wanted): %s", narrow.code, len(want), narrow.stderr)
	}
	compare(t, findings(t, narrow.findingsPath), want)
}

func TestSnapshotScanRefusesWhatItCannotServe(t *testing.T) {
	keys := seededAccount(t)
	p := newProxy(t, faultproxy.Faults{})
	snapDir := t.TempDir()
	if col := collect(t, p, env(p, keys), snapDir, "-r", regionA, "-s", "lambda"); col.code != 0 {
		t.Fatalf("collect exit %d: %s", col.code, col.stderr)
	}
	offline := append(env(p, keys), "AWS_ENDPOINT_URL=http://127.0.0.1:1")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-s", "rds"}, "faultline: --snapshot " + snapDir + " was collected for lambda, not rds: collect it again with --services rds"},
		{[]string{"-r", regionB}, "faultline: region " + regionB + " of account " + estateAccount + " is not in snapshot " + snapDir + " (it holds " + regionA + ")"},
		{[]string{"--aws-assume-role", "R"}, "faultline: --aws-assume-role cannot go with --snapshot, which makes no API call"},
	}
	for _, c := range cases {
		cmd := exec.Command(faultlineBinary(t), append([]string{"scan", "-o", t.TempDir(), "--snapshot", snapDir}, c.args...)...)
		cmd.Env = offline
		r := startBinary(t, cmd).wait(t)
		if r.code != 2 || strings.TrimSpace(r.stderr) != c.want {
			t.Errorf("%v: exit %d %q, want 2 %q", c.args, r.code, r.stderr, c.want)
		}
	}
	// An older schema is refused with a clear line.
	manifest := filepath.Join(snapDir, inventory.ManifestName)
	b, _ := os.ReadFile(manifest)
	os.WriteFile(manifest, []byte(strings.Replace(string(b), `"schema": 1`, `"schema": 0`, 1)), 0o600)
	cmd := exec.Command(faultlineBinary(t), "scan", "-o", t.TempDir(), "--snapshot", snapDir)
	cmd.Env = offline
	r := startBinary(t, cmd).wait(t)
	want := "faultline: --snapshot: " + snapDir + " is a snapshot of schema version 0; this faultline reads version 1: run faultline collect again"
	if r.code != 2 || strings.TrimSpace(r.stderr) != want {
		t.Errorf("old schema: exit %d %q, want 2 %q", r.code, r.stderr, want)
	}
}
