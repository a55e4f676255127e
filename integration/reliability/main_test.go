// Package reliability runs the real faultline binary against moto through
// a fault-injecting proxy (internal/faultproxy): throttling, server errors,
// denied and hanging services, signals, and files that cannot be written.
package reliability

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faultline/faultline/internal/estate"
	"github.com/faultline/faultline/internal/faultproxy"
	"github.com/faultline/faultline/internal/motoserver"
	"github.com/faultline/faultline/internal/testbin"
)

var moto *motoserver.Server

func TestMain(m *testing.M) {
	testbin.Main(m, "reliability", func(s *motoserver.Server) { moto = s })
}

// faultlineBinary is the faultline binary, built once per test run into a
// folder every user may read (a test runs it as an unprivileged user).
func faultlineBinary(t *testing.T) string { return testbin.Faultline(t) }

// The shared estate: one account, two regions, every wire protocol (query:
// rds, redshift; EC2: vpce; JSON: fsx; REST-JSON: lambda, efs). Not
// elasticache: moto answers its DescribeServerlessCaches with HTTP 500, which
// the SDK retries for over a minute.
const (
	estateAccount = "300000000001"
	regionA       = "eu-west-1"
	regionB       = "us-east-2"
)

var (
	estateOnce sync.Once
	estateKeys motoserver.Keys
	estateErr  error
)

var estateCounts = map[string]int{"rds": 4, "redshift": 2, "vpce": 3, "fsx": 2, "lambda": 4, "efs": 5}

// scanServices are the estate's services in faultline's registry order.
var scanServices = []string{"vpce", "efs", "fsx", "lambda", "rds", "redshift"}

// seededAccount seeds the shared estate once and returns keys that moto maps
// to its account.
func seededAccount(t *testing.T) motoserver.Keys {
	t.Helper()
	estateOnce.Do(func() {
		ctx := context.Background()
		for _, region := range []string{regionA, regionB} {
			cfg, err := moto.Config(ctx, estateAccount, region)
			if err != nil {
				estateErr = err
				return
			}
			for _, svc := range scanServices {
				if err := estate.Seeders[svc](ctx, cfg, estateCounts[svc]); err != nil {
					estateErr = fmt.Errorf("%s %s: %w", region, svc, err)
					return
				}
			}
		}
		estateKeys, estateErr = moto.AccountKeys(ctx, estateAccount, "scanner")
	})
	if estateErr != nil {
		t.Fatalf("seed: %v", estateErr)
	}
	return estateKeys
}

// newProxy starts a proxy in front of moto for one test.
func newProxy(t *testing.T, f faultproxy.Faults) *faultproxy.Proxy {
	t.Helper()
	p, err := faultproxy.Start(moto.URL)
	if err != nil {
		t.Fatal(err)
	}
	p.Set(f)
	t.Cleanup(p.Close)
	return p
}

// env is the binary's whole environment: no AWS settings of the test
// process, the keys, and the proxy as the endpoint.
func env(p *faultproxy.Proxy, keys motoserver.Keys, extra ...string) []string {
	out := testbin.CleanEnv()
	for _, kv := range moto.Env(keys) {
		if !strings.HasPrefix(kv, "AWS_ENDPOINT_URL=") {
			out = append(out, kv)
		}
	}
	return append(append(out, "AWS_ENDPOINT_URL="+p.URL), extra...)
}

// result is one finished run of the binary.
type result struct {
	code         int
	stderr       string
	took         time.Duration
	findingsPath string
	reportPath   string
}

// started is a running binary.
type started struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	began  time.Time
}

func startBinary(t *testing.T, cmd *exec.Cmd) *started {
	t.Helper()
	s := &started{cmd: cmd, stderr: &bytes.Buffer{}}
	cmd.Stderr = s.stderr
	s.began = time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *started) wait(t *testing.T) result {
	t.Helper()
	err := s.cmd.Wait()
	r := testbin.Outcome(t, err, "", s.stderr.String())
	res := result{code: r.Code, stderr: r.Stderr, took: time.Since(s.began), findingsPath: r.FindingsPath, reportPath: r.ReportPath}
	return res
}

// scan runs faultline scan through p and waits for it.
func scan(t *testing.T, p *faultproxy.Proxy, keys motoserver.Keys, extraEnv []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(faultlineBinary(t), append([]string{"scan", "--log-format", "json", "--log-level", "warn"}, args...)...)
	cmd.Env = env(p, keys, extraEnv...)
	return startBinary(t, cmd).wait(t)
}

const (
	findingsHeader = "service,region,account_id,account_name,payer_account_id,payer_account_name,resource_arn,resource_name,resource_id,potential_single_az_risk,engine,message,timestamp,check_id,severity,resource_type,availability_zones,availability_zone_ids,muted"
	reportHeader   = "account_id,region,service,result,error_message,start_time,end_time,runtime_in_seconds,error_code,api_calls,retries,resources,findings,events_published,events_failed"
	colTimestamp   = 12
)

// findings are the findings file's rows without the timestamp column,
// sorted, one string per row.
func findings(t *testing.T, path string) []string {
	t.Helper()
	records := testbin.ReadCSV(t, path)
	if len(records) == 0 || strings.Join(records[0], ",") != findingsHeader {
		t.Fatalf("findings header: %v", records)
	}
	var rows []string
	for _, r := range records[1:] {
		r = slices.Delete(slices.Clone(r), colTimestamp, colTimestamp+1)
		rows = append(rows, strings.Join(r, " | "))
	}
	slices.Sort(rows)
	return rows
}

// reportRow is one run-report row by column name.
type reportRow map[string]string

// report reads the run report, keyed by region/service.
func report(t *testing.T, path string) map[string]reportRow {
	t.Helper()
	records := testbin.ReadCSV(t, path)
	if len(records) == 0 || strings.Join(records[0], ",") != reportHeader {
		t.Fatalf("report header: %v", records)
	}
	out := map[string]reportRow{}
	for _, r := range records[1:] {
		row := reportRow{}
		for i, col := range records[0] {
			row[col] = r[i]
		}
		out[row["region"]+"/"+row["service"]] = row
	}
	return out
}

// tempFiles lists files the atomic writer left behind in dir.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			out = append(out, e.Name())
		}
	}
	return out
}

// waitFor polls cond until it holds or d passes; it reports whether it held.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

func compare(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d rows, want %d", len(got), len(want))
	}
	for i := 0; i < len(got) || i < len(want); i++ {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			t.Errorf("row %d:\n got  %s\n want %s", i, g, w)
		}
	}
}
