package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/faultline/faultline/analysers"
	"github.com/faultline/faultline/internal/motoserver"
)

// defaultSubnets returns the default VPC's subnet IDs by AZ name.
func defaultSubnets(t *testing.T, ctx context.Context, cfg aws.Config) map[string]string {
	t.Helper()
	out, err := ec2.NewFromConfig(cfg).DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{
		Filters: []ec2types.Filter{{Name: aws.String("default-for-az"), Values: []string{"true"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	byAZ := map[string]string{}
	for _, s := range out.Subnets {
		byAZ[*s.AvailabilityZone] = *s.SubnetId
	}
	return byAZ
}

// lambdaRole is the execution role moto insists on, one per account.
func lambdaRole(t *testing.T, ctx context.Context, cfg aws.Config) string {
	t.Helper()
	arn, err := motoserver.LambdaRole(ctx, cfg, "lambda-role")
	if err != nil {
		t.Fatal(err)
	}
	return arn
}

func seedLambda(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	subnets := defaultSubnets(t, ctx, cfg)
	a, b := cfg.Region+"a", cfg.Region+"b"
	// A second subnet in AZ a, so that "two subnets, one AZ" can be seeded.
	vpcs, err := ec2.NewFromConfig(cfg).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if err != nil {
		t.Fatal(err)
	}
	extra, err := ec2.NewFromConfig(cfg).CreateSubnet(ctx, &ec2.CreateSubnetInput{
		VpcId: vpcs.Vpcs[0].VpcId, CidrBlock: aws.String("172.31.200.0/24"), AvailabilityZone: aws.String(a),
	})
	if err != nil {
		t.Fatal(err)
	}
	api := lambda.NewFromConfig(cfg)
	code := motoserver.LambdaZip()
	role := lambdaRole(t, ctx, cfg)
	create := func(name string, subnetIDs ...string) string {
		in := &lambda.CreateFunctionInput{
			FunctionName: aws.String(name), Runtime: lambdatypes.RuntimePython312, Handler: aws.String("index.handler"),
			Role: aws.String(role), Code: &lambdatypes.FunctionCode{ZipFile: code},
		}
		if len(subnetIDs) > 0 {
			in.VpcConfig = &lambdatypes.VpcConfig{SubnetIds: subnetIDs, SecurityGroupIds: []string{}}
		}
		out, err := api.CreateFunction(ctx, in)
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		return *out.FunctionArn
	}
	r := cfg.Region
	return []row{
		{"lambda", r, create("fn-one-subnet", subnets[a]), "fn-one-subnet", "", "True", "",
			"Lambda function fn-one-subnet runs in 1 subnet, all in one Availability Zone (" + a + ").", "LAMBDA-1", "HIGH"},
		{"lambda", r, create("fn-two-subnets-one-az", subnets[a], *extra.Subnet.SubnetId), "fn-two-subnets-one-az", "", "True", "",
			"Lambda function fn-two-subnets-one-az runs in 2 subnets, all in one Availability Zone (" + a + ").", "LAMBDA-1", "HIGH"},
		{"lambda", r, create("fn-two-azs", subnets[a], subnets[b]), "fn-two-azs", "", "False", "",
			"Lambda function fn-two-azs runs in 2 subnets across 2 Availability Zones (" + a + ", " + b + ").", "LAMBDA-1", "HIGH"},
		{"lambda", r, create("fn-no-vpc"), "fn-no-vpc", "", "False", "",
			"Lambda function fn-no-vpc is not attached to a VPC; Lambda runs it in several Availability Zones of the region.", "LAMBDA-2", "INFO"},
	}
}

func TestMotoLambda(t *testing.T) {
	checkAnalyser(t, analysers.Lambda, seedLambda, "100000000001", "eu-west-1")
}
