package iamproof

import (
	"context"
	"testing"

	"github.com/faultline/faultline/internal/motoserver"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/efs"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/fsx"
	fsxtypes "github.com/aws/aws-sdk-go-v2/service/fsx/types"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
	kafkatypes "github.com/aws/aws-sdk-go-v2/service/kafka/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/mq"
	mqtypes "github.com/aws/aws-sdk-go-v2/service/mq/types"
	"github.com/aws/aws-sdk-go-v2/service/networkfirewall"
	nfwtypes "github.com/aws/aws-sdk-go-v2/service/networkfirewall/types"
	"github.com/aws/aws-sdk-go-v2/service/opensearch"
	opensearchtypes "github.com/aws/aws-sdk-go-v2/service/opensearch/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// seedEstate creates, in cfg's account and region, one resource for every
// call an analyser makes only when it finds something: the subnet lookups
// of VPC endpoints, FSx, Lambda, OpenSearch, Auto Scaling groups, RDS Proxy,
// MSK, Amazon MQ, ECS and EKS, EFS mount targets, OpenSearch DescribeDomains,
// RDS Proxy endpoints, MQ DescribeBroker, the ECS services and tasks of a
// cluster, the EKS clusters and node groups, the target, attribute and
// placement reads of load balancers (seedLoadBalancers), and the subnets and
// route tables that natgw, tgw and networkfirewall read once there is a NAT
// gateway, a transit gateway attachment or a firewall (and networkfirewall's
// DescribeFirewall). The other calls are list calls made whatever
// the estate holds. It also makes the account an organization's management
// account, so that the Organizations reads succeed.
func seedEstate(t *testing.T, ctx context.Context, cfg aws.Config) {
	t.Helper()
	if _, err := organizations.NewFromConfig(cfg).CreateOrganization(ctx, &organizations.CreateOrganizationInput{
		FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	ec2api := ec2.NewFromConfig(cfg)
	subnets, err := ec2api.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{
		Filters: []ec2types.Filter{{Name: aws.String("default-for-az"), Values: []string{"true"}}}})
	if err != nil || len(subnets.Subnets) < 2 {
		t.Fatalf("default subnets: %v", err)
	}
	subnet, vpc := subnets.Subnets[0].SubnetId, subnets.Subnets[0].VpcId

	if _, err := ec2api.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: vpc, VpcEndpointType: ec2types.VpcEndpointTypeInterface,
		ServiceName: aws.String("com.amazonaws." + cfg.Region + ".sqs"), SubnetIds: []string{*subnet}}); err != nil {
		t.Fatal(err)
	}
	if _, err := fsx.NewFromConfig(cfg).CreateFileSystem(ctx, &fsx.CreateFileSystemInput{FileSystemType: fsxtypes.FileSystemTypeLustre,
		StorageCapacity: aws.Int32(1200), SubnetIds: []string{*subnet},
		LustreConfiguration: &fsxtypes.CreateFileSystemLustreConfiguration{DeploymentType: fsxtypes.LustreDeploymentTypePersistent2}}); err != nil {
		t.Fatal(err)
	}
	fs, err := motoserver.CreateFileSystem(ctx, efs.NewFromConfig(cfg), &efs.CreateFileSystemInput{CreationToken: aws.String("proof")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := efs.NewFromConfig(cfg).CreateMountTarget(ctx, &efs.CreateMountTargetInput{FileSystemId: fs.FileSystemId, SubnetId: subnet}); err != nil {
		t.Fatal(err)
	}
	if _, err := opensearch.NewFromConfig(cfg).CreateDomain(ctx, &opensearch.CreateDomainInput{DomainName: aws.String("proof"),
		ClusterConfig: &opensearchtypes.ClusterConfig{InstanceCount: aws.Int32(1),
			InstanceType: opensearchtypes.OpenSearchPartitionInstanceTypeR6gLargeSearch},
		VPCOptions: &opensearchtypes.VPCOptions{SubnetIds: []string{*subnet}}}); err != nil {
		t.Fatal(err)
	}
	// A group that lists a subnet (no instance needed: its subnets are read
	// whatever its size).
	asg := autoscaling.NewFromConfig(cfg)
	if _, err := asg.CreateLaunchConfiguration(ctx, &autoscaling.CreateLaunchConfigurationInput{LaunchConfigurationName: aws.String("proof"),
		ImageId: aws.String("ami-12c6146b"), InstanceType: aws.String("t3.micro")}); err != nil {
		t.Fatal(err)
	}
	if _, err := asg.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String("proof"),
		LaunchConfigurationName: aws.String("proof"), MinSize: aws.Int32(0), MaxSize: aws.Int32(0), DesiredCapacity: aws.Int32(0),
		VPCZoneIdentifier: subnet}); err != nil {
		t.Fatal(err)
	}
	seedLoadBalancers(t, ctx, cfg, vpc, []string{*subnet, *subnets.Subnets[1].SubnetId})
	role, err := motoserver.LambdaRole(ctx, cfg, "lambda-role")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lambda.NewFromConfig(cfg).CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("proof"),
		Runtime: lambdatypes.RuntimePython312, Handler: aws.String("index.handler"), Role: aws.String(role),
		Code:      &lambdatypes.FunctionCode{ZipFile: motoserver.LambdaZip()},
		VpcConfig: &lambdatypes.VpcConfig{SubnetIds: []string{*subnet}, SecurityGroupIds: []string{}}}); err != nil {
		t.Fatal(err)
	}
	eip, err := ec2api.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ec2api.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: subnet, AllocationId: eip.AllocationId}); err != nil {
		t.Fatal(err)
	}
	tgw, err := ec2api.CreateTransitGateway(ctx, &ec2.CreateTransitGatewayInput{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ec2api.CreateTransitGatewayVpcAttachment(ctx, &ec2.CreateTransitGatewayVpcAttachmentInput{
		TransitGatewayId: tgw.TransitGateway.TransitGatewayId, VpcId: vpc, SubnetIds: []string{*subnet}}); err != nil {
		t.Fatal(err)
	}
	if _, err := networkfirewall.NewFromConfig(cfg).CreateFirewall(ctx, &networkfirewall.CreateFirewallInput{FirewallName: aws.String("proof"),
		FirewallPolicyArn: aws.String("arn:aws:network-firewall:" + cfg.Region + ":" + "000000000000:firewall-policy/proof"), VpcId: vpc,
		SubnetMappings: []nfwtypes.SubnetMapping{{SubnetId: subnet}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := rds.NewFromConfig(cfg).CreateDBProxy(ctx, &rds.CreateDBProxyInput{DBProxyName: aws.String("proof"),
		EngineFamily: rdstypes.EngineFamilyPostgresql, VpcSubnetIds: []string{*subnet},
		RoleArn: aws.String("arn:aws:iam::" + proofAccount + ":role/proxy-role"),
		Auth: []rdstypes.UserAuthConfig{{AuthScheme: rdstypes.AuthSchemeSecrets,
			SecretArn: aws.String("arn:aws:secretsmanager:" + cfg.Region + ":" + proofAccount + ":secret:proof")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := kafka.NewFromConfig(cfg).CreateClusterV2(ctx, &kafka.CreateClusterV2Input{ClusterName: aws.String("proof"),
		Provisioned: &kafkatypes.ProvisionedRequest{KafkaVersion: aws.String("3.6.0"), NumberOfBrokerNodes: aws.Int32(1),
			BrokerNodeGroupInfo: &kafkatypes.BrokerNodeGroupInfo{ClientSubnets: []string{*subnet}, InstanceType: aws.String("kafka.m5.large")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := mq.NewFromConfig(cfg).CreateBroker(ctx, &mq.CreateBrokerInput{BrokerName: aws.String("proof"),
		EngineType: mqtypes.EngineTypeActivemq, DeploymentMode: mqtypes.DeploymentModeSingleInstance,
		HostInstanceType: aws.String("mq.m5.large"), PubliclyAccessible: aws.Bool(false), SubnetIds: []string{*subnet},
		Users: []mqtypes.User{{Username: aws.String("admin"), Password: aws.String("password123456")}}}); err != nil {
		t.Fatal(err)
	}
	seedContainers(t, ctx, cfg, *subnet)
}

// seedContainers creates an ECS cluster with an awsvpc service that expects
// two tasks and one of its tasks, and an EKS cluster with a node group.
func seedContainers(t *testing.T, ctx context.Context, cfg aws.Config, subnet string) {
	t.Helper()
	sgs, err := ec2.NewFromConfig(cfg).DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{
		Filters: []ec2types.Filter{{Name: aws.String("group-name"), Values: []string{"default"}}}})
	if err != nil || len(sgs.SecurityGroups) == 0 {
		t.Fatalf("default security group: %v", err)
	}
	network := &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{
		Subnets: []string{subnet}, SecurityGroups: []string{aws.ToString(sgs.SecurityGroups[0].GroupId)}}}
	ecsapi := ecs.NewFromConfig(cfg)
	if _, err := ecsapi.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("proof")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ecsapi.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("proof"),
		NetworkMode: ecstypes.NetworkModeAwsvpc, Cpu: aws.String("256"), Memory: aws.String("512"),
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
		ContainerDefinitions:    []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("nginx"), Memory: aws.Int32(128)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ecsapi.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("proof"), ServiceName: aws.String("proof"),
		TaskDefinition: aws.String("proof"), DesiredCount: aws.Int32(2), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: network}); err != nil {
		t.Fatal(err)
	}
	if _, err := ecsapi.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("proof"), TaskDefinition: aws.String("proof"), Group: aws.String("service:proof"),
		LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: network}); err != nil {
		t.Fatal(err)
	}
	eksapi := eks.NewFromConfig(cfg)
	role := aws.String("arn:aws:iam::" + proofAccount + ":role/eks")
	if _, err := eksapi.CreateCluster(ctx, &eks.CreateClusterInput{Name: aws.String("proof"), RoleArn: role,
		ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: []string{subnet}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := eksapi.CreateNodegroup(ctx, &eks.CreateNodegroupInput{ClusterName: aws.String("proof"), NodegroupName: aws.String("proof"),
		NodeRole: role, Subnets: []string{subnet}}); err != nil {
		t.Fatal(err)
	}
}
