// Package e2e runs the real faultline binary's reach command against one
// moto server seeded with VPCs, subnets, security groups, NACLs, route
// tables, peerings, a transit gateway, EC2 instances, Lambda functions and
// RDS instances.
package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/efs"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/faultline/faultline/internal/motoserver"
	"github.com/faultline/faultline/internal/testbin"
)

var moto *motoserver.Server

func TestMain(m *testing.M) {
	testbin.Main(m, "reach e2e", func(s *motoserver.Server) { moto = s })
}

// reachBinary is the faultline binary, built once per test run.
func reachBinary(t *testing.T) string { return testbin.Faultline(t) }

type run struct {
	code           int
	stdout, stderr string
}

func runReach(t *testing.T, keys motoserver.Keys, args ...string) run {
	t.Helper()
	cmd := exec.Command(reachBinary(t), append([]string{"reach"}, args...)...)
	cmd.Env = append(testbin.CleanEnv(), moto.Env(keys)...)
	cmd.Env = append(cmd.Env, "AWS_MAX_ATTEMPTS=2")
	res := testbin.Run(t, cmd)
	r := run{code: res.Code, stdout: res.Stdout, stderr: res.Stderr}
	return r
}

// estate is what the seeding created, by name.
type estate struct {
	keys      motoserver.Keys
	sg        map[string]string
	subnet    map[string]string
	instance  map[string]string // Name tag -> instance ID
	privateIP map[string]string
	eni       map[string]string
	pcx       map[string]string
	tgwRTB    string
	lambdaARN string
	account   string
	efs       string // file system ID
}

type seeder struct {
	t   *testing.T
	ctx context.Context
	ec2 *ec2.Client
	e   *estate
}

func (s *seeder) must(err error) {
	s.t.Helper()
	if err != nil {
		s.t.Fatal(err)
	}
}

func (s *seeder) vpc(cidr string) string {
	out, err := s.ec2.CreateVpc(s.ctx, &ec2.CreateVpcInput{CidrBlock: aws.String(cidr)})
	s.must(err)
	return *out.Vpc.VpcId
}

func (s *seeder) subnetIn(name, vpc, cidr, az string) string {
	out, err := s.ec2.CreateSubnet(s.ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpc), CidrBlock: aws.String(cidr), AvailabilityZone: aws.String(az)})
	s.must(err)
	s.e.subnet[name] = *out.Subnet.SubnetId
	return *out.Subnet.SubnetId
}

func (s *seeder) group(name, vpc string) string {
	out, err := s.ec2.CreateSecurityGroup(s.ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String(name), VpcId: aws.String(vpc)})
	s.must(err)
	s.e.sg[name] = *out.GroupId
	return *out.GroupId
}

func perm(proto string, from, to int32, peer string) ec2types.IpPermission {
	p := ec2types.IpPermission{IpProtocol: aws.String(proto), FromPort: aws.Int32(from), ToPort: aws.Int32(to)}
	if strings.HasPrefix(peer, "sg-") {
		p.UserIdGroupPairs = []ec2types.UserIdGroupPair{{GroupId: aws.String(peer)}}
	} else {
		p.IpRanges = []ec2types.IpRange{{CidrIp: aws.String(peer)}}
	}
	return p
}

func (s *seeder) ingress(group string, perms ...ec2types.IpPermission) {
	_, err := s.ec2.AuthorizeSecurityGroupIngress(s.ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(group), IpPermissions: perms})
	s.must(err)
}

func (s *seeder) instance(name, subnet string, groups ...string) {
	out, err := s.ec2.RunInstances(s.ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), InstanceType: ec2types.InstanceTypeT3Micro,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(subnet), SecurityGroupIds: groups,
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String(name)}}}}})
	s.must(err)
	inst := out.Instances[0]
	s.e.instance[name] = *inst.InstanceId
	s.e.privateIP[name] = aws.ToString(inst.PrivateIpAddress)
	s.e.eni[name] = aws.ToString(inst.NetworkInterfaces[0].NetworkInterfaceId)
}

func (s *seeder) mainTable(vpc string) string {
	out, err := s.ec2.DescribeRouteTables(s.ctx, &ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{vpc}}, {Name: aws.String("association.main"), Values: []string{"true"}}}})
	s.must(err)
	return *out.RouteTables[0].RouteTableId
}

func (s *seeder) peering(name, a, b string) string {
	out, err := s.ec2.CreateVpcPeeringConnection(s.ctx, &ec2.CreateVpcPeeringConnectionInput{VpcId: aws.String(a), PeerVpcId: aws.String(b)})
	s.must(err)
	id := *out.VpcPeeringConnection.VpcPeeringConnectionId
	_, err = s.ec2.AcceptVpcPeeringConnection(s.ctx, &ec2.AcceptVpcPeeringConnectionInput{VpcPeeringConnectionId: aws.String(id)})
	s.must(err)
	s.e.pcx[name] = id
	return id
}

func (s *seeder) route(table, cidr string, in ec2.CreateRouteInput) {
	in.RouteTableId, in.DestinationCidrBlock = aws.String(table), aws.String(cidr)
	_, err := s.ec2.CreateRoute(s.ctx, &in)
	s.must(err)
}

// seedEstate builds, in one account:
//
//	VPC A 10.10/16: a1 10.10.1/24 (1a), a2 10.10.2/24 (1b), a3 10.10.3/24 (1a, custom NACL without outbound ephemeral rule)
//	VPC B 10.20/16 peered with A both ways; VPC C 10.30/16 peered with A, route only from A;
//	VPC D 10.40/16 peered with B only (A routes D's CIDR to the A-B peering);
//	VPC E 10.50/16 joined to A by a transit gateway attached in 1a only.
func seedEstate(t *testing.T, account string) *estate {
	ctx := context.Background()
	cfg, err := moto.Config(ctx, account, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := moto.AccountKeys(ctx, account, "reach")
	if err != nil {
		t.Fatal(err)
	}
	e := &estate{keys: keys, account: account, sg: map[string]string{}, subnet: map[string]string{}, instance: map[string]string{},
		privateIP: map[string]string{}, eni: map[string]string{}, pcx: map[string]string{}}
	s := &seeder{t: t, ctx: ctx, ec2: ec2.NewFromConfig(cfg), e: e}

	vpcA, vpcB, vpcC, vpcD, vpcE := s.vpc("10.10.0.0/16"), s.vpc("10.20.0.0/16"), s.vpc("10.30.0.0/16"), s.vpc("10.40.0.0/16"), s.vpc("10.50.0.0/16")
	a1 := s.subnetIn("a1", vpcA, "10.10.1.0/24", "us-east-1a")
	a2 := s.subnetIn("a2", vpcA, "10.10.2.0/24", "us-east-1b")
	a3 := s.subnetIn("a3", vpcA, "10.10.3.0/24", "us-east-1a")
	b1 := s.subnetIn("b1", vpcB, "10.20.1.0/24", "us-east-1a")
	c1 := s.subnetIn("c1", vpcC, "10.30.1.0/24", "us-east-1a")
	d1 := s.subnetIn("d1", vpcD, "10.40.1.0/24", "us-east-1a")
	e1 := s.subnetIn("e1", vpcE, "10.50.1.0/24", "us-east-1a")

	sgLambda := s.group("lambda", vpcA)
	sgRDS := s.group("rds", vpcA)
	s.ingress(sgRDS, perm("tcp", 5432, 5432, sgLambda))
	sgWeb := s.group("web", vpcA)
	s.ingress(sgWeb, perm("tcp", 22, 22, "10.10.0.0/16"), perm("tcp", 443, 443, "0.0.0.0/0"), perm("icmp", 8, -1, "10.10.0.0/16"))
	sgOnly443 := s.group("only443", vpcA)
	_, err = s.ec2.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: aws.String(sgOnly443),
		IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("-1"), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}})
	s.must(err)
	_, err = s.ec2.AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{GroupId: aws.String(sgOnly443),
		IpPermissions: []ec2types.IpPermission{perm("tcp", 443, 443, "0.0.0.0/0")}})
	s.must(err)
	sgPeer := s.group("peer", vpcB)
	s.ingress(sgPeer, perm("tcp", 5432, 5432, sgLambda), perm("tcp", 22, 22, "10.0.0.0/8"))
	sgC := s.group("c", vpcC)
	s.ingress(sgC, perm("tcp", 22, 22, "10.0.0.0/8"))
	sgD := s.group("d", vpcD)
	s.ingress(sgD, perm("tcp", 22, 22, "10.0.0.0/8"))
	sgPart := s.group("part", vpcA)
	s.ingress(sgPart, perm("tcp", 8080, 8080, "10.10.1.0/24"))
	sgE := s.group("e", vpcE)
	s.ingress(sgE, perm("tcp", 80, 80, "10.0.0.0/8"))

	// a3's NACL admits SSH but has no outbound rule for the replies.
	acl, err := s.ec2.CreateNetworkAcl(ctx, &ec2.CreateNetworkAclInput{VpcId: aws.String(vpcA)})
	s.must(err)
	aclID := *acl.NetworkAcl.NetworkAclId
	_, err = s.ec2.CreateNetworkAclEntry(ctx, &ec2.CreateNetworkAclEntryInput{NetworkAclId: aws.String(aclID), RuleNumber: aws.Int32(100), Egress: aws.Bool(false),
		Protocol: aws.String("6"), RuleAction: ec2types.RuleActionAllow, CidrBlock: aws.String("10.10.0.0/16"), PortRange: &ec2types.PortRange{From: aws.Int32(22), To: aws.Int32(22)}})
	s.must(err)
	_, err = s.ec2.CreateNetworkAclEntry(ctx, &ec2.CreateNetworkAclEntryInput{NetworkAclId: aws.String(aclID), RuleNumber: aws.Int32(100), Egress: aws.Bool(true),
		Protocol: aws.String("6"), RuleAction: ec2types.RuleActionAllow, CidrBlock: aws.String("0.0.0.0/0"), PortRange: &ec2types.PortRange{From: aws.Int32(443), To: aws.Int32(443)}})
	s.must(err)
	nacls, err := s.ec2.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{Filters: []ec2types.Filter{{Name: aws.String("association.subnet-id"), Values: []string{a3}}}})
	s.must(err)
	for _, as := range nacls.NetworkAcls[0].Associations {
		if aws.ToString(as.SubnetId) == a3 {
			_, err = s.ec2.ReplaceNetworkAclAssociation(ctx, &ec2.ReplaceNetworkAclAssociationInput{AssociationId: as.NetworkAclAssociationId, NetworkAclId: aws.String(aclID)})
			s.must(err)
		}
	}

	rtA, rtB, rtC, rtD, rtE := s.mainTable(vpcA), s.mainTable(vpcB), s.mainTable(vpcC), s.mainTable(vpcD), s.mainTable(vpcE)
	pcxAB := s.peering("ab", vpcA, vpcB)
	s.route(rtA, "10.20.0.0/16", ec2.CreateRouteInput{VpcPeeringConnectionId: aws.String(pcxAB)})
	s.route(rtB, "10.10.0.0/16", ec2.CreateRouteInput{VpcPeeringConnectionId: aws.String(pcxAB)})
	s.route(rtA, "10.40.0.0/16", ec2.CreateRouteInput{VpcPeeringConnectionId: aws.String(pcxAB)})
	pcxAC := s.peering("ac", vpcA, vpcC)
	s.route(rtA, "10.30.0.0/16", ec2.CreateRouteInput{VpcPeeringConnectionId: aws.String(pcxAC)})
	_ = rtC // C has no route back to A: the one-way case
	pcxBD := s.peering("bd", vpcB, vpcD)
	s.route(rtB, "10.40.0.0/16", ec2.CreateRouteInput{VpcPeeringConnectionId: aws.String(pcxBD)})
	s.route(rtD, "10.20.0.0/16", ec2.CreateRouteInput{VpcPeeringConnectionId: aws.String(pcxBD)})

	// The attachments land in the TGW's default association route table;
	// static routes there send each VPC's CIDR to its attachment.
	tgw, err := s.ec2.CreateTransitGateway(ctx, &ec2.CreateTransitGatewayInput{})
	s.must(err)
	tgwID := *tgw.TransitGateway.TransitGatewayId
	attA, err := s.ec2.CreateTransitGatewayVpcAttachment(ctx, &ec2.CreateTransitGatewayVpcAttachmentInput{TransitGatewayId: aws.String(tgwID), VpcId: aws.String(vpcA), SubnetIds: []string{a1}})
	s.must(err)
	attE, err := s.ec2.CreateTransitGatewayVpcAttachment(ctx, &ec2.CreateTransitGatewayVpcAttachmentInput{TransitGatewayId: aws.String(tgwID), VpcId: aws.String(vpcE), SubnetIds: []string{e1}})
	s.must(err)
	atts, err := s.ec2.DescribeTransitGatewayAttachments(ctx, &ec2.DescribeTransitGatewayAttachmentsInput{TransitGatewayAttachmentIds: []string{*attA.TransitGatewayVpcAttachment.TransitGatewayAttachmentId}})
	s.must(err)
	if len(atts.TransitGatewayAttachments) == 0 || atts.TransitGatewayAttachments[0].Association == nil {
		t.Fatal("moto did not associate the attachment with the default route table")
	}
	e.tgwRTB = *atts.TransitGatewayAttachments[0].Association.TransitGatewayRouteTableId
	for cidr, att := range map[string]*string{"10.10.0.0/16": attA.TransitGatewayVpcAttachment.TransitGatewayAttachmentId, "10.50.0.0/16": attE.TransitGatewayVpcAttachment.TransitGatewayAttachmentId} {
		_, err = s.ec2.CreateTransitGatewayRoute(ctx, &ec2.CreateTransitGatewayRouteInput{TransitGatewayRouteTableId: aws.String(e.tgwRTB), DestinationCidrBlock: aws.String(cidr), TransitGatewayAttachmentId: att})
		s.must(err)
	}
	s.route(rtA, "10.50.0.0/16", ec2.CreateRouteInput{TransitGatewayId: aws.String(tgwID)})
	s.route(rtE, "10.10.0.0/16", ec2.CreateRouteInput{TransitGatewayId: aws.String(tgwID)})

	s.instance("web-1", a1, sgWeb)
	s.instance("app-1", a2, sgLambda)
	s.instance("b-1", b1, sgPeer)
	s.instance("c-1", c1, sgC)
	s.instance("d-1", d1, sgD)
	s.instance("e-1", e1, sgE)
	s.instance("nacl-1", a3, sgWeb)
	s.instance("part-1", a1, sgPart)

	// An EFS file system with a mount target in a1 (moto gives it a real
	// ENI) whose group admits NFS from VPC A; an ALB in a1 and a2 with the
	// web group (moto creates no ENIs for it: its subnets stand in).
	sgNFS := s.group("nfs", vpcA)
	s.ingress(sgNFS, perm("tcp", 2049, 2049, "10.10.0.0/16"))
	fsAPI := efs.NewFromConfig(cfg)
	fs, err := motoserver.CreateFileSystem(ctx, fsAPI, &efs.CreateFileSystemInput{CreationToken: aws.String("reach-efs")})
	s.must(err)
	e.efs = aws.ToString(fs.FileSystemId)
	_, err = fsAPI.CreateMountTarget(ctx, &efs.CreateMountTargetInput{FileSystemId: fs.FileSystemId, SubnetId: aws.String(a1), SecurityGroups: []string{sgNFS}})
	s.must(err)
	_, err = elbv2.NewFromConfig(cfg).CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String("web-alb"),
		Subnets: []string{a1, a2}, SecurityGroups: []string{sgWeb}})
	s.must(err)

	// A Redis cluster in a cache subnet group of a1. moto 5.2.1 does not
	// return a cache cluster's security groups, so reach sees none and
	// applies the VPC's default group (the rule for resources without
	// groups); the group given here only documents the intent.
	sgCache := s.group("cache", vpcA)
	s.ingress(sgCache, perm("tcp", 6379, 6379, sgLambda))
	ec := elasticache.NewFromConfig(cfg)
	_, err = ec.CreateCacheSubnetGroup(ctx, &elasticache.CreateCacheSubnetGroupInput{CacheSubnetGroupName: aws.String("cache-a1"),
		CacheSubnetGroupDescription: aws.String("a1"), SubnetIds: []string{a1}})
	s.must(err)
	_, err = ec.CreateCacheCluster(ctx, &elasticache.CreateCacheClusterInput{CacheClusterId: aws.String("sessions"), Engine: aws.String("redis"),
		CacheNodeType: aws.String("cache.t3.micro"), NumCacheNodes: aws.Int32(1), CacheSubnetGroupName: aws.String("cache-a1"),
		SecurityGroupIds: []string{sgCache}, PreferredAvailabilityZone: aws.String("us-east-1a")})
	s.must(err)

	// An ECS service in awsvpc mode with no running task (moto runs none):
	// its subnets and group stand in for the tasks' interfaces.
	sgAPI := s.group("api", vpcA)
	s.ingress(sgAPI, perm("tcp", 8080, 8080, "10.10.0.0/16"))
	ecsAPI := ecs.NewFromConfig(cfg)
	_, err = ecsAPI.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("apps")})
	s.must(err)
	_, err = ecsAPI.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("api"), NetworkMode: ecstypes.NetworkModeAwsvpc,
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("api"), Image: aws.String("api:1"), Memory: aws.Int32(256)}}})
	s.must(err)
	_, err = ecsAPI.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("apps"), ServiceName: aws.String("api"), TaskDefinition: aws.String("api"),
		DesiredCount: aws.Int32(1), NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{
			Subnets: []string{a1}, SecurityGroups: []string{sgAPI}}}})
	s.must(err)

	// Lambda functions: fn-app in a1 and a2 with the lambda group; fn-443 whose group sends only 443.
	role, err := motoserver.LambdaRole(ctx, cfg, "reach-lambda")
	s.must(err)
	lam := lambda.NewFromConfig(cfg)
	for name, groups := range map[string][]string{"fn-app": {sgLambda}, "fn-443": {sgOnly443}} {
		out, err := lam.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(name), Role: aws.String(role), Runtime: lambdatypes.RuntimePython312,
			Handler: aws.String("index.handler"), Code: &lambdatypes.FunctionCode{ZipFile: motoserver.LambdaZip()},
			VpcConfig: &lambdatypes.VpcConfig{SubnetIds: []string{a1, a2}, SecurityGroupIds: groups}})
		s.must(err)
		if name == "fn-app" {
			e.lambdaARN = *out.FunctionArn
		}
	}

	// RDS: db-pg (postgres, port 5432) with the rds group; db-nosg (mysql) with no group, so the default group.
	db := rds.NewFromConfig(cfg)
	_, err = db.CreateDBSubnetGroup(ctx, &rds.CreateDBSubnetGroupInput{DBSubnetGroupName: aws.String("reach-db"), DBSubnetGroupDescription: aws.String("reach"), SubnetIds: []string{a1, a2}})
	s.must(err)
	for _, d := range []struct {
		id, engine string
		groups     []string
	}{{"db-pg", "postgres", []string{sgRDS}}, {"db-nosg", "mysql", nil}} {
		_, err = db.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(d.id), Engine: aws.String(d.engine), DBInstanceClass: aws.String("db.t3.micro"),
			AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("admin1"), MasterUserPassword: aws.String("password123"),
			DBSubnetGroupName: aws.String("reach-db"), VpcSecurityGroupIds: d.groups, AvailabilityZone: aws.String("us-east-1a")})
		s.must(err)
	}
	return e
}

// reachCase is one question to reach about the seeded estate.
type reachCase struct {
	name string
	args []string
	code int
	want []string // substrings of stdout
}

func reachCases(e *estate) []reachCase {
	return []reachCase{
		{"seed README: RDS group allows the Lambda group on 5432, asked 3306", []string{"--fromLambda", "fn-app", "--toRDS", "db-pg", "--port", "3306"}, 3,
			[]string{"verdict: blocked", "hint: " + e.sg["rds"] + " rule sgr-", "allows " + e.sg["lambda"] + " on tcp 5432, not tcp 3306", "Lambda Hyperplane ENI, address unknown"}},
		{"lambda to rds on the endpoint's own port", []string{"--from", "lambda:fn-app", "--to", "rds:db-pg"}, 0,
			[]string{"on tcp 5432", "verdict: reachable", "* skip   network ACL outbound"}},
		{"lambda ARN to rds ARN", []string{"--from", e.lambdaARN, "--to", "arn:aws:rds:us-east-1:" + e.account + ":db:db-pg"}, 0, []string{"verdict: reachable"}},
		{"rds without security groups uses the VPC default group", []string{"--from", "lambda:fn-app", "--to", "rds:db-nosg"}, 3,
			[]string{"on tcp 3306", "verdict: blocked", "no ingress rule of sg-"}},
		{"lambda whose egress allows 443 only", []string{"--from", "lambda:fn-443", "--to", "rds:db-pg"}, 3,
			[]string{"allows tcp 443 only", "verdict: blocked"}},
		{"ec2 to ec2 by Name tag, CIDR rule", []string{"--from", "ec2:app-1", "--to", "ec2:web-1", "--port", "22"}, 0, []string{"verdict: reachable"}},
		{"ec2 to ec2, port not open", []string{"--from", "ec2:app-1", "--to", "ec2:" + e.instance["web-1"], "--port", "80"}, 3,
			[]string{"no ingress rule of " + e.sg["web"] + " allows tcp 80", "verdict: blocked"}},
		{"udp is not tcp", []string{"--from", "ec2:app-1", "--to", "ec2:web-1", "--port", "22", "--protocol", "udp"}, 3, []string{"verdict: blocked"}},
		{"icmp echo", []string{"--from", "ec2:app-1", "--to", "ec2:web-1", "--protocol", "icmp"}, 0, []string{"icmp type 8 code 0", "verdict: reachable"}},
		{"peering both ways, SG reference across same-region peering", []string{"--from", "ec2:app-1", "--to", "ec2:b-1", "--port", "5432"}, 0,
			[]string{e.pcx["ab"], "verdict: reachable"}},
		{"peering routed one way only", []string{"--from", "ec2:app-1", "--to", "ec2:c-1", "--port", "22"}, 3,
			[]string{"has no route back to", "verdict: blocked"}},
		{"peering is not transitive", []string{"--from", "ec2:app-1", "--to", "ec2:d-1", "--port", "22"}, 3,
			[]string{"peering is not transitive", "verdict: blocked"}},
		// moto 5.2.1 returns a TGW route's attachment as one object, not a
		// list, so the SDK reads no attachment: reach must say unknown, not guess.
		{"transit gateway route whose attachment cannot be read", []string{"--from", "ec2:web-1", "--to", "ec2:e-1", "--port", "80"}, 4,
			[]string{e.tgwRTB + " has a route to 10.50.1.4/32 (10.50.0.0/16) that names no attachment", "verdict: unknown"}},
		{"transit gateway: lambda subnet in an AZ without attachment", []string{"--from", "lambda:fn-app", "--to", "ec2:e-1", "--port", "80"}, 4,
			[]string{"has no subnet in us-east-1b, the source's Availability Zone", "verdict: unknown"}},
		{"partial: the target admits one of the Lambda's subnets", []string{"--from", "lambda:fn-app", "--to", "ec2:part-1", "--port", "8080"}, 3,
			[]string{"= reachable", "= blocked", "verdict: partial"}},
		{"NACL without outbound ephemeral rule", []string{"--from", "ec2:app-1", "--to", "ec2:nacl-1", "--port", "22"}, 3,
			[]string{"has no outbound rule for ephemeral ports 32768-65535", "verdict: blocked"}},
		{"no route to the internet", []string{"--from", "ec2:web-1", "--to", "ip:8.8.8.8", "--port", "443"}, 3,
			[]string{"has no route to 8.8.8.8/32", "verdict: blocked"}},
		{"ip that is an instance's address", []string{"--from", "ec2:app-1", "--to", "ip:" + e.privateIP["web-1"], "--port", "22"}, 0, []string{e.eni["web-1"], "verdict: reachable"}},
		{"eni source not in the referenced group", []string{"--from", "eni:" + e.eni["web-1"], "--to", "rds:db-pg"}, 3,
			[]string{"allows " + e.sg["lambda"] + " on tcp 5432, but the source is in " + e.sg["web"], "verdict: blocked"}},
		{"peered source outside the target's CIDR rule", []string{"--from", "ec2:b-1", "--to", "ec2:web-1", "--port", "22"}, 3,
			[]string{"no ingress rule of " + e.sg["web"] + " allows tcp 22", "verdict: blocked"}},
		{"same VPC, other subnet than the rule admits", []string{"--from", "ec2:app-1", "--to", "ec2:part-1", "--port", "8080"}, 3,
			[]string{"no ingress rule of " + e.sg["part"] + " allows tcp 8080", "verdict: blocked"}},
		{"same subnet skips the NACLs", []string{"--from", "ec2:web-1", "--to", "ec2:part-1", "--port", "8080"}, 0,
			[]string{"* skip   network ACL outbound", "verdict: reachable"}},
		{"peering D-B routed both ways", []string{"--from", "ec2:d-1", "--to", "ec2:b-1", "--port", "22"}, 0, []string{"verdict: reachable"}},
		{"one-way peering seen from the side without a route", []string{"--from", "ec2:c-1", "--to", "ec2:app-1", "--port", "22"}, 3,
			[]string{"has no route to", "verdict: blocked"}},
		{"ec2 to an EFS mount target on NFS, the file system's own port", []string{"--from", "ec2:app-1", "--to", "efs:" + e.efs}, 0,
			[]string{"on tcp 2049", "verdict: reachable"}},
		{"lambda whose egress allows 443 only, to EFS", []string{"--from", "lambda:fn-443", "--to", "efs:" + e.efs}, 3,
			[]string{"allows tcp 443 only", "verdict: blocked"}},
		{"ec2 to an ALB through its subnets", []string{"--from", "ec2:app-1", "--to", "elbv2:web-alb", "--port", "443"}, 0,
			[]string{"verdict: reachable"}},
		{"ALB port its group does not admit", []string{"--from", "ec2:app-1", "--to", "elbv2:web-alb", "--port", "8443"}, 3,
			[]string{"no ingress rule of " + e.sg["web"] + " allows tcp 8443", "verdict: blocked"}},
		{"ec2 to an ECS service without running tasks, through its subnets", []string{"--from", "ec2:app-1", "--to", "ecs:apps/api", "--port", "8080"}, 0,
			[]string{"verdict: reachable"}},
		{"ECS service port its group does not admit", []string{"--from", "ec2:app-1", "--to", "ecs:apps/api", "--port", "9090"}, 3,
			[]string{"no ingress rule of " + e.sg["api"] + " allows tcp 9090", "verdict: blocked"}},
		{"the seed's --fromECS, to an instance", []string{"--fromECS", "apps:api", "--to", "ec2:web-1", "--port", "443"}, 0,
			[]string{"verdict: reachable"}},
		{"lambda to a Redis cluster through its cache subnet group, default group", []string{"--from", "lambda:fn-app", "--to", "elasticache:sessions"}, 3,
			[]string{"on tcp 6379", "(ElastiCache sessions, address unknown)", "no security groups: the VPC's default group", "verdict: blocked"}},
		{"unknown function is a usage error", []string{"--from", "lambda:nope", "--to", "rds:db-pg"}, 2, nil},
		{"malformed reference fails before any call", []string{"--from", "eni:nope", "--to", "rds:db-pg"}, 2, nil},
	}
}

func TestReachEndToEnd(t *testing.T) {
	e := seedEstate(t, "300000000001")
	for _, c := range reachCases(e) {
		t.Run(c.name, func(t *testing.T) {
			r := runReach(t, e.keys, c.args...)
			if r.code != c.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, c.code, r.stdout, r.stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, r.stdout)
				}
			}
			if c.code == 2 && (r.stdout != "" || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0) {
				t.Errorf("usage error must be one line on stderr and nothing on stdout; stdout %q stderr %q", r.stdout, r.stderr)
			}
			if os.Getenv("REACH_SHOW") != "" {
				t.Logf("faultline reach %s\n%s%s", strings.Join(c.args, " "), r.stdout, r.stderr)
			}
		})
	}

	t.Run("json output of the seed case", func(t *testing.T) {
		r := runReach(t, e.keys, "--fromLambda", "fn-app", "--toRDS", "db-pg", "--port", "3306", "--format", "json")
		if r.code != 3 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		if os.Getenv("REACH_SHOW") != "" {
			t.Logf("json:\n%s", r.stdout)
		}
		var doc struct {
			Verdict  string `json:"verdict"`
			Source   struct{ Type, ID string }
			Target   struct{ Type, ID string }
			Protocol string `json:"protocol"`
			Port     int    `json:"port"`
			Paths    []struct {
				Verdict string `json:"verdict"`
				Hops    []struct {
					Component, ID, Decision, Rule string
				} `json:"hops"`
			} `json:"paths"`
			Hints []string `json:"hints"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, r.stdout)
		}
		if doc.Verdict != "blocked" || doc.Source.Type != "lambda" || doc.Target.ID != "db-pg" || doc.Protocol != "tcp" || doc.Port != 3306 || len(doc.Paths) != 2 || len(doc.Hints) == 0 {
			t.Errorf("unexpected document: %+v", doc)
		}
		for _, p := range doc.Paths {
			last := p.Hops[len(p.Hops)-3] // ingress comes before the two return-path NACL hops
			if p.Verdict != "blocked" || last.Component != "security group ingress" || last.Decision != "deny" || last.ID != e.sg["rds"] {
				t.Errorf("path %+v", p)
			}
		}
	})
}
