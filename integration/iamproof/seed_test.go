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
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/opensearch"
	opensearchtypes "github.com/aws/aws-sdk-go-v2/service/opensearch/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// seedEstate creates, in cfg's account and region, one resource for every
// call an analyser makes only when it finds something: the subnet lookups
// of VPC endpoints, FSx, Lambda and OpenSearch, EFS mount targets,
// OpenSearch DescribeDomains, and the target, attribute and placement reads
// of load balancers (seedLoadBalancers). The other calls are list calls made whatever
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
}
