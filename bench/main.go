// Command bench measures how close a faultline scan is to the network's
// limit: it starts moto, seeds the scenarios of issue 5 through the SDK,
// records moto's answers to one real scan, then replays them from memory
// with a fixed injected latency, so that moto's own CPU cost stays out of
// the figures. See bench/README.md; `make bench` runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/faultline/faultline/internal/estate"
	"github.com/faultline/faultline/internal/faultproxy"
	"github.com/faultline/faultline/internal/motoserver"
)

// scenario is one estate and the scan of it.
type scenario struct {
	name     string
	accounts []string        // seeded accounts; more than one: scanned with --aws-assume-role
	regions  []string        // seeded and scanned
	seed     map[string]int  // service key -> resources per account and region
	services []string        // scanned (nil: ALL)
	keys     motoserver.Keys // the scanning identity
	caller   string          // its account
	note     string
}

var (
	fourRegions = []string{"us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2"}
	twoRegions  = []string{"us-east-1", "eu-west-1"}
)

func scenarios(scale float64) []*scenario {
	n := func(v int) int { return max(1, int(float64(v)*scale)) }
	var lAccounts []string
	for i := 1; i <= 50; i++ {
		lAccounts = append(lAccounts, fmt.Sprintf("222200000%03d", i))
	}
	every := map[string]int{}
	for svc := range estate.Seeders {
		every[svc] = n(4)
	}
	return []*scenario{
		{name: "S", accounts: []string{"111100000001"}, regions: fourRegions,
			seed: map[string]int{"rds": n(200), "lambda": n(200)}, services: []string{"rds", "lambda"},
			note: "1 account, 4 regions, 200 RDS + 200 VPC Lambda per region"},
		{name: "S/10", accounts: []string{"111100000002"}, regions: fourRegions,
			seed: map[string]int{"rds": n(20), "lambda": n(20)}, services: []string{"rds", "lambda"},
			note: "S with a tenth of the resources (for RSS growth)"},
		{name: "M", accounts: []string{"111100000003"}, regions: twoRegions, seed: every,
			note: "every service moto can hold (4 each), ALL services scanned, 2 regions"},
		{name: "L", accounts: lAccounts, regions: fourRegions,
			seed: map[string]int{"rds": n(20), "lambda": n(20)}, services: []string{"rds", "lambda"},
			caller: "111100000004", note: "50 accounts x 4 regions x (20 RDS + 20 Lambda), assumed roles"},
	}
}

func main() {
	bin := flag.String("bin", "bin/faultline", "faultline binary")
	latency := flag.Duration("latency", 50*time.Millisecond, "injected latency of the second replay")
	only := flag.String("scenarios", "S,S/10,M,L", "scenarios to run")
	scale := flag.Float64("scale", 1, "multiply every resource count (for a quick try)")
	concurrency := flag.Int("m", 20, "faultline -m")
	flag.Parse()
	if err := run(*bin, *latency, strings.Split(*only, ","), *scale, *concurrency); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// measurement is one replayed run.
type measurement struct {
	wall, cpu time.Duration
	rssMB     float64
	calls     int
	misses    int
}

func run(bin string, latency time.Duration, only []string, scale float64, concurrency int) error {
	ctx := context.Background()
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("%w (make build first)", err)
	}
	work, err := os.MkdirTemp("", "faultline-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	fmt.Println("==> starting moto")
	moto, err := motoserver.Start(filepath.Join(work, "moto.log"))
	if err != nil {
		return err
	}
	defer moto.Stop()

	type row struct {
		sc       *scenario
		zero, hi measurement
		seedTook time.Duration
	}
	var rows []row
	for _, sc := range scenarios(scale) {
		if !contains(only, sc.name) {
			continue
		}
		began := time.Now()
		if err := seed(ctx, moto, sc); err != nil {
			return fmt.Errorf("%s: seed: %w", sc.name, err)
		}
		seedTook := time.Since(began)
		fmt.Printf("==> %s: seeded in %.1fs (%s)\n", sc.name, seedTook.Seconds(), sc.note)

		p, err := faultproxy.Start(moto.URL)
		if err != nil {
			return err
		}
		args := scanArgs(sc, filepath.Join(work, "out"), concurrency)
		p.SetMode(faultproxy.Record)
		rec, code, stderr, err := scanOnce(bin, p, moto, sc, args)
		if err != nil {
			p.Close()
			return err
		}
		fmt.Printf("    record pass: %d calls in %.2fs, exit %d\n", rec.calls, rec.wall.Seconds(), code)
		if code != 0 && code != 4 { // 4: some tasks failed
			p.Close()
			return fmt.Errorf("%s: exit %d\n%s", sc.name, code, stderr)
		}
		p.SetMode(faultproxy.Replay)
		var zero, hi measurement
		for _, lat := range []time.Duration{0, latency} {
			p.Set(faultproxy.Faults{Latency: lat})
			// Best of two: the first replay also warms the page cache
			// for the binary and the output folder.
			var best measurement
			// A pass that ends differently from the record pass met a
			// transport fault on loopback (a connection reset mid-body,
			// with one attempt allowed); it is discarded and run again, at
			// most twice, and said so.
			for i, discarded := 0, 0; i < 2; {
				m, code2, stderr2, err := scanOnce(bin, p, moto, sc, args)
				if err != nil {
					p.Close()
					return err
				}
				if code2 != code {
					if discarded++; discarded <= 2 {
						fmt.Printf("    replay pass discarded: exit %d, record exit %d\n", code2, code)
						continue
					}
					p.Close()
					report, _ := os.ReadFile(reportPath(stderr2))
					return fmt.Errorf("%s: replay exit %d, record exit %d\n%s\n%s", sc.name, code2, code, stderr2, report)
				}
				if i == 0 || m.wall < best.wall {
					best = m
				}
				if lat > 0 {
					break // one run at latency: the benchmark's time budget
				}
				i++
			}
			if lat == 0 {
				zero = best
			} else {
				hi = best
			}
			fmt.Printf("    replay at %v: %d calls (%d not on the tape), %.2fs wall, %.2fs CPU, %.1f MB peak RSS\n",
				lat, best.calls, best.misses, best.wall.Seconds(), best.cpu.Seconds(), best.rssMB)
		}
		p.Close()
		rows = append(rows, row{sc, zero, hi, seedTook})
		if err := moto.Reset(); err != nil {
			return err
		}
	}

	fmt.Printf("\nfaultline %s, -m %d, replayed answers, injected latency %v\n\n", bin, concurrency, latency)
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "scenario\tAPI calls\twall 0ms\twall %v\tlatency rounds\tideal wall %v\tratio\tCPU\tpeak RSS\t\n", latency, latency)
	for _, r := range rows {
		rounds := float64(r.hi.wall-r.zero.wall) / float64(latency)
		// The ideal is every call perfectly spread over -m workers.
		ideal := time.Duration(float64(r.hi.calls) * float64(latency) / float64(concurrency))
		fmt.Fprintf(tw, "%s\t%d\t%.2fs\t%.2fs\t%.1f\t%.2fs\t%.2f\t%.2fs\t%.1f MB\t\n", r.sc.name, r.hi.calls,
			r.zero.wall.Seconds(), r.hi.wall.Seconds(), rounds, ideal.Seconds(), r.hi.wall.Seconds()/ideal.Seconds(),
			r.hi.cpu.Seconds(), max(r.zero.rssMB, r.hi.rssMB))
	}
	tw.Flush()
	for i, r := range rows {
		if r.sc.name == "S" {
			for _, s := range rows {
				if s.sc.name == "S/10" {
					fmt.Printf("\npeak RSS S / S/10 (ten times the resources): %.2f\n", max(r.zero.rssMB, r.hi.rssMB)/max(s.zero.rssMB, s.hi.rssMB))
				}
			}
		}
		_ = i
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if strings.TrimSpace(v) == s {
			return true
		}
	}
	return false
}

// seed creates the scenario's estate, a few (account, region, service) at
// a time (moto runs on one core: more would not be faster), and the
// scanning identity.
func seed(ctx context.Context, moto *motoserver.Server, sc *scenario) error {
	var g errgroup.Group
	g.SetLimit(4)
	for _, acct := range sc.accounts {
		for _, region := range sc.regions {
			for svc, n := range sc.seed {
				g.Go(func() error {
					cfg, err := moto.Config(ctx, acct, region)
					if err != nil {
						return err
					}
					return estate.Seeders[svc](ctx, cfg, n)
				})
			}
		}
	}
	if err := g.Wait(); err != nil {
		return err
	}
	caller := sc.caller
	if caller == "" {
		caller = sc.accounts[0]
	}
	keys, err := moto.AccountKeys(ctx, caller, "bench")
	sc.keys = keys
	return err
}

func scanArgs(sc *scenario, out string, concurrency int) []string {
	args := []string{"scan", "--truncate-output", "-o", out, "--log-format", "json", "--log-level", "error",
		"-m", fmt.Sprint(concurrency), "-r"}
	args = append(args, sc.regions...)
	if sc.services != nil {
		args = append(append(args, "-s"), sc.services...)
	}
	if len(sc.accounts) > 1 {
		args = append(append(args, "--aws-assume-role", "BenchReader", "--accounts"), sc.accounts...)
	}
	return args
}

// scanOnce runs the binary through p and measures it.
func scanOnce(bin string, p *faultproxy.Proxy, moto *motoserver.Server, sc *scenario, args []string) (measurement, int, string, error) {
	p.ResetCounts()
	cmd := exec.Command(bin, args...)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "AWS_CA_BUNDLE=") {
			env = append(env, kv)
		}
	}
	for _, kv := range moto.Env(sc.keys) {
		if !strings.HasPrefix(kv, "AWS_ENDPOINT_URL=") {
			env = append(env, kv)
		}
	}
	// One attempt: nothing is injected, and moto's HTTP 500 for what it does
	// not implement (scenario M) would otherwise be retried with backoff.
	cmd.Env = append(env, "AWS_ENDPOINT_URL="+p.URL, "AWS_MAX_ATTEMPTS=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	began := time.Now()
	err := cmd.Run()
	wall := time.Since(began)
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		return measurement{}, 0, "", err
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	m := measurement{wall: wall}
	if ru != nil {
		m.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		m.rssMB = float64(ru.Maxrss) / 1024 // kilobytes on Linux
	}
	st := p.Stats()
	m.calls, m.misses = st.Requests, st.Misses
	return m, code, stderr.String(), nil
}

// reportPath is the run report the binary names on stderr.
func reportPath(stderr string) string {
	for _, line := range strings.Split(stderr, "\n") {
		if p, ok := strings.CutPrefix(line, "faultline: run report "); ok {
			return p
		}
	}
	return ""
}
