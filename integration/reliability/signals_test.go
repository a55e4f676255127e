package reliability

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/faultline/faultline/internal/faultproxy"
)

// Issue point 4: SIGINT or SIGTERM mid-scan. One task at a time; redshift
// hangs, so the scan is stopped while eu-west-1's redshift task runs, after
// its efs and lambda tasks finished and before any us-east-2 task started.
// Then: no new task starts (the proxy sees no us-east-2 request), the
// running one is cancelled, the files hold only complete rows and are valid
// CSV, unfinished tasks are Cancelled, exit 130.
func TestSignalMidScan(t *testing.T) {
	keys := seededAccount(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			p := newProxy(t, faultproxy.Faults{Hang: []string{"redshift"}})
			dir := t.TempDir()
			cmd := exec.Command(faultlineBinary(t), "scan", "--log-format", "json", "--log-level", "warn",
				"--truncate-output", "-o", dir, "-m", "1", "-r", regionA, regionB, "-s", "efs", "lambda", "redshift")
			cmd.Env = env(p, keys)
			run := startBinary(t, cmd)
			if !waitFor(30*time.Second, func() bool { return p.Stats().Hanging == 1 }) {
				cmd.Process.Kill()
				res := run.wait(t)
				t.Fatalf("the redshift task never started\n%s", res.stderr)
			}
			before := p.Stats()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			res := run.wait(t)
			if res.code != 130 {
				t.Fatalf("exit %d, want 130\n%s", res.code, res.stderr)
			}
			if res.took > 20*time.Second {
				t.Errorf("took %s", res.took)
			}
			after := p.Stats()
			for key, n := range after.ByRegion {
				if strings.HasPrefix(key, regionB+" ") {
					t.Errorf("%d %s requests: a task started after the signal", n, key)
				}
			}
			if after.Requests != before.Requests {
				t.Errorf("%d requests after the signal", after.Requests-before.Requests)
			}

			rep := report(t, res.reportPath)
			want := map[string]string{
				regionA + "/efs": "Success", regionA + "/lambda": "Success", regionA + "/redshift": "Cancelled",
				regionB + "/efs": "Cancelled", regionB + "/lambda": "Cancelled", regionB + "/redshift": "Cancelled",
				"Overall/Overall": "Cancelled",
			}
			for key, result := range want {
				if r := rep[key]; r["result"] != result {
					t.Errorf("%s: %v, want %s", key, r, result)
				}
			}
			if len(rep) != len(want) {
				t.Errorf("report rows: %d, want %d", len(rep), len(want))
			}
			if m := rep[regionA+"/redshift"]["error_message"]; m != "scan interrupted while this task ran" {
				t.Errorf("running task: %q", m)
			}
			if m := rep[regionB+"/efs"]["error_message"]; m != "scan interrupted before this task started" {
				t.Errorf("queued task: %q", m)
			}
			// Every row is complete: the findings are exactly the finished
			// tasks' counts, each row has every column (strict CSV).
			rows := findings(t, res.findingsPath)
			n := 0
			for _, key := range []string{regionA + "/efs", regionA + "/lambda"} {
				k, _ := strconv.Atoi(rep[key]["findings"])
				n += k
			}
			if len(rows) != n || n != estateCounts["efs"]+estateCounts["lambda"] {
				t.Errorf("%d findings rows, the finished tasks wrote %d", len(rows), n)
			}
			for _, r := range rows {
				if !strings.HasPrefix(r, "efs | "+regionA) && !strings.HasPrefix(r, "lambda | "+regionA) {
					t.Errorf("row from an unfinished task: %s", r)
				}
			}
			if tmp := tempFiles(t, dir); len(tmp) != 0 {
				t.Errorf("left behind: %v", tmp)
			}
			if !strings.Contains(res.stderr, "faultline: 6 tasks: 2 succeeded, 0 failed, 0 skipped, 4 cancelled") {
				t.Errorf("summary:\n%s", res.stderr)
			}
			if fi, err := os.Stat(filepath.Join(dir, filepath.Base(res.findingsPath))); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("findings file: %v %v", fi, err)
			}
		})
	}
}
