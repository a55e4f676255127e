// Package e2e runs the real faultline binary's `flows` command against moto:
// an estate with an instance, a NAT gateway, an EFS mount target, an
// interface endpoint and interfaces shaped like Lambda, RDS, ElastiCache
// and ALB ones, and the same flow records in a file, in S3 and in
// CloudWatch Logs.
package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/efs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/faultline/faultline/flows"
	"github.com/faultline/faultline/internal/motoserver"
	"github.com/faultline/faultline/internal/testbin"
)

const (
	acct   = "500000000042"
	region = "us-east-1"
	group  = "/vpc/flows-e2e"
	format = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${vpc-id} ${subnet-id} ${az-id} ${flow-direction}"
)

var moto *motoserver.Server

func TestMain(m *testing.M) {
	testbin.Main(m, "flows e2e", func(s *motoserver.Server) { moto = s })
}

// estate is what seeding created, by role.
type estate struct {
	vpc, subA, subB, azA, azB, azIDA, azIDB string
	sgApp, sgDB, sgDefault                  string
	instance, eniInst, eniLambda, eniRDS    string
	eniCache, eniALB, eniNAT, eniVPCE       string
	eniEFS, natID, vpceID, fsID, fsARN      string
	natIP, vpceIP                           string
	functionARN, dbARN                      string
}

// current is the running test, for must (Go cannot pass a call's two
// results after another argument).
var current *testing.T

func must[T any](v T, err error) T {
	current.Helper()
	if err != nil {
		current.Fatal(err)
	}
	return v
}

func seed(t *testing.T, ctx context.Context, cfg aws.Config) estate {
	var e estate
	api := ec2.NewFromConfig(cfg)
	e.vpc = *must(api.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.1.0.0/16")})).Vpc.VpcId
	sub := func(cidr, az string) (string, string) {
		s := must(api.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: &e.vpc, CidrBlock: aws.String(cidr), AvailabilityZone: aws.String(az)})).Subnet
		return *s.SubnetId, *s.AvailabilityZoneId
	}
	e.azA, e.azB = region+"a", region+"b"
	e.subA, e.azIDA = sub("10.1.1.0/24", e.azA)
	e.subB, e.azIDB = sub("10.1.2.0/24", e.azB)
	sg := func(name string) string {
		return *must(api.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String(name), VpcId: &e.vpc})).GroupId
	}
	e.sgApp, e.sgDB = sg("app"), sg("db")
	def := must(api.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{e.vpc}}, {Name: aws.String("group-name"), Values: []string{"default"}}}}))
	e.sgDefault = *def.SecurityGroups[0].GroupId

	run := must(api.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), InstanceType: ec2types.InstanceTypeT3Micro,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: &e.subA, PrivateIpAddress: aws.String("10.1.1.10"), SecurityGroupIds: []string{e.sgApp},
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: []ec2types.Tag{{Key: aws.String("app"), Value: aws.String("web")}}}}}))
	e.instance = *run.Instances[0].InstanceId
	e.eniInst = *run.Instances[0].NetworkInterfaces[0].NetworkInterfaceId

	eni := func(subnet, ip, desc string, groups ...string) string {
		return *must(api.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: &subnet, PrivateIpAddress: aws.String(ip),
			Description: aws.String(desc), Groups: groups})).NetworkInterface.NetworkInterfaceId
	}
	e.eniLambda = eni(e.subA, "10.1.1.20", "AWS Lambda VPC ENI-orders-api", e.sgApp)
	e.eniALB = eni(e.subA, "10.1.1.50", "ELB app/web-alb/50dc6c495c0c9188", e.sgApp)
	e.eniRDS = eni(e.subB, "10.1.2.30", "RDSNetworkInterface", e.sgDB)
	e.eniCache = eni(e.subB, "10.1.2.40", "ElastiCache sessions-001", e.sgDB)

	alloc := must(api.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc}))
	nat := must(api.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: &e.subA, AllocationId: alloc.AllocationId})).NatGateway
	e.natID = *nat.NatGatewayId
	nats := must(api.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{e.natID}}))
	e.eniNAT, e.natIP = *nats.NatGateways[0].NatGatewayAddresses[0].NetworkInterfaceId, *nats.NatGateways[0].NatGatewayAddresses[0].PrivateIp

	vpce := must(api.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: &e.vpc, ServiceName: aws.String("com.amazonaws." + region + ".sqs"),
		VpcEndpointType: ec2types.VpcEndpointTypeInterface, SubnetIds: []string{e.subB}})).VpcEndpoint
	e.vpceID, e.eniVPCE = *vpce.VpcEndpointId, vpce.NetworkInterfaceIds[0]
	enis := must(api.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{e.eniVPCE}}))
	e.vpceIP = *enis.NetworkInterfaces[0].PrivateIpAddress

	fsAPI := efs.NewFromConfig(cfg)
	fs := must(motoserver.CreateFileSystem(ctx, fsAPI, &efs.CreateFileSystemInput{CreationToken: aws.String("shared")}))
	e.fsID, e.fsARN = *fs.FileSystemId, *fs.FileSystemArn
	mt := must(fsAPI.CreateMountTarget(ctx, &efs.CreateMountTargetInput{FileSystemId: fs.FileSystemId, SubnetId: &e.subB, IpAddress: aws.String("10.1.2.80")}))
	e.eniEFS = *mt.NetworkInterfaceId

	role := must(motoserver.LambdaRole(ctx, cfg, "fn"))
	fn := must(lambda.NewFromConfig(cfg).CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("orders-api"),
		Role: aws.String(role), Runtime: lambdatypes.RuntimePython312, Handler: aws.String("index.handler"), Code: &lambdatypes.FunctionCode{ZipFile: motoserver.LambdaZip()},
		VpcConfig: &lambdatypes.VpcConfig{SubnetIds: []string{e.subA}, SecurityGroupIds: []string{e.sgApp}}, Tags: map[string]string{"app": "orders"}}))
	e.functionARN = *fn.FunctionArn

	rdsAPI := rds.NewFromConfig(cfg)
	must(rdsAPI.CreateDBSubnetGroup(ctx, &rds.CreateDBSubnetGroupInput{DBSubnetGroupName: aws.String("orders"), DBSubnetGroupDescription: aws.String("orders"),
		SubnetIds: []string{e.subA, e.subB}}))
	db := must(rdsAPI.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("orders-db"), DBInstanceClass: aws.String("db.t3.micro"),
		Engine: aws.String("postgres"), AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("u"), MasterUserPassword: aws.String("password123"),
		DBSubnetGroupName: aws.String("orders"), VpcSecurityGroupIds: []string{e.sgDB}, Tags: nil}))
	e.dbARN = *db.DBInstance.DBInstanceArn

	// The VPC's flow log: its format is what a log-group read uses, and it
	// tells flows that both ends of in-VPC traffic are logged.
	must(cloudwatchlogs.NewFromConfig(cfg).CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}))
	must(api.CreateFlowLogs(ctx, &ec2.CreateFlowLogsInput{ResourceIds: []string{e.vpc}, ResourceType: ec2types.FlowLogsResourceTypeVpc,
		TrafficType: ec2types.TrafficTypeAll, LogDestinationType: ec2types.LogDestinationTypeCloudWatchLogs, LogGroupName: aws.String(group),
		DeliverLogsPermissionArn: aws.String("arn:aws:iam::" + acct + ":role/flow-logs"), LogFormat: aws.String(format)}))
	return e
}

// line is one record in the e2e format.
type line struct {
	eni, src, dst    string
	sport, dport     int
	proto            int
	bytes            int64
	subnet, az, dirn string
}

func records(e estate, start int64) []string {
	l := func(x line) string {
		return fmt.Sprintf("5 %s %s %s %s %d %d %d 1 %d %d %d ACCEPT OK %s %s %s %s", acct, x.eni, x.src, x.dst, x.sport, x.dport, x.proto, x.bytes,
			start, start+60, e.vpc, x.subnet, x.az, x.dirn)
	}
	return []string{
		l(line{e.eniInst, "10.1.1.10", "10.1.2.30", 40000, 5432, 6, 1000, e.subA, e.azIDA, "egress"}),
		l(line{e.eniInst, "10.1.2.30", "10.1.1.10", 5432, 40000, 6, 5000, e.subA, e.azIDA, "ingress"}),
		// The RDS interface logs the same connection: it must not count twice.
		l(line{e.eniRDS, "10.1.1.10", "10.1.2.30", 40000, 5432, 6, 1000, e.subB, e.azIDB, "ingress"}),
		l(line{e.eniLambda, "10.1.1.20", "10.1.2.30", 40001, 5432, 6, 300, e.subA, e.azIDA, "egress"}),
		l(line{e.eniInst, "10.1.1.10", "10.1.1.50", 40002, 443, 6, 200, e.subA, e.azIDA, "egress"}),
		l(line{e.eniInst, "10.1.1.10", "10.1.2.80", 40003, 2049, 6, 400, e.subA, e.azIDA, "egress"}),
		l(line{e.eniInst, "10.1.1.10", e.vpceIP, 40004, 443, 6, 60, e.subA, e.azIDA, "egress"}),
		l(line{e.eniInst, "10.1.1.10", "10.1.2.40", 40006, 6379, 6, 11, e.subA, e.azIDA, "egress"}),
		l(line{e.eniNAT, e.natIP, "52.216.4.4", 50000, 443, 6, 70, e.subA, e.azIDA, "egress"}),
		// An interface deleted since: 10.1.1.50 now belongs to the ALB,
		// which must not be named.
		l(line{"eni-0deadbeef00000000", "10.1.1.50", "10.1.2.30", 40005, 5432, 6, 9, e.subA, e.azIDA, "egress"}),
		fmt.Sprintf("5 %s %s - - - - - - - %d %d - NODATA %s %s %s -", acct, e.eniCache, start, start+60, e.vpc, e.subB, e.azIDB),
		fmt.Sprintf("5 %s %s - - - - - - - %d %d - SKIPDATA %s %s %s -", acct, e.eniCache, start, start+60, e.vpc, e.subB, e.azIDB),
		"5 " + acct + " eni-broken 10.1.1.10",
	}
}

// side is what the test checks of one end: everything but the port.
func side(s flows.Side) string {
	tags := []string{}
	for k, v := range s.Tags {
		tags = append(tags, k+"="+v)
	}
	sort.Strings(tags)
	return fmt.Sprintf("%s %s arns=%v eni=%s subnet=%s vpc=%s acct=%s sgs=%v az=%s/%s region=%s svc=%s rfc1918=%v tags=%v",
		s.Type, s.Addr, s.Arns, s.InterfaceId, s.SubnetId, s.VpcId, s.AccountId, s.SecurityGroupIds, s.AvailabilityZone, s.AvailabilityZoneId,
		s.Region, s.AwsService, s.Rfc1918, tags)
}

func flowString(f flows.Flow) string {
	return fmt.Sprintf("%s %s up=%d down=%d by=%s peer=%v\n  C %s :%d\n  S %s :%d", f.Protocol, f.Action, f.Uploaded, f.Downloaded, f.LoggedBy, f.PeerLogged,
		side(f.Client), f.Client.Port, side(f.Server), f.Server.Port)
}

func expected(e estate) []string {
	inst := func(addr string) flows.Side {
		return flows.Side{Type: flows.TypeInstance, Addr: addr, Arns: []string{"arn:aws:ec2:" + region + ":" + acct + ":instance/" + e.instance},
			InterfaceId: e.eniInst, SubnetId: e.subA, VpcId: e.vpc, AccountId: acct, SecurityGroupIds: []string{e.sgApp},
			AvailabilityZone: e.azA, AvailabilityZoneId: e.azIDA, Region: region, Rfc1918: true, Tags: map[string]string{"app": "web"}}
	}
	inB := func(typ, addr, eni string, arns []string, sgs []string) flows.Side {
		return flows.Side{Type: typ, Addr: addr, Arns: arns, InterfaceId: eni, SubnetId: e.subB, VpcId: e.vpc, AccountId: acct,
			SecurityGroupIds: sgs, AvailabilityZone: e.azB, AvailabilityZoneId: e.azIDB, Region: region, Rfc1918: true}
	}
	rdsSide := inB(flows.TypeRDS, "10.1.2.30", e.eniRDS, []string{e.dbARN}, []string{e.sgDB})
	arn := func(svc, res string) []string {
		return []string{"arn:aws:" + svc + ":" + region + ":" + acct + ":" + res}
	}
	lambdaSide := flows.Side{Type: flows.TypeLambda, Addr: "10.1.1.20", Arns: []string{e.functionARN}, InterfaceId: e.eniLambda, SubnetId: e.subA,
		VpcId: e.vpc, AccountId: acct, SecurityGroupIds: []string{e.sgApp}, AvailabilityZone: e.azA, AvailabilityZoneId: e.azIDA, Region: region,
		Rfc1918: true, Tags: map[string]string{"app": "orders"}}
	albSide := flows.Side{Type: flows.TypeALB, Addr: "10.1.1.50", Arns: arn("elasticloadbalancing", "loadbalancer/app/web-alb/50dc6c495c0c9188"),
		InterfaceId: e.eniALB, SubnetId: e.subA, VpcId: e.vpc, AccountId: acct, SecurityGroupIds: []string{e.sgApp}, AvailabilityZone: e.azA,
		AvailabilityZoneId: e.azIDA, Region: region, Rfc1918: true}
	// moto gives endpoint and NAT interfaces the VPC's default group and
	// an address outside their subnet: flows reports what the interface says.
	vpce := inB(flows.TypeEndpoint, e.vpceIP, e.eniVPCE, arn("ec2", "vpc-endpoint/"+e.vpceID), []string{e.sgDefault})
	vpce.AwsService, vpce.Rfc1918 = "sqs", flows.IsRFC1918(mustAddr(e.vpceIP))
	natSide := flows.Side{Type: flows.TypeNAT, Addr: e.natIP, Arns: arn("ec2", "natgateway/"+e.natID), InterfaceId: e.eniNAT, SubnetId: e.subA,
		VpcId: e.vpc, AccountId: acct, SecurityGroupIds: []string{e.sgDefault}, AvailabilityZone: e.azA, AvailabilityZoneId: e.azIDA, Region: region,
		Rfc1918: flows.IsRFC1918(mustAddr(e.natIP))}
	gone := flows.Side{Type: flows.TypeUnknown, Addr: "10.1.1.50", Arns: []string{}, InterfaceId: "eni-0deadbeef00000000", SubnetId: e.subA, VpcId: e.vpc,
		AccountId: acct, AvailabilityZone: e.azA, AvailabilityZoneId: e.azIDA, Region: region, Rfc1918: true}
	s3Side := flows.Side{Type: flows.TypeAWSService, Addr: "52.216.4.4", Arns: []string{}, AwsService: "s3", Region: region}
	f := func(client, server flows.Side, cport, sport int, up, down int64, by string, peer bool) string {
		client.Port, server.Port = cport, sport
		return flowString(flows.Flow{Protocol: "tcp", Action: "ACCEPT", Uploaded: up, Downloaded: down, LoggedBy: by, PeerLogged: peer, Client: client, Server: server})
	}
	out := []string{
		f(inst("10.1.1.10"), rdsSide, 40000, 5432, 1000, 5000, e.eniInst, true),
		f(inst("10.1.1.10"), rdsSide, 40000, 5432, 1000, 0, e.eniRDS, true),
		f(lambdaSide, rdsSide, 40001, 5432, 300, 0, e.eniLambda, true),
		f(inst("10.1.1.10"), albSide, 40002, 443, 200, 0, e.eniInst, true),
		f(inst("10.1.1.10"), inB(flows.TypeEFS, "10.1.2.80", e.eniEFS, []string{e.fsARN}, []string{e.sgDefault}), 40003, 2049, 400, 0, e.eniInst, true),
		f(inst("10.1.1.10"), vpce, 40004, 443, 60, 0, e.eniInst, true),
		f(inst("10.1.1.10"), inB(flows.TypeElastiCache, "10.1.2.40", e.eniCache, arn("elasticache", "cluster:sessions-001"), []string{e.sgDB}), 40006, 6379, 11, 0, e.eniInst, true),
		f(natSide, s3Side, 50000, 443, 70, 0, e.eniNAT, false),
		f(gone, rdsSide, 40005, 5432, 9, 0, "eni-0deadbeef00000000", true),
	}
	sort.Strings(out)
	return out
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

// run runs the binary and returns stdout, stderr and the exit code.
func run(t *testing.T, env []string, stdin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(testbin.Faultline(t), args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	res := testbin.Run(t, cmd)
	return res.Stdout, res.Stderr, res.Code
}

func parseFlows(t *testing.T, out string) []string {
	t.Helper()
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var f flows.Flow
		if err := json.Unmarshal([]byte(l), &f); err != nil {
			t.Fatalf("not JSON: %q: %v", l, err)
		}
		if !strings.Contains(l, `"Arns":[`) || strings.Count(l, `"Arns":`) != 2 {
			t.Fatalf("Arns missing on a side: %s", l)
		}
		got = append(got, flowString(f))
	}
	sort.Strings(got)
	return got
}

func TestFlowsEndToEnd(t *testing.T) {
	current = t
	ctx := context.Background()
	cfg := must(moto.Config(ctx, acct, region))
	e := seed(t, ctx, cfg)
	keys := must(moto.AccountKeys(ctx, acct, "flows-reader"))
	env := append(testbin.CleanEnv(), moto.Env(keys)...)

	start := time.Now().Add(-30*time.Minute).Unix() / 60 * 60
	recs := records(e, start)
	want := expected(e)

	// A local file: no header, so the format comes from --log-format.
	dir := t.TempDir()
	file := filepath.Join(dir, "flows.log")
	if err := os.WriteFile(file, []byte(strings.Join(recs, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := run(t, env, "", "flows", "--region", region, "--log-format", format, file)
	if code != 0 {
		t.Fatalf("file: exit %d: %s", code, stderr)
	}
	checkFlows(t, "file", parseFlows(t, out), want)
	shipped, err := flows.ShippedIPRanges()
	if err != nil {
		t.Fatal(err)
	}
	wantStats := "faultline: flows: 12 records from 1 sources (NODATA 1, SKIPDATA 1, without addresses 0), 1 malformed lines\n" +
		"faultline: malformed " + file + ":13: 4 fields, the format has 18\n" +
		"faultline: flows: AWS services named from the ip-ranges.json built in, published " + shipped.Published() + "; --ip-ranges FILE reads a current one\n"
	if stderr != wantStats {
		t.Errorf("file stderr:\n%s\nwant\n%s", stderr, wantStats)
	}

	// collect, then flows --snapshot with no AWS at all (a closed endpoint,
	// a profile that does not exist): the same records and summary, the
	// same stderr.
	snapDir := filepath.Join(dir, "snapshot")
	if _, stderr, code := run(t, env, "", "collect", "--regions", region, "--services", "lambda", "-o", snapDir); code != 0 {
		t.Fatalf("collect: exit %d: %s", code, stderr)
	}
	offline := append(testbin.CleanEnv(), "AWS_ENDPOINT_URL=http://127.0.0.1:1", "AWS_PROFILE=faultline-e2e-no-such-profile",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true", "AWS_MAX_ATTEMPTS=1")
	for _, args := range [][]string{
		{"--log-format", format, file},
		{"--log-format", format, "--summary", "cross-az", "--format", "csv", file},
	} {
		liveOut, liveErr, liveCode := run(t, env, "", append([]string{"flows", "--region", region}, args...)...)
		snapOut, snapErr, snapCode := run(t, offline, "", append([]string{"flows", "--snapshot", snapDir}, args...)...)
		if snapCode != liveCode || snapOut != liveOut || snapErr != liveErr || liveCode != 0 {
			t.Errorf("flows %v from the snapshot: exit %d\n%s%s\nlive: exit %d\n%s%s", args, snapCode, snapOut, snapErr, liveCode, liveOut, liveErr)
		}
	}
	for _, args := range [][]string{{"--s3", "s3://b/p"}, {"--log-group", group}, {"--aws-profile", "x", file}, {"--region", "eu-west-1", file}} {
		out, stderr, code := run(t, offline, "", append([]string{"flows", "--snapshot", snapDir}, args...)...)
		if code != 2 || out != "" || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("flows --snapshot %v: exit %d, stdout %q, stderr %q; want one line, exit 2", args, code, out, stderr)
		}
	}

	// stdin, gzip, the same file given as "-".
	var gzb bytes.Buffer
	zw := gzip.NewWriter(&gzb)
	zw.Write([]byte("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id az-id flow-direction\n" + strings.Join(recs, "\n")))
	zw.Close()
	out, stderr, code = run(t, env, gzb.String(), "flows", "--region", region, "-")
	if code != 0 {
		t.Fatalf("stdin: exit %d: %s", code, stderr)
	}
	checkFlows(t, "stdin gzip with header", parseFlows(t, out), want)

	// S3: the AWSLogs layout, gzip, header line; a Parquet object is skipped.
	// The bucket is in another region than --region: faultline finds it.
	s3api := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true; o.Region = "eu-central-1" })
	bucket := "flow-logs-" + acct
	must(s3api.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuCentral1}}))
	day := time.Unix(start, 0).UTC()
	base := fmt.Sprintf("vpc/AWSLogs/%s/vpcflowlogs/%s/%s/", acct, region, day.Format("2006/01/02"))
	must(s3api.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(base + acct + "_vpcflowlogs_" + region + "_fl-1_" + day.Format("20060102T1504Z") + "_abc.log.gz"), Body: bytes.NewReader(gzb.Bytes())}))
	must(s3api.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(base + "other.parquet"), Body: strings.NewReader("PAR1")}))
	out, stderr, code = run(t, env, "", "flows", "--region", region, "--s3", "s3://"+bucket+"/vpc/")
	if code != 0 {
		t.Fatalf("s3: exit %d: %s", code, stderr)
	}
	checkFlows(t, "s3", parseFlows(t, out), want)
	if !strings.Contains(stderr, "1 objects skipped (not text .log.gz), e.g. s3://"+bucket+"/"+base+"other.parquet") || strings.Contains(stderr, "region of bucket") {
		t.Errorf("s3 stderr: %s", stderr)
	}

	// CloudWatch Logs: one stream per interface, no header; the format
	// comes from DescribeFlowLogs.
	logs := cloudwatchlogs.NewFromConfig(cfg)
	streams := map[string][]cwltypes.InputLogEvent{}
	for _, r := range recs {
		f := strings.Fields(r)
		streams[f[2]] = append(streams[f[2]], cwltypes.InputLogEvent{Message: aws.String(r), Timestamp: aws.Int64(start * 1000)})
	}
	for name, evs := range streams {
		must(logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(name)}))
		must(logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(name), LogEvents: evs}))
	}
	out, stderr, code = run(t, env, "", "flows", "--region", region, "--log-group", group,
		"--start", time.Unix(start-60, 0).UTC().Format(time.RFC3339), "--end", fmt.Sprint(start+60))
	if code != 0 {
		t.Fatalf("log group: exit %d: %s", code, stderr)
	}
	checkFlows(t, "log group", parseFlows(t, out), want)
	// A window that holds none of the events reads none.
	out, _, code = run(t, env, "", "flows", "--region", region, "--log-group", group, "--start", fmt.Sprint(start+3600))
	if code != 0 || strings.TrimSpace(out) != "" {
		t.Errorf("empty window: exit %d, %q", code, out)
	}

	// The cross-AZ summary: each byte once (the RDS copy and the NAT's
	// public leg are left out), per pair of AZ IDs.
	out, stderr, code = run(t, env, "", "flows", "--region", region, "--log-format", format, "--summary", "cross-az", "--format", "csv", file)
	if code != 0 {
		t.Fatalf("cross-az: exit %d: %s", code, stderr)
	}
	a, b := e.azIDA, e.azIDB
	if b < a {
		a, b = b, a
	}
	cross := int64(1000 + 5000 + 300 + 400 + 60 + 11 + 9)
	wantCSV := "account_id,vpc_id,az_id_a,az_id_b,bytes,gb,cost_usd\n" +
		fmt.Sprintf("%s,%s,%s,%s,%d,%.6f,%.6f\n", acct, e.vpc, a, b, cross, float64(cross)/(1<<30), float64(cross)/(1<<30)*0.02) +
		fmt.Sprintf("%s,%s,%s,%s,200,%.6f,0.000000\n", acct, e.vpc, e.azIDA, e.azIDA, 200.0/(1<<30))
	if out != wantCSV {
		t.Errorf("cross-az:\n%s\nwant\n%s", out, wantCSV)
	}

	// The services summary: the interface endpoint's traffic, and S3 reached
	// from a subnet whose route table has no route to it (the NAT's public
	// leg is the NAT's, not a client's).
	svcFile := filepath.Join(dir, "services.log")
	svcLines := []string{recs[6], fmt.Sprintf("5 %s %s 10.1.1.10 52.216.4.4 40010 443 6 1 800 %d %d ACCEPT OK %s %s %s egress", acct, e.eniInst, start, start+60, e.vpc, e.subA, e.azIDA), recs[8]}
	if err := os.WriteFile(svcFile, []byte(strings.Join(svcLines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, code = run(t, env, "", "flows", "--region", region, "--log-format", format, "--summary", "services", "--format", "csv", svcFile)
	if code != 0 {
		t.Fatalf("services: exit %d: %s", code, stderr)
	}
	wantServices := "service,region,path,client_vpc,bytes\n" +
		"s3," + region + ",no-route," + e.vpc + ",800\n" +
		"sqs," + region + ",vpc-endpoint," + e.vpc + ",60\n"
	if out != wantServices {
		t.Errorf("services:\n%s\nwant\n%s", out, wantServices)
	}
}

func checkFlows(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s: flows differ\ngot:\n%s\n\nwant:\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
