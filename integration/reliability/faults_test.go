package reliability

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faultline/faultline/internal/faultproxy"
)

// scanArgs scan the whole estate in both regions into dir.
func scanArgs(dir string, extra ...string) []string {
	args := append([]string{"--truncate-output", "-o", dir, "-r", regionA, regionB, "-s"}, scanServices...)
	return append(args, extra...)
}

// setupCalls are made before any task (identity, organization, enabled
// regions); the fault tests leave them alone so that every injected fault
// lands on a task and must show in the run report.
var setupCalls = []string{"sts", "organizations", "ec2 DescribeRegions"}

var (
	cleanOnce sync.Once
	cleanRows []string
)

// clean is the estate's findings from a run without faults.
func clean(t *testing.T) []string {
	t.Helper()
	cleanOnce.Do(func() {
		keys := seededAccount(t)
		p := newProxy(t, faultproxy.Faults{})
		res := scan(t, p, keys, nil, scanArgs(t.TempDir())...)
		if res.code != 0 {
			t.Fatalf("clean run: exit %d\n%s", res.code, res.stderr)
		}
		cleanRows = findings(t, res.findingsPath)
	})
	if len(cleanRows) < 20 {
		t.Fatalf("clean run wrote %d findings; the estate should give at least 20", len(cleanRows))
	}
	return cleanRows
}

// checkRetriesCounted checks that every task succeeded and that the run
// report counts exactly the retries the proxy caused: one per injected
// fault, plus one per request moto dropped.
func checkRetriesCounted(t *testing.T, res result, st faultproxy.Stats) {
	t.Helper()
	rep := report(t, res.reportPath)
	var sum int
	for key, r := range rep {
		if key == "Overall/Overall" {
			continue
		}
		if r["result"] != "Success" {
			t.Errorf("%s: %s %s %s", key, r["result"], r["error_code"], r["error_message"])
		}
		n, _ := strconv.Atoi(r["retries"])
		sum += n
	}
	if len(rep) != 2*len(scanServices)+1 {
		t.Errorf("report has %d rows, want %d", len(rep), 2*len(scanServices)+1)
	}
	injected := st.Injected["Throttling"] + st.Injected["HTTP500"] + st.Injected["HTTP503"]
	overall, _ := strconv.Atoi(rep["Overall/Overall"]["retries"])
	if injected == 0 || overall != injected+st.Upstream || sum != overall {
		t.Errorf("run report counts %d retries (tasks: %d); the proxy injected %d faults %v and dropped %d",
			overall, sum, injected, st.Injected, st.Upstream)
	}
}

// Issue point 1: with a quarter of the scan's requests throttled (each
// protocol's own code) or failing with 500/503, the findings are those of a
// clean run and the run report counts the retries.
func TestQuarterOfRequestsFail(t *testing.T) {
	want := clean(t)
	keys := seededAccount(t)
	p := newProxy(t, faultproxy.Faults{Throttle: 0.15, ServerError: 0.10, ThrottleFirst: []string{"lambda"}, Exempt: setupCalls, Seed: 1})
	res := scan(t, p, keys, nil, scanArgs(t.TempDir())...)
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	compare(t, findings(t, res.findingsPath), want)
	// Which requests fail depends on moto's random resource IDs (they are
	// in the requests the draws hash), so the mix of codes varies between
	// runs; the proxy's own tests prove each code's shape.
	st := p.Stats()
	checkRetriesCounted(t, res, st)
	t.Logf("injected %v over %d requests", st.Injected, st.Requests)
}

// Issue: --retry-mode adaptive works against throttling: the findings are
// complete and the retries counted.
func TestAdaptiveRetryMode(t *testing.T) {
	want := clean(t)
	keys := seededAccount(t)
	// 10%: adaptive mode slows a client down after each throttle (by design),
	// which at 25% would cost half a minute of CI time.
	// rds's first requests are throttled for sure: at 10%, the draws alone
	// gave none in about one run in ten.
	p := newProxy(t, faultproxy.Faults{Throttle: 0.10, ThrottleFirst: []string{"rds"}, Exempt: setupCalls, Seed: 2})
	res := scan(t, p, keys, nil, scanArgs(t.TempDir(), "--retry-mode", "adaptive")...)
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	compare(t, findings(t, res.findingsPath), want)
	checkRetriesCounted(t, res, p.Stats())
}

// Issue: AWS_MAX_ATTEMPTS (and AWS_RETRY_MODE) are honoured: an always
// throttled service is tried exactly that many times per call, then its
// task fails with the code; the other tasks succeed.
func TestMaxAttemptsHonoured(t *testing.T) {
	keys := seededAccount(t)
	cases := []struct {
		name string
		env  []string
		args []string
		want int
	}{
		{"AWS_MAX_ATTEMPTS=3", []string{"AWS_MAX_ATTEMPTS=3"}, nil, 3},
		{"AWS_MAX_ATTEMPTS=2 AWS_RETRY_MODE=adaptive", []string{"AWS_MAX_ATTEMPTS=2", "AWS_RETRY_MODE=adaptive"}, nil, 2},
		{"AWS_MAX_ATTEMPTS=1 --retry-mode adaptive", []string{"AWS_MAX_ATTEMPTS=1"}, []string{"--retry-mode", "adaptive"}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := newProxy(t, faultproxy.Faults{Throttle: 1, Only: []string{"rds"}})
			dir := t.TempDir()
			args := append([]string{"--truncate-output", "-o", dir, "-r", regionA, regionB, "-s", "rds", "lambda"}, c.args...)
			res := scan(t, p, keys, c.env, args...)
			if res.code != 4 {
				t.Fatalf("exit %d, want 4\n%s", res.code, res.stderr)
			}
			// The rds analyser's first call fails, so each task makes one
			// call: c.want attempts at the proxy.
			st := p.Stats()
			if n := st.Count("rds", ""); n != 2*c.want || st.Count("rds", "DescribeDBInstances") != n {
				t.Errorf("rds requests at the proxy: %d, want %d x 2 tasks\n%s", n, c.want, st)
			}
			rep := report(t, res.reportPath)
			for _, region := range []string{regionA, regionB} {
				r := rep[region+"/rds"]
				if r["result"] != "Failure" || r["error_code"] != "Throttling" || r["api_calls"] != "1" || r["retries"] != strconv.Itoa(c.want-1) {
					t.Errorf("%s/rds: %v", region, r)
				}
				if r := rep[region+"/lambda"]; r["result"] != "Success" {
					t.Errorf("%s/lambda: %v", region, r)
				}
			}
		})
	}
}

// Issue point 2: a service that is always denied fails its tasks with the
// access-error code, without retries; every other task succeeds; exit 4.
func TestDeniedService(t *testing.T) {
	keys := seededAccount(t)
	cases := []struct{ service, signingName, code string }{
		{"rds", "rds", "AccessDenied"},                        // query protocol
		{"vpce", "ec2", "UnauthorizedOperation"},              // EC2
		{"fsx", "fsx", "AccessDeniedException"},               // JSON
		{"efs", "elasticfilesystem", "AccessDeniedException"}, // REST-JSON
	}
	for _, c := range cases {
		t.Run(c.service, func(t *testing.T) {
			p := newProxy(t, faultproxy.Faults{Deny: []string{c.signingName}})
			dir := t.TempDir()
			services := []string{c.service, "lambda", "redshift"}
			if c.service == "vpce" {
				services = []string{"vpce", "redshift", "efs"} // lambda reads EC2 subnets too
			}
			args := append([]string{"--truncate-output", "-o", dir, "-r", regionA, regionB, "-s"}, services...)
			res := scan(t, p, keys, nil, args...)
			if res.code != 4 {
				t.Fatalf("exit %d, want 4\n%s", res.code, res.stderr)
			}
			if !strings.Contains(res.stderr, "faultline: 2 of 6 tasks failed; see "+res.reportPath) {
				t.Errorf("stderr does not say what failed:\n%s", res.stderr)
			}
			rep := report(t, res.reportPath)
			for _, region := range []string{regionA, regionB} {
				for _, svc := range services {
					r := rep[region+"/"+svc]
					switch {
					case svc == c.service && (r["result"] != "Failure" || r["error_code"] != c.code || r["retries"] != "0"):
						t.Errorf("%s/%s: want Failure %s without retries, got %v", region, svc, c.code, r)
					case svc != c.service && r["result"] != "Success":
						t.Errorf("%s/%s: %v", region, svc, r)
					}
				}
			}
			if o := rep["Overall/Overall"]; o["result"] != "Failure" || o["error_message"] != "2 of 6 tasks failed" {
				t.Errorf("overall: %v", o)
			}
		})
	}
}

// Issue point 3: a service that hangs is ended by --task-timeout as a
// Failure, the other tasks finish, and the process exits promptly with its
// requests released (nothing left waiting on the hung service).
func TestHangingService(t *testing.T) {
	keys := seededAccount(t)
	p := newProxy(t, faultproxy.Faults{Hang: []string{"redshift"}})
	dir := t.TempDir()
	const timeout = 2 * time.Second
	res := scan(t, p, keys, nil, "--truncate-output", "-o", dir, "-r", regionA, regionB,
		"--task-timeout", timeout.String(), "-s", "redshift", "rds", "lambda")
	if res.code != 4 {
		t.Fatalf("exit %d, want 4\n%s", res.code, res.stderr)
	}
	// Both hung tasks run at once (default concurrency 20): one timeout,
	// plus the scan's own few seconds.
	if res.took > timeout+10*time.Second {
		t.Errorf("the scan took %s with a %s task timeout", res.took, timeout)
	}
	rep := report(t, res.reportPath)
	for _, region := range []string{regionA, regionB} {
		if r := rep[region+"/redshift"]; r["result"] != "Failure" || r["error_code"] != "TaskTimeout" ||
			!strings.HasPrefix(r["error_message"], "task timed out after 2s") {
			t.Errorf("%s/redshift: %v", region, r)
		}
		for _, svc := range []string{"rds", "lambda"} {
			if r := rep[region+"/"+svc]; r["result"] != "Success" {
				t.Errorf("%s/%s: %v", region, svc, r)
			}
		}
	}
	if st := p.Stats(); st.Injected["Hang"] != 2 {
		t.Errorf("hung requests: %v, want one per redshift task", st.Injected)
	}
	if !waitFor(5*time.Second, func() bool { return p.Stats().Hanging == 0 }) {
		t.Errorf("%d requests still held after the process exited", p.Stats().Hanging)
	}
	if tmp := tempFiles(t, dir); len(tmp) != 0 {
		t.Errorf("left behind: %v", tmp)
	}
}
