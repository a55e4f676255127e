package analysers

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/faultline/faultline/inventory"
)

// testSubnets are a region's subnets: two in us-east-1a (use1-az1), one in
// us-east-1b (use1-az2).
var testSubnets = []inventory.Subnet{
	{ID: "subnet-a1", VPCID: "vpc-1", AZ: "us-east-1a", AZID: "use1-az1"},
	{ID: "subnet-a2", VPCID: "vpc-1", AZ: "us-east-1a", AZID: "use1-az1"},
	{ID: "subnet-b1", VPCID: "vpc-1", AZ: "us-east-1b", AZID: "use1-az2"},
}

func testSubnetIndex() map[string]inventory.Subnet {
	m := map[string]inventory.Subnet{}
	for _, s := range testSubnets {
		m[s.ID] = s
	}
	return m
}

// testScope is an empty scope of account 111111111111 in us-east-1: a rule
// test Puts the kinds the rule reads, and any other kind fails.
func testScope() *inventory.Scope {
	return inventory.NewFixture().Scope(inventory.Account{ID: "111111111111", Partition: "aws"}, "us-east-1")
}

func vpcFunction(name string, subnets ...string) lambdatypes.FunctionConfiguration {
	return lambdatypes.FunctionConfiguration{
		FunctionName: aws.String(name),
		FunctionArn:  aws.String("arn:aws:lambda:us-east-1:111111111111:function:" + name),
		VpcConfig:    &lambdatypes.VpcConfigResponse{SubnetIds: subnets, VpcId: aws.String("vpc-1")},
	}
}

func TestJudgeLambda(t *testing.T) {
	cases := []struct {
		name      string
		fn        lambdatypes.FunctionConfiguration
		check     string
		risk      bool
		message   string
		azs, azID []string
	}{
		{"no VPC", lambdatypes.FunctionConfiguration{FunctionName: aws.String("plain"), FunctionArn: aws.String("arn:aws:lambda:us-east-1:111111111111:function:plain")},
			"LAMBDA-2", false, "Lambda function plain is not attached to a VPC; Lambda runs it in several Availability Zones of the region.", nil, nil},
		{"VPC config without subnets", lambdatypes.FunctionConfiguration{FunctionName: aws.String("empty"), VpcConfig: &lambdatypes.VpcConfigResponse{}},
			"LAMBDA-2", false, "Lambda function empty is not attached to a VPC; Lambda runs it in several Availability Zones of the region.", nil, nil},
		{"one subnet", vpcFunction("one", "subnet-a1"),
			"LAMBDA-1", true, "Lambda function one runs in 1 subnet, all in one Availability Zone (us-east-1a).",
			[]string{"us-east-1a"}, []string{"use1-az1"}},
		{"two subnets in one AZ", vpcFunction("same", "subnet-a1", "subnet-a2"),
			"LAMBDA-1", true, "Lambda function same runs in 2 subnets, all in one Availability Zone (us-east-1a).",
			[]string{"us-east-1a"}, []string{"use1-az1"}},
		{"two AZs", vpcFunction("multi", "subnet-a1", "subnet-b1"),
			"LAMBDA-1", false, "Lambda function multi runs in 2 subnets across 2 Availability Zones (us-east-1a, us-east-1b).",
			[]string{"us-east-1a", "us-east-1b"}, []string{"use1-az1", "use1-az2"}},
		{"deleted subnet", vpcFunction("gone", "subnet-a1", "subnet-gone"),
			"LAMBDA-1", true, "Lambda function gone runs in 2 subnets; only 1 Availability Zone could be placed (us-east-1a) and 1 subnet could not be found (subnet-gone).",
			[]string{"us-east-1a"}, []string{"use1-az1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeLambda(c.fn, testSubnetIndex())
			if f.CheckID != c.check || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %v %q\nwant %s %v %q", f.CheckID, f.Risk, f.Message, c.check, c.risk, c.message)
			}
			if f.ResourceName != aws.ToString(c.fn.FunctionName) || f.ResourceARN != aws.ToString(c.fn.FunctionArn) || f.ResourceType != "AWS::Lambda::Function" {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || !slices.Equal(f.AZIDs, c.azID) {
				t.Errorf("placed in %v %v, want %v %v", f.AZs, f.AZIDs, c.azs, c.azID)
			}
		})
	}
}

func TestAnalyseLambda(t *testing.T) {
	s := testScope()
	inventory.Put(s, lambdaFunctions, []lambdatypes.FunctionConfiguration{vpcFunction("risky", "subnet-a1"), vpcFunction("ok", "subnet-a1", "subnet-b1")}, nil)
	inventory.Put(s, inventory.Subnets, testSubnets, nil)
	var got []Finding
	if err := analyseLambda(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ResourceName != "risky" || !got[0].Risk || got[1].ResourceName != "ok" || got[1].Risk {
		t.Fatalf("findings: %+v", got)
	}
}

func TestAnalyseLambdaAccessDenied(t *testing.T) {
	s := testScope()
	inventory.Put(s, lambdaFunctions, nil, accessDenied("AccessDeniedException"))
	var got []Finding
	requireCode(t, analyseLambda(context.Background(), s, collect(&got)), "AccessDeniedException")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
	}
	// A denied subnet read fails the task and judges nothing half-placed.
	s = testScope()
	inventory.Put(s, lambdaFunctions, []lambdatypes.FunctionConfiguration{vpcFunction("f", "subnet-a1")}, nil)
	inventory.Put(s, inventory.Subnets, nil, accessDenied("UnauthorizedOperation"))
	requireCode(t, analyseLambda(context.Background(), s, collect(&got)), "UnauthorizedOperation")
	if len(got) != 0 {
		t.Fatalf("findings after a denied subnet read: %+v", got)
	}
	// Functions without a VPC need no subnet read: with subnets unreadable
	// they are still judged.
	s = testScope()
	inventory.Put(s, lambdaFunctions, []lambdatypes.FunctionConfiguration{{FunctionName: aws.String("plain")}}, nil)
	if err := analyseLambda(context.Background(), s, collect(&got)); err != nil || len(got) != 1 {
		t.Fatalf("err %v, findings %+v", err, got)
	}
}

func TestAnalyseLambdaKeepsWhatWasReadBeforeAFailure(t *testing.T) {
	s := testScope()
	throttled := errors.New("throttled on page 2")
	inventory.Put(s, lambdaFunctions, []lambdatypes.FunctionConfiguration{vpcFunction("page1", "subnet-b1")}, throttled)
	inventory.Put(s, inventory.Subnets, testSubnets, nil)
	var got []Finding
	if err := analyseLambda(context.Background(), s, collect(&got)); !errors.Is(err, throttled) {
		t.Fatalf("err %v, want the listing's", err)
	}
	if len(got) != 1 || got[0].ResourceName != "page1" {
		t.Fatalf("findings: %+v", got)
	}
}
