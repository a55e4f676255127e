// Command demo starts moto with a small sample estate, runs a real
// `faultline scan` against it, and shows the results: `make demo`.
package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/efs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/faultline/faultline/internal/motoserver"
)

const account = "123456789012" // moto's default account

// demoServices are the services the sample estate uses, all of which moto
// implements.
var demoServices = []string{"vpce", "efs", "lambda", "rds"}

var regions = []string{"us-east-1", "eu-west-1"}

func main() {
	bin := flag.String("bin", "bin/faultline", "faultline binary to run")
	out := flag.String("out", ".demo/output", "output folder for the scan")
	flag.Parse()
	if err := run(*bin, *out); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(bin, out string) error {
	ctx := context.Background()
	if err := os.MkdirAll(".demo", 0o750); err != nil {
		return err
	}
	fmt.Println("==> starting moto (the AWS emulator) on a free loopback port")
	moto, err := motoserver.Start(".demo/moto.log")
	if err != nil {
		return err
	}
	defer moto.Stop()

	fmt.Println("==> seeding a sample estate in", strings.Join(regions, " and "))
	for _, region := range regions {
		cfg, err := moto.Config(ctx, account, region)
		if err != nil {
			return err
		}
		if err := seed(ctx, cfg); err != nil {
			return fmt.Errorf("seed %s: %w", region, err)
		}
	}

	args := append([]string{"scan", "--truncate-output", "-o", out, "--log-format", "console", "-r"}, regions...)
	args = append(append(args, "-s"), demoServices...)
	fmt.Printf("==> %s %s\n\n", bin, strings.Join(args, " "))
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), moto.Env(motoserver.DefaultKeys)...)
	var stderr bytes.Buffer
	cmd.Stdout = os.Stdout
	cmd.Stderr = &stderr
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	os.Stderr.Write(stderr.Bytes())
	if err != nil {
		return fmt.Errorf("faultline scan: %w", err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		fmt.Printf("\n==> the scan took %.2fs wall, %.2fs CPU, peak RSS %.1f MB\n", wall.Seconds(),
			cmd.ProcessState.UserTime().Seconds()+cmd.ProcessState.SystemTime().Seconds(), float64(ru.Maxrss)/1024)
	}
	findings := ""
	for _, line := range strings.Split(stderr.String(), "\n") {
		if p, ok := strings.CutPrefix(line, "faultline: findings   "); ok {
			findings = p
		}
	}
	return show(findings)
}

// show prints the findings as a table.
func show(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return err
	}
	rows := records[1:]
	// Risks first, then by service, region and resource.
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a[9] != b[9] {
			return a[9] == "True"
		}
		return strings.Join([]string{a[0], a[1], a[7]}, " ") < strings.Join([]string{b[0], b[1], b[7]}, " ")
	})
	fmt.Printf("\n==> %d findings in %s\n\n", len(rows), path)
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RISK\tSERVICE\tREGION\tRESOURCE\tCHECK\tAZ IDS\tMESSAGE")
	for _, r := range rows {
		// availability_zone_ids (column 18): the same zone in every account.
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r[9], r[0], r[1], firstNonEmpty(r[7], r[8]), r[13], firstNonEmpty(r[17], "-"), r[11])
	}
	tw.Flush()
	abs, _ := filepath.Abs(path)
	fmt.Printf("\nFull CSV: %s\n", abs)
	return nil
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// seed creates a risky and a healthy example of several services.
func seed(ctx context.Context, cfg aws.Config) error {
	region := cfg.Region
	a, b := region+"a", region+"b"
	subnets, vpcID, err := defaultSubnets(ctx, cfg)
	if err != nil {
		return err
	}
	steps := []func() error{
		func() error { return seedLambda(ctx, cfg, subnets[a], subnets[b]) },
		func() error {
			api := rds.NewFromConfig(cfg)
			for _, in := range []*rds.CreateDBInstanceInput{
				{DBInstanceIdentifier: aws.String("orders-db"), Engine: aws.String("postgres"), DBInstanceClass: aws.String("db.t3.micro"),
					AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("password123"),
					AvailabilityZone: aws.String(a)},
				{DBInstanceIdentifier: aws.String("billing-db"), Engine: aws.String("mysql"), DBInstanceClass: aws.String("db.t3.micro"),
					AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("password123"),
					MultiAZ: aws.Bool(true)},
			} {
				if _, err := api.CreateDBInstance(ctx, in); err != nil {
					return err
				}
			}
			return nil
		},
		func() error {
			api := efs.NewFromConfig(cfg)
			if _, err := motoserver.CreateFileSystem(ctx, api, &efs.CreateFileSystemInput{CreationToken: aws.String("scratch"), AvailabilityZoneName: aws.String(a)}); err != nil {
				return err
			}
			shared, err := motoserver.CreateFileSystem(ctx, api, &efs.CreateFileSystemInput{CreationToken: aws.String("shared")})
			if err != nil {
				return err
			}
			for _, sn := range []string{subnets[a], subnets[b]} {
				if _, err := api.CreateMountTarget(ctx, &efs.CreateMountTargetInput{FileSystemId: shared.FileSystemId, SubnetId: aws.String(sn)}); err != nil {
					return err
				}
			}
			return nil
		},
		func() error {
			api := ec2.NewFromConfig(cfg)
			for _, in := range []*ec2.CreateVpcEndpointInput{
				{VpcId: aws.String(vpcID), ServiceName: aws.String("com.amazonaws." + region + ".sqs"),
					VpcEndpointType: ec2types.VpcEndpointTypeInterface, SubnetIds: []string{subnets[a]}},
				{VpcId: aws.String(vpcID), ServiceName: aws.String("com.amazonaws." + region + ".sns"),
					VpcEndpointType: ec2types.VpcEndpointTypeInterface, SubnetIds: []string{subnets[a], subnets[b]}},
			} {
				if _, err := api.CreateVpcEndpoint(ctx, in); err != nil {
					return err
				}
			}
			return nil
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func defaultSubnets(ctx context.Context, cfg aws.Config) (map[string]string, string, error) {
	out, err := ec2.NewFromConfig(cfg).DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{
		Filters: []ec2types.Filter{{Name: aws.String("default-for-az"), Values: []string{"true"}}},
	})
	if err != nil {
		return nil, "", err
	}
	byAZ := map[string]string{}
	vpc := ""
	for _, s := range out.Subnets {
		byAZ[aws.ToString(s.AvailabilityZone)] = aws.ToString(s.SubnetId)
		vpc = aws.ToString(s.VpcId)
	}
	return byAZ, vpc, nil
}

func seedLambda(ctx context.Context, cfg aws.Config, subnetA, subnetB string) error {
	role, err := motoserver.LambdaRole(ctx, cfg, "demo-lambda-"+cfg.Region)
	if err != nil {
		return err
	}
	code := motoserver.LambdaZip()
	api := lambda.NewFromConfig(cfg)
	for name, subnets := range map[string][]string{"checkout": {subnetA}, "search": {subnetA, subnetB}, "thumbnails": nil} {
		in := &lambda.CreateFunctionInput{FunctionName: aws.String(name), Runtime: lambdatypes.RuntimePython312,
			Handler: aws.String("index.handler"), Role: aws.String(role), Code: &lambdatypes.FunctionCode{ZipFile: code}}
		if subnets != nil {
			in.VpcConfig = &lambdatypes.VpcConfig{SubnetIds: subnets, SecurityGroupIds: []string{}}
		}
		if _, err := api.CreateFunction(ctx, in); err != nil {
			return err
		}
	}
	return nil
}
