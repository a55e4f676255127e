// Command flows measures `faultline flows` on one core: it starts moto,
// seeds an estate of interfaces, generates a flow-log file whose records
// connect them (and AWS services, and the internet), and runs the real
// binary on it pinned to one CPU, first with an empty file (the fixed cost:
// start-up and reading the inventory), then with the records, once to JSONL
// and once to --summary cross-az. See bench/README.md; `make bench-flows`
// runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/faultline/faultline/internal/estate"
	"github.com/faultline/faultline/internal/flowgen"
	"github.com/faultline/faultline/internal/motoserver"
	"github.com/faultline/faultline/internal/testbin"
)

const (
	benchAccount = "333300000001"
	benchRegion  = "us-east-1"
)

func main() {
	bin := flag.String("bin", "bin/faultline", "faultline binary")
	records := flag.Int("records", 10_000_000, "records in the generated file")
	small := flag.Int("small", 1_000_000, "records in the second, smaller file (peak RSS against input size)")
	instances := flag.Int("instances", 60, "EC2 instances seeded (their interfaces log the traffic)")
	cpu := flag.Int("cpu", 0, "the CPU the binary is pinned to (taskset -c)")
	keep := flag.String("keep", "", "also write the generated file here")
	repeat := flag.Int("repeat", 1, "runs of each measurement; the fastest is shown (this VM's speed varies from run to run)")
	only := flag.String("only", "", "measure only the runs whose name holds this (and the fixed cost)")
	flag.Parse()
	if err := run(*bin, *records, *small, *instances, *cpu, *keep, *repeat, *only); err != nil {
		fmt.Fprintln(os.Stderr, "bench/flows:", err)
		os.Exit(1)
	}
}

// measurement is one run of the binary.
type measurement struct {
	wall, cpu time.Duration
	rssMB     float64
	outBytes  int64
}

func run(bin string, records, small, instances, cpu int, keep string, repeat int, only string) error {
	ctx := context.Background()
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("%w (make build first)", err)
	}
	if _, err := exec.LookPath("taskset"); err != nil {
		return fmt.Errorf("taskset (util-linux) pins the binary to one core: %w", err)
	}
	work, err := os.MkdirTemp("", "faultline-bench-flows-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	fmt.Println("==> starting moto and seeding the estate")
	moto, err := motoserver.Start("")
	if err != nil {
		return err
	}
	defer moto.Stop()
	cfg, err := moto.Config(ctx, benchAccount, benchRegion)
	if err != nil {
		return err
	}
	traffic, err := seed(ctx, cfg, instances)
	if err != nil {
		return fmt.Errorf("seeding: %w", err)
	}
	keys, err := moto.AccountKeys(ctx, benchAccount, "flows-bench")
	if err != nil {
		return err
	}
	env := append(testbin.CleanEnv(), moto.Env(keys)...)
	env = append(env, "AWS_REGION="+benchRegion)

	files := map[int]string{0: filepath.Join(work, "empty.log"), small: filepath.Join(work, "small.log"), records: filepath.Join(work, "flows.log")}
	var sizes []int
	for n := range files {
		sizes = append(sizes, n)
	}
	sort.Ints(sizes)
	for _, n := range sizes {
		fmt.Printf("==> generating %d records\n", n)
		began := time.Now()
		if err := writeFile(files[n], n, traffic); err != nil {
			return err
		}
		st, _ := os.Stat(files[n])
		fmt.Printf("    %.1f MB in %.1fs\n", float64(st.Size())/1e6, time.Since(began).Seconds())
	}
	if keep != "" {
		if err := os.Link(files[records], keep); err != nil {
			return err
		}
	}

	type runSpec struct {
		name    string
		records int
		args    []string
	}
	specs := []runSpec{
		{"fixed cost (empty file, inventory read)", 0, nil},
		{"JSONL", small, nil},
		{"JSONL", records, nil},
		{"--summary cross-az", small, []string{"--summary", "cross-az"}},
		{"--summary cross-az", records, []string{"--summary", "cross-az"}},
	}
	var kept []runSpec
	for i, s := range specs {
		if i == 0 || strings.Contains(s.name, only) {
			kept = append(kept, s)
		}
	}
	specs = kept
	results := make([]measurement, len(specs))
	for i, s := range specs {
		fmt.Printf("==> %s, %d records\n", s.name, s.records)
		args := append([]string{"-c", fmt.Sprint(cpu), bin, "flows", "--region", benchRegion}, s.args...)
		var tries []measurement
		for n := 0; n < repeat || (s.records == 0 && n < 3); n++ {
			m, err := measure(env, append(args, files[s.records]))
			if err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
			tries = append(tries, m)
		}
		sort.Slice(tries, func(i, j int) bool { return tries[i].wall < tries[j].wall })
		if s.records == 0 {
			results[i] = tries[len(tries)/2] // the fixed cost is mostly moto's answers: its median
		} else {
			results[i] = tries[0]
		}
	}
	fixed := results[0]
	fmt.Printf("\nestate: %d interfaces; binary pinned to CPU %d (taskset), so GOMAXPROCS is 1\n\n", len(traffic.Hosts), cpu)
	fmt.Printf("%-40s %11s %8s %8s %10s %16s %16s %16s %9s\n", "run", "records", "wall", "CPU", "output", "records/s wall", "records/s net", "records/CPU-s", "peak RSS")
	for i, s := range specs {
		m := results[i]
		perWall, perNet, perCPU := "-", "-", "-"
		if s.records > 0 {
			perWall = fmt.Sprintf("%.0f", float64(s.records)/m.wall.Seconds())
			perNet = fmt.Sprintf("%.0f", float64(s.records)/(m.wall-fixed.wall).Seconds())
			perCPU = fmt.Sprintf("%.0f", float64(s.records)/(m.cpu-fixed.cpu).Seconds())
		}
		fmt.Printf("%-40s %11d %7.2fs %7.2fs %8.1fMB %16s %16s %16s %7.1fMB\n", s.name, s.records, m.wall.Seconds(), m.cpu.Seconds(),
			float64(m.outBytes)/1e6, perWall, perNet, perCPU, m.rssMB)
	}
	fmt.Println("\nrecords/s net: records / (wall - wall of the fixed-cost run, median of 3)")
	fmt.Println("records/CPU-s: records / (CPU - CPU of the fixed-cost run)")
	return nil
}

func writeFile(path string, n int, t flowgen.Traffic) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := flowgen.Generate(f, n, t, 1); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// measure runs taskset with args, output counted and discarded.
func measure(env, args []string) (measurement, error) {
	cmd := exec.Command("taskset", args...)
	cmd.Env = env
	out := &countingWriter{}
	cmd.Stdout = out
	var stderr limitedBuffer
	cmd.Stderr = &stderr
	began := time.Now()
	if err := cmd.Run(); err != nil {
		return measurement{}, fmt.Errorf("%v: %s", err, stderr.String())
	}
	m := measurement{wall: time.Since(began), outBytes: out.n}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		m.rssMB = float64(ru.Maxrss) / 1024 // kilobytes on Linux
	}
	return m, nil
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// limitedBuffer keeps the first 4 KB of stderr, for an error message.
type limitedBuffer struct{ b []byte }

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := 4096 - len(l.b); room > 0 {
		l.b = append(l.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (l *limitedBuffer) String() string { return string(l.b) }

// seed runs instances across the default VPC's subnets, adds a NAT gateway
// and an S3 interface endpoint, and returns every interface with its
// address, plus outside addresses: S3 and DynamoDB addresses of the shipped
// ip-ranges.json, and documentation addresses that stand for the internet.
func seed(ctx context.Context, cfg aws.Config, instances int) (flowgen.Traffic, error) {
	t := flowgen.Traffic{Account: benchAccount}
	vpc, subnets, err := estate.Subnets(ctx, cfg)
	if err != nil {
		return t, err
	}
	api := ec2.NewFromConfig(cfg)
	for i, sn := range subnets {
		n := instances / len(subnets)
		if i < instances%len(subnets) {
			n++
		}
		if n == 0 {
			continue
		}
		if _, err := api.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), InstanceType: ec2types.InstanceTypeT3Micro,
			MinCount: aws.Int32(int32(n)), MaxCount: aws.Int32(int32(n)), SubnetId: aws.String(sn)}); err != nil {
			return t, err
		}
	}
	eip, err := api.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc})
	if err != nil {
		return t, err
	}
	if _, err := api.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: aws.String(subnets[0]), AllocationId: eip.AllocationId}); err != nil {
		return t, err
	}
	if _, err := api.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpc), ServiceName: aws.String("com.amazonaws." + benchRegion + ".s3"),
		VpcEndpointType: ec2types.VpcEndpointTypeInterface, SubnetIds: subnets[:2]}); err != nil {
		return t, err
	}
	pages := ec2.NewDescribeNetworkInterfacesPaginator(api, &ec2.DescribeNetworkInterfacesInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return t, err
		}
		for _, n := range page.NetworkInterfaces {
			a, err := netip.ParseAddr(aws.ToString(n.PrivateIpAddress))
			if err != nil {
				continue
			}
			t.Hosts = append(t.Hosts, flowgen.Host{ENI: aws.ToString(n.NetworkInterfaceId), Addr: a})
		}
	}
	if len(t.Hosts) < 2 {
		return t, fmt.Errorf("moto reports %d interfaces", len(t.Hosts))
	}
	for _, s := range []string{"52.216.10.20", "52.217.4.7", "3.5.1.9", "52.94.0.12", "52.119.230.4"} {
		t.Services = append(t.Services, netip.MustParseAddr(s))
	}
	for _, s := range []string{"198.51.100.7", "203.0.113.20", "192.0.2.55"} {
		t.Internet = append(t.Internet, netip.MustParseAddr(s))
	}
	return t, nil
}
