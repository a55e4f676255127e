package flows

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	efstypes "github.com/aws/aws-sdk-go-v2/service/efs/types"
	elasticachetypes "github.com/aws/aws-sdk-go-v2/service/elasticache/types"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"

	"github.com/faultline/faultline/inventory"
)

var refused = &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized"}

func factsScope() *inventory.Scope {
	s := inventory.NewFixture().Scope(inventory.Account{ID: "111111111111", Partition: "aws"}, "us-east-1")
	inventory.Put(s, inventory.Instances, []ec2types.Instance{{InstanceId: aws.String("i-1"), Tags: []ec2types.Tag{{Key: aws.String("app"), Value: aws.String("web")}}}}, nil)
	inventory.Put(s, inventory.FlowLogs, []ec2types.FlowLog{{ResourceId: aws.String("vpc-1"), TrafficType: ec2types.TrafficTypeAll},
		{ResourceId: aws.String("subnet-r"), TrafficType: ec2types.TrafficTypeReject}}, nil)
	inventory.Put(s, inventory.LambdaFunctions, []lambdatypes.FunctionConfiguration{
		{FunctionName: aws.String("fn"), FunctionArn: aws.String("arn:fn"), VpcConfig: &lambdatypes.VpcConfigResponse{SubnetIds: []string{"subnet-1"}, SecurityGroupIds: []string{"sg-1"}}},
		{FunctionName: aws.String("novpc"), FunctionArn: aws.String("arn:novpc")}}, nil)
	inventory.Put(s, inventory.LambdaFunctionTags, []inventory.FunctionTags{{FunctionARN: "arn:fn", Tags: map[string]string{"team": "a"}}}, nil)
	inventory.Put(s, inventory.DBInstances, []rdstypes.DBInstance{{DBInstanceIdentifier: aws.String("db"), DBInstanceArn: aws.String("arn:db"),
		DBSubnetGroup: &rdstypes.DBSubnetGroup{Subnets: []rdstypes.Subnet{{SubnetIdentifier: aws.String("subnet-1")}}}}}, nil)
	inventory.Put(s, inventory.ReplicationGroups, []elasticachetypes.ReplicationGroup{{ReplicationGroupId: aws.String("rg"), MemberClusters: []string{"rg-001"}}}, nil)
	inventory.Put(s, inventory.EFSMountTargets, []inventory.EFSFileSystem{{FileSystem: efstypes.FileSystemDescription{FileSystemId: aws.String("fs-1"),
		FileSystemArn: aws.String("arn:fs-1")}, MountTargets: []efstypes.MountTargetDescription{{MountTargetId: aws.String("fsmt-1"), NetworkInterfaceId: aws.String("eni-fs")}}}}, nil)
	return s
}

// LoadFacts reads its facts from the scope's kinds.
func TestLoadFactsFromTheScope(t *testing.T) {
	f, err := LoadFacts(context.Background(), factsScope())
	if err != nil {
		t.Fatal(err)
	}
	if f.Account != "111111111111" || f.Partition != "aws" || f.Instances["i-1"]["app"] != "web" || !f.FlowLogged["vpc-1"] || f.FlowLogged["subnet-r"] {
		t.Errorf("facts %+v", f)
	}
	if len(f.Functions) != 1 || f.Functions[0].Tags["team"] != "a" || len(f.DBs) != 1 || f.DBs[0].Subnets[0] != "subnet-1" {
		t.Errorf("functions %+v, DBs %+v", f.Functions, f.DBs)
	}
	if f.CacheGroups["rg-001"] != "rg" || f.MountTargets["eni-fs"].FileSystemARN != "arn:fs-1" || len(f.Unreadable) != 0 {
		t.Errorf("cache groups %v, mount targets %v, unreadable %v", f.CacheGroups, f.MountTargets, f.Unreadable)
	}
}

// A refused kind marks its part unreadable and loading goes on: refused
// tags keep the functions, untagged; any other error ends it.
func TestLoadFactsRefusalsAndErrors(t *testing.T) {
	s := factsScope()
	inventory.Put(s, inventory.LambdaFunctionTags, nil, refused)
	inventory.Put(s, inventory.DBInstances, nil, refused)
	f, err := LoadFacts(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Functions) != 1 || f.Functions[0].Tags != nil || !strings.Contains(f.Unreadable["lambda:ListTags"], "AccessDeniedException") ||
		f.Unreadable["rds:DescribeDBInstances"] == "" || len(f.Unreadable) != 2 {
		t.Errorf("functions %+v, unreadable %v", f.Functions, f.Unreadable)
	}
	throttled := errors.New("throttled")
	inventory.Put(s, inventory.ReplicationGroups, nil, throttled)
	if _, err := LoadFacts(context.Background(), s); !errors.Is(err, throttled) || !strings.HasPrefix(err.Error(), "elasticache:DescribeReplicationGroups in 111111111111 us-east-1") {
		t.Errorf("want the error, got %v", err)
	}
}
