package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline/faultline/internal/motoserver"
	"github.com/faultline/faultline/internal/testbin"
)

// offlineEnv is an environment in which any AWS call or configuration load
// fails: the endpoint is a closed port and the profile does not exist.
func offlineEnv() []string {
	return append(testbin.CleanEnv(),
		"AWS_ENDPOINT_URL=http://127.0.0.1:1",
		"AWS_PROFILE=faultline-e2e-no-such-profile",
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_MAX_ATTEMPTS=1",
	)
}

// collect writes a snapshot of the keys' account in us-east-1 to a fresh
// folder and returns it.
func collect(t *testing.T, keys motoserver.Keys) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "snapshot")
	cmd := exec.Command(reachBinary(t), "collect", "--regions", "us-east-1", "--services", "lambda", "-o", dir)
	cmd.Env = append(testbin.CleanEnv(), moto.Env(keys)...)
	res := testbin.Run(t, cmd)
	if res.Code != 0 {
		report, _ := os.ReadFile(filepath.Join(dir, "collect_run_report.csv"))
		t.Fatalf("collect: exit %d\n%s\n%s", res.Code, res.Stderr, report)
	}
	return dir
}

// collect, then reach --snapshot with no AWS at all: every question gets
// exactly the answer (stdout, stderr, exit code) the live run gives.
func TestReachFromSnapshot(t *testing.T) {
	e := seedEstate(t, "300000000002")
	dir := collect(t, e.keys)
	for _, c := range reachCases(e) {
		t.Run(c.name, func(t *testing.T) {
			live := runReach(t, e.keys, c.args...)
			cmd := exec.Command(reachBinary(t), append([]string{"reach", "--snapshot", dir}, c.args...)...)
			cmd.Env = offlineEnv()
			snap := testbin.Run(t, cmd)
			if live.code != c.code {
				t.Errorf("live: exit %d, want %d\n%s%s", live.code, c.code, live.stdout, live.stderr)
			}
			if snap.Code != live.code || snap.Stdout != live.stdout || snap.Stderr != live.stderr {
				t.Errorf("from the snapshot: exit %d\n%s%s\nlive: exit %d\n%s%s", snap.Code, snap.Stdout, snap.Stderr, live.code, live.stdout, live.stderr)
			}
		})
	}

	t.Run("usage errors", func(t *testing.T) {
		for _, args := range [][]string{
			{"--aws-profile", "x"},
			{"--aws-assume-role", "Reader"},
			{"--region", "eu-west-1"},
		} {
			cmd := exec.Command(reachBinary(t), append([]string{"reach", "--snapshot", dir, "--from", "ec2:app-1", "--to", "ec2:web-1", "--port", "22"}, args...)...)
			cmd.Env = offlineEnv()
			r := testbin.Run(t, cmd)
			if r.Code != 2 || r.Stdout != "" || strings.Count(strings.TrimSpace(r.Stderr), "\n") != 0 {
				t.Errorf("%v: exit %d, stdout %q, stderr %q; want one line, exit 2", args, r.Code, r.Stdout, r.Stderr)
			}
		}
	})
}
