package iamproof

import (
	"context"
	"testing"

	"github.com/faultline/faultline/internal/motoserver"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/efs"
	"github.com/aws/aws-sdk-go-v2/service/fsx"
	fsxtypes "github.com/aws/aws-sdk-go-v2/service/fsx/types"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
	kafkatypes "github.com/aws/aws-sdk-go-v2/service/kafka/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/mq"
	mqtypes "github.com/aws/aws-sdk-go-v2/service/mq/types"
	"github.com/aws/aws-sdk-go-v2/service/opensearch"
	opensearchtypes "github.com/aws/aws-sdk-go-v2/service/opensearch/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// seedEstate creates, in cfg's account and region, one resource for every
// call an analyser makes only when it finds something: the subnet lookups
// of VPC endpoints, FSx, Lambda, OpenSearch, RDS Proxy, MSK and Amazon MQ,
// EFS mount targets, OpenSearch DescribeDomains, RDS Proxy endpoints and
// MQ DescribeBroker. The other calls are list calls made whatever
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
}
